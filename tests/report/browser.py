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


def chromium_path() -> str:
    """The Chromium to drive: ``$EKSLAB_CHROMIUM``, else /usr/bin/chromium (Debian's package)."""
    path = os.environ.get("EKSLAB_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not os.access(path, os.X_OK):
        pytest.fail(
            f"browser tests need Chromium at {path}: apt-get install -y chromium (or set EKSLAB_CHROMIUM)",
            pytrace=False,
        )
    return path


@contextmanager
def browser() -> Iterator[Any]:
    """A Playwright ``Browser`` on the system Chromium (no network: pages are local files)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=chromium_path(), headless=True, args=list(CHROMIUM_FLAGS)
        )
        try:
            yield launched
        finally:
            launched.close()
