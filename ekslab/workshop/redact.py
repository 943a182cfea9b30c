"""Keeping secrets of the environment out of what a guide run writes (JUnit reports, step details).

A step's output can echo a credential (``env``, ``aws configure export-credentials``, a failing
command that prints its request). Every value of a variable whose name says it is secret
(``AWS_SECRET_ACCESS_KEY``, ``AWS_SESSION_TOKEN``, any ``*TOKEN*``, ``*SECRET*``, ``*PASSWORD*``)
is replaced by ``REDACTED`` wherever it appears.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Final

SECRET_NAME: Final = re.compile(r"SECRET|TOKEN|PASSWORD|PASSWD|CREDENTIAL", re.IGNORECASE)
REDACTED: Final = "[REDACTED]"
MIN_SECRET_CHARS: Final = 6
"""Shorter values ("1", "true") are not secrets and would blank out ordinary output."""


def secret_values(*environments: Mapping[str, str]) -> frozenset[str]:
    """The values of secret-named variables in ``environments`` (see the module docstring)."""
    return frozenset(
        value
        for env in environments
        for name, value in env.items()
        if SECRET_NAME.search(name) and len(value) >= MIN_SECRET_CHARS
    )


def redact(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every secret in ``secrets`` replaced by ``REDACTED`` (longest first)."""
    for secret in sorted(secrets, key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, REDACTED)
    return text
