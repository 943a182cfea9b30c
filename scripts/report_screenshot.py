#!/usr/bin/env python3
"""Write the HTML report of a bundle and a PNG of its map, for docs/workshop.md.

    .venv/bin/python scripts/report_screenshot.py tests/fixtures/bundles/workshop-2048 docs/images/report-map.png

Drives Debian's chromium as the browser tests do (tests/report/browser.py); the page is written to a
temporary folder and only the PNG is kept.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.report.browser import CHROMIUM_FLAGS, chromium_path  # noqa: E402


def main() -> None:
    if len(sys.argv) != 3:
        raise SystemExit("usage: report_screenshot.py BUNDLE OUT.png")
    bundle, png = Path(sys.argv[1]), Path(sys.argv[2])
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as folder:
        page_path = Path(folder) / "report.html"
        subprocess.run(
            [
                sys.executable,
                "-m",
                "ekslab",
                "report",
                "--bundle",
                str(bundle),
                "--out",
                str(page_path),
                "--cluster-name",
                "ekslab",
            ],
            check=True,
        )
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=chromium_path(), headless=True, args=list(CHROMIUM_FLAGS)
            )
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            page.goto(page_path.as_uri(), wait_until="load")
            page.locator("#map").screenshot(path=str(png))
            browser.close()
    print(f"{png}: {png.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
