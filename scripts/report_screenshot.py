#!/usr/bin/env python3
"""Write the HTML report of a bundle and a PNG of its map (and, given a second PNG, of the IP ledger
of the subnet the first node's pods use), for docs/workshop.md and docs/report.md.

    .venv/bin/python scripts/report_screenshot.py recorded-lab docs/images/report-map.png docs/images/report-ledger.png
    .venv/bin/python scripts/report_screenshot.py tests/fixtures/bundles/workshop-2048 /tmp/map.png

``recorded-lab`` is the lab the workshop guide's offline run answers from (tests/workshop/fake_lab.py:
custom networking, prefix delegation, a branch-ENI pod), written to a temporary folder first and
checked for drift against ``RECORDED_LAB_CONFIG``, the lab configuration it was deployed with.

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

from tests.report.browser import CHROMIUM_FLAGS, chromium_path, missing_chromium  # noqa: E402

RECORDED_LAB_CONFIG = """\
lab: {name: ekslab}
network: {podSubnets: {enabled: true, cidr: 100.64.0.0/16, prefixLength: 18}}
cni: {env: {ENABLE_PREFIX_DELEGATION: true, ENABLE_POD_ENI: true}}
"""


def main() -> None:
    if len(sys.argv) not in (3, 4) or sys.argv[1].startswith("-"):
        raise SystemExit("usage: report_screenshot.py BUNDLE MAP.png [LEDGER.png]")
    bundle, png = Path(sys.argv[1]), Path(sys.argv[2])
    ledger_png = Path(sys.argv[3]) if len(sys.argv) == 4 else None
    if missing_chromium():
        raise SystemExit(missing_chromium())
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as folder:
        if str(bundle) == "recorded-lab":
            from tests.workshop.fake_lab import lab_docs, write_lab

            bundle = write_lab(Path(folder) / "lab", lab_docs()) / "bundle"
            config = Path(folder) / "lab.yaml"
            config.write_text(RECORDED_LAB_CONFIG)
            extra = ["--expect-config", str(config)]
        else:
            extra = []
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
                *extra,
            ],
            check=True,
        )
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=chromium_path(), headless=True, args=list(CHROMIUM_FLAGS)
            )
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            page.goto(page_path.as_uri(), wait_until="load")
            # The sticky search bar would cover the top of the zone in an element screenshot.
            page.add_style_tag(content="#finder { display: none; }")
            page.locator("details.az").first.screenshot(path=str(png))
            if ledger_png is not None:
                # The first subnet with the most blocks held by the lab (not free, not AWS's): a pod subnet.
                subnets = page.locator("#ledger .lsub")
                held = subnets.evaluate_all(
                    "all => all.map(e => e.querySelectorAll('.grid span:not(.k-free):not(.k-aws_reserved)').length)"
                )
                subnets.nth(held.index(max(held))).screenshot(path=str(ledger_png))
            browser.close()
    for picture in (png, ledger_png):
        if picture is not None:
            print(f"{picture}: {picture.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
