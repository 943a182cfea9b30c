"""Headless Chromium for the report tests: Debian's ``chromium`` driven by Playwright, no browser download.

A missing browser FAILS the test with one line saying how to install it (never a skip): CI installs
it in ``.ci/run``; on a workstation ``sudo apt-get install -y chromium`` (or set ``EKSLAB_CHROMIUM``
to another Chromium binary).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Final

import pytest

CHROMIUM_FLAGS: Final = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)


def missing_chromium() -> str | None:
    """Why there is no Chromium to drive (one line), or ``None`` when there is one."""
    path = chromium_path()
    if os.access(path, os.X_OK):
        return None
    return f"browser tests need Chromium at {path}: apt-get install -y chromium (or set EKSLAB_CHROMIUM)"


def chromium_path() -> str:
    """The Chromium to drive: ``$EKSLAB_CHROMIUM``, else Debian's ``chromium`` on ``PATH`` or /usr/bin."""
    return os.environ.get("EKSLAB_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"


@contextmanager
def browser() -> Iterator[Any]:
    """A Playwright ``Browser`` on the system Chromium (no network: pages are local files).

    Yields ``None`` when there is no Chromium; ``require`` then fails the test that needs it.
    """
    if missing_chromium():
        yield None
        return
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=chromium_path(), headless=True, args=list(CHROMIUM_FLAGS)
        )
        try:
            yield launched
        finally:
            launched.close()


def require(launched: Any) -> Any:
    """``launched`` itself, or a test failure (never a skip) with the one-line reason."""
    if launched is None:
        pytest.fail(missing_chromium() or "no browser", pytrace=False)
    return launched
