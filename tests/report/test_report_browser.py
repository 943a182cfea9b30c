"""The report in a real headless Chromium: what the rendered page shows, finds and refuses to run.

Driven by Playwright on Debian's chromium (tests/report/browser.py); a missing browser fails these
tests with one line. Each test saves a screenshot under its temporary folder.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.cli_run import run_cli
from tests.report.browser import browser, require
from tests.report.conftest import HOSTILE_ENI, HOSTILE_NAME, ROOT, WORKSHOP

GENERATOR = ROOT / "benchmarks" / "verify" / "generate_bundle.py"
pytestmark = pytest.mark.xdist_group("browser")


@pytest.fixture(scope="module")
def chromium() -> Any:
    with browser() as launched:
        yield launched


def make_report(bundle: Path, out: Path, capsys: pytest.CaptureFixture[str], *options: str) -> Path:
    code, _, stderr = run_cli(["report", "--bundle", str(bundle), "--out", str(out), *options], capsys)
    assert (code, stderr) == (0, "")
    return out


def open_every_node(page: Any) -> None:
    """Open every ``<details>`` of the page, as a reader clicking each, and wait until the script has
    drawn every closed node it opened."""
    page.evaluate("() => document.querySelectorAll('details').forEach(d => { d.open = true; })")
    page.wait_for_function("() => !document.querySelector('details.node[data-b]')")


# Each node's parts as [tag, sorted attributes, children], text as it is; the template's line breaks
# between elements (whitespace with a newline) are left out: the script draws none.
NODE_PARTS = """() => {
  function tree(el) {
    if (el.nodeType === Node.TEXT_NODE) return el.nodeValue;
    const attributes = [...el.attributes].map(a => [a.name, a.value]).sort();
    const children = [...el.childNodes].filter(c => c.nodeType === Node.ELEMENT_NODE ||
      (c.nodeType === Node.TEXT_NODE && !/^\\s*\\n\\s*$/.test(c.nodeValue)));
    return [el.tagName, attributes, children.map(tree)];
  }
  return [...document.querySelectorAll("details.node")].map(node =>
    [node.dataset.node, [...node.children].filter(c => c.tagName !== "SUMMARY").map(tree)]);
}"""


def open_page(chromium: Any, report: Path) -> Any:
    page = require(chromium).new_page(viewport={"width": 1400, "height": 1000})
    page.goto(report.as_uri(), wait_until="load")
    return page


def count(page: Any, name: str) -> str:
    return page.inner_text(f'[data-count="{name}"]')


def ips_document(bundle: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    """``ekslab ips --output json`` of ``bundle``."""
    code, stdout, stderr = run_cli(["ips", "--bundle", str(bundle), "--output", "json"], capsys)
    assert (code, stderr) == (0, "")
    return json.loads(stdout)


def assert_ledger_shown(page: Any, ledger: dict[str, Any]) -> None:
    """The page's ledger section shows every subnet of ``ledger`` (ips JSON) with its blocks and free blocks."""
    subnets = ledger["subnets"]
    assert page.locator("#ledger .lsub .grid").count() == len(subnets) > 0
    assert int(count(page, "ledger_subnets")) == len(subnets)
    assert int(count(page, "ledger_free_blocks")) == sum(item["free_28_blocks"] for item in subnets)
    shown = page.evaluate(
        """() => [...document.querySelectorAll('#ledger .lsub')].map(e => [e.dataset.subnet,
             e.querySelectorAll('.grid span').length, e.querySelectorAll('.grid span.k-free').length])"""
    )
    assert shown == [[item["subnet_id"], item["size"] // 16, item["free_28_blocks"]] for item in subnets]
    # every square says its owner in a word, so the grid reads without colour
    assert page.locator("#ledger .grid span:empty").count() == 0


def test_workshop_report_shows_every_pod_eni_and_slot(
    chromium: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN the workshop bundle's report
    page = open_page(chromium, make_report(WORKSHOP, tmp_path / "r.html", capsys))
    # THEN the summary and the drawn map agree: 9 pods, 6 of them in slots, 3 ENIs, 15 idle slots
    assert (count(page, "pods"), count(page, "failed"), count(page, "enis")) == ("9", "0", "3")
    assert page.locator("li.p").count() == 6
    assert page.locator("div.eni").count() == 3
    assert page.locator("li.i").count() == 15
    # and with two nodes nothing is collapsed: every pod is visible
    assert page.locator("li.p:visible").count() == 6
    assert page.inner_text("#h-cni") == "v1.23.1"
    # and the IP ledger section draws what `ekslab ips` counts on the same bundle: one grid per subnet,
    # one square per /28 block, the same free blocks per subnet and in all
    ledger = ips_document(WORKSHOP, capsys)
    assert_ledger_shown(page, ledger)
    assert page.locator("#ledger-na").count() == 0
    page.screenshot(path=str(tmp_path / "workshop.png"), full_page=True)
    assert (tmp_path / "workshop.png").stat().st_size > 10_000


def test_the_failing_pod_is_highlighted_and_explained_on_click(
    chromium: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str], failing_bundle: Path
) -> None:
    # GIVEN the workshop bundle with web-2 on an IP ipamd never gave it
    page = open_page(chromium, make_report(failing_bundle, tmp_path / "r.html", capsys))
    # THEN exactly that pod is drawn failed, visibly, with a thick red border and the word FAIL
    assert (count(page, "failed"), count(page, "failing-pods")) == ("1", "1")
    failed = page.locator("li.p.f")
    assert failed.count() == 1
    assert "default/web-2" in failed.inner_text()
    assert failed.is_visible()
    style = failed.evaluate("e => [getComputedStyle(e).borderTopWidth, getComputedStyle(e).borderTopColor]")
    assert style == ["2px", "rgb(180, 35, 24)"]
    assert failed.evaluate("e => getComputedStyle(e, '::before').content") == '"✗ FAIL "'
    # WHEN it is clicked THEN the panel shows its result and reasons
    failed.click()
    panel = page.inner_text("#panel")
    assert "default/web-2 (10.11.17.22): FAIL" in panel
    assert "reasons: ipamd_mismatch" in panel
    page.screenshot(path=str(tmp_path / "failing.png"), full_page=True)


def test_search_finds_a_pod_by_ip(chromium: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    page = open_page(chromium, make_report(WORKSHOP, tmp_path / "r.html", capsys))
    # WHEN the IP of a 2048 pod is searched
    page.fill("#search", "10.11.40.20")
    page.press("#search", "Enter")
    # THEN its slot is the highlighted match and the panel names its prefix and ENI
    assert page.inner_text("#matches") == "1 match"
    assert "2048-game/2048-deployment-7df5f9886b-p2wq8" in page.inner_text("li.hit")
    assert "address of prefix 10.11.40.16/28 of eni-0b00000000000000b" in page.inner_text("#panel")


def test_a_hostile_pod_name_injects_nothing(
    chromium: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str], hostile_bundle: Path
) -> None:
    # GIVEN a pod named with an <img onerror> and a <script>, and another pod failing on its IP
    page = open_page(chromium, make_report(hostile_bundle, tmp_path / "r.html", capsys))
    # THEN no element came from it and no script of it ran
    assert page.locator("#pwn").count() == 0
    assert page.evaluate("() => window.__pwned") is None
    # and the name is shown as it is: as text under its node, as an attribute of web-2's slot
    assert page.locator(".unplaced code", has_text="onerror").inner_text() == f"default/{HOSTILE_NAME}"
    web2 = page.locator("li.p.f", has_text="default/web-2")
    assert web2.get_attribute("title") == (
        f"ipamd assigns 10.11.17.11 to default/web-1; 10.11.17.11 is also the IP of default/{HOSTILE_NAME}"
    )
    # and the load balancer ENI described with the name is named, as text, in its ledger block's title
    block = page.locator("#ledger .grid span.k-load_balancer")
    assert block.get_attribute("title") == (
        f"10.11.17.192/28: load_balancer 1, free 15; {HOSTILE_ENI} (ELB net/{HOSTILE_NAME})"
    )
    # WHEN web-2 is clicked THEN its panel shows the name as text, still injecting nothing
    web2.click()
    assert f"10.11.17.11 is also the IP of default/{HOSTILE_NAME}" in page.inner_text("#panel")
    assert page.locator("#panel img, #panel script").count() == 0
    assert page.evaluate("() => window.__pwned") is None


@pytest.fixture(scope="module")
def big_bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated 500-node bundle (compact JSON, 12 pods per node), as the benchmark makes them."""
    out = tmp_path_factory.mktemp("big") / "bundle"
    subprocess.run(
        [
            sys.executable,
            str(GENERATOR),
            "--out",
            str(out),
            "--nodes",
            "500",
            "--pods-per-node",
            "12",
            "--compact",
        ],
        check=True,
        capture_output=True,
    )
    return out


def test_a_500_node_report_is_collapsed_and_search_opens_a_node(
    chromium: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str], big_bundle: Path
) -> None:
    # GIVEN a 500-node, 2,000-ENI bundle where every pod passes
    page = open_page(chromium, make_report(big_bundle, tmp_path / "r.html", capsys))
    passed = int(count(page, "passed"))
    # THEN every node is in the page, collapsed: a closed node is its summary, its parts are data
    assert (count(page, "nodes"), count(page, "enis"), count(page, "failed")) == ("500", "2000", "0")
    assert page.locator("details.node").count() == 500
    # (a node with a problem would be open and drawn: at most 20 of them)
    opened = page.locator("details.node[open]").count()
    assert opened == min(page.locator("details.node.bad").count(), 20) < 500
    assert page.locator("details.node[data-b]").count() == 500 - opened
    assert page.locator("details.node[data-b] div.eni").count() == 0
    # and the IP ledger of its subnets is the one `ekslab ips` counts
    assert_ledger_shown(page, ips_document(big_bundle, capsys))
    # WHEN the IP of a pod on a closed node is searched (the first pod of the page's data)
    ip, namespace, name = page.evaluate(
        """() => { const enis = JSON.parse(document.getElementById('map-data').textContent).nodes[0][1];
                   const pods = enis.flatMap(e => e[8]).flatMap(g => g[2]); return pods[0].slice(0, 3); }"""
    )
    page.fill("#search", ip)
    page.press("#search", "Enter")
    # THEN that pod's node is drawn and opens, and its slot is the visible highlighted match
    hit = page.locator("li.hit")
    assert hit.inner_text() == f"{ip} {namespace}/{name}"
    assert hit.is_visible()
    assert page.locator("details.node[open]").count() == opened + 1
    assert page.locator("details.node[data-b]").count() == 500 - opened - 1
    page.screenshot(path=str(tmp_path / "big.png"))
    assert (tmp_path / "big.png").stat().st_size > 10_000
    # WHEN every node is opened THEN every ENI and every verified pod is drawn
    open_every_node(page)
    assert page.locator("div.eni").count() == 2000
    assert page.locator("li.p").count() == passed > 4000


def test_an_eni_of_a_closed_node_is_found_by_its_id(
    chromium: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str], big_bundle: Path
) -> None:
    # GIVEN the 500-node report, and the last ENI of its last closed node
    page = open_page(chromium, make_report(big_bundle, tmp_path / "r.html", capsys))
    node, eni = page.evaluate(
        """() => { const closed = [...document.querySelectorAll('details.node[data-b]')].pop();
                   const parts = JSON.parse(document.getElementById('map-data').textContent).nodes[+closed.dataset.b];
                   return [closed.dataset.node, parts[1][parts[1].length - 1][0]]; }"""
    )
    # WHEN its id is searched
    page.fill("#search", eni)
    page.press("#search", "Enter")
    # THEN the result list names it on its node, and its drawn ENI is the highlighted match
    assert page.inner_text("#matches") == "1 match"
    assert page.inner_text("#results") == f"ENI {eni} on {node}"
    assert page.locator("div.eni.hit").get_attribute("data-eni") == eni
    assert page.locator("div.eni.hit").is_visible()


@pytest.fixture
def mixed_bundle(tmp_path: Path) -> Path:
    """A small cluster with a security-groups-for-pods branch ENI pod, a Fargate pod on its own ENI and
    an IPv6 /80 prefix (tests/verify/cluster_docs.py): the slot kinds the workshop bundle lacks."""
    from tests.verify.cluster_docs import add_fargate_pod, add_ipv6_prefix
    from tests.verify.test_verify_pods import annotation, with_branch_pod

    docs = with_branch_pod(annotation())
    add_fargate_pod(docs)
    add_ipv6_prefix(docs)
    return docs.write(tmp_path / "mixed")


@pytest.mark.parametrize("case", ["workshop", "failing", "hostile", "mixed"])
def test_a_closed_node_opened_is_drawn_as_the_page_draws_an_open_one(
    chromium: Any,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    every_node_closed: None,
    request: pytest.FixtureRequest,
    case: str,
) -> None:
    # GIVEN a bundle's report with every node closed (its parts as data), and the same with --draw-all
    bundle = WORKSHOP if case == "workshop" else request.getfixturevalue(f"{case}_bundle")
    closed = open_page(chromium, make_report(bundle, tmp_path / "closed.html", capsys))
    drawn = open_page(chromium, make_report(bundle, tmp_path / "drawn.html", capsys, "--draw-all"))
    nodes = closed.locator("details.node").count()
    assert closed.locator("details.node[data-b]").count() == nodes > 0
    assert drawn.locator("details.node[data-b]").count() == 0
    # WHEN every node of both is opened
    open_every_node(closed)
    open_every_node(drawn)
    # THEN the script drew each node's checks, ENIs, slots and unplaced pods element for element,
    # attribute for attribute and text for text as the template draws them
    parts = closed.evaluate(NODE_PARTS)
    assert parts == drawn.evaluate(NODE_PARTS)
    assert len(parts) == nodes and all(body for _, body in parts)
    # and no text of the input became an element or ran
    assert closed.locator("#pwn").count() == 0
    assert closed.evaluate("() => window.__pwned") is None


def test_a_closed_node_is_found_and_explained_by_its_failing_pod(
    chromium: Any,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    every_node_closed: None,
    hostile_bundle: Path,
) -> None:
    # GIVEN the hostile bundle's report with every node closed: web-2 fails, its details name the
    # hostile pod, which the data carries inside the page's script element
    path = make_report(hostile_bundle, tmp_path / "r.html", capsys)
    text = path.read_text()
    assert text.count("</script>") == 2  # the data's own and the page script's end: none from the name
    assert "\\u003cscript>window.__pwned=2\\u003c/script>" in text.split('id="map-data">', 1)[1]
    page = open_page(chromium, path)
    # WHEN web-2 is searched for and clicked
    page.fill("#search", "web-2")
    page.press("#search", "Enter")
    page.locator("li.hit").click()
    # THEN its closed node was drawn and opened, and the panel explains the failure, names as text
    assert page.locator("li.hit").get_attribute("data-v") == "fail"
    panel = page.inner_text("#panel")
    assert "default/web-2 (10.11.17.11): FAIL" in panel
    assert f"10.11.17.11 is also the IP of default/{HOSTILE_NAME}" in panel
    assert page.locator("#pwn, #panel img, #panel script").count() == 0
    assert page.evaluate("() => window.__pwned") is None


def test_print_hides_the_search_and_opens_problem_nodes(
    chromium: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str], failing_bundle: Path
) -> None:
    # GIVEN the report of a bundle with a failing pod, seen as printed
    page = open_page(chromium, make_report(failing_bundle, tmp_path / "r.html", capsys))
    page.emulate_media(media="print")
    # THEN the search bar is not printed, and the failing pod's node is open on paper
    assert not page.locator("#finder").is_visible()
    assert page.locator("li.p.f").is_visible()
    page.pdf(path=str(tmp_path / "printed.pdf"))
    assert (tmp_path / "printed.pdf").stat().st_size > 10_000


def test_printing_draws_and_opens_a_closed_problem_node(
    chromium: Any,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    every_node_closed: None,
    failing_bundle: Path,
) -> None:
    # GIVEN the failing bundle's report with every node closed, the failing pod's node too
    page = open_page(chromium, make_report(failing_bundle, tmp_path / "r.html", capsys))
    assert page.locator("li.p.f").count() == 0
    # WHEN it is about to be printed THEN, before the page is laid out for paper (in the same task as
    # the event, not in a later "toggle"), the node with the problem is drawn and open
    drawn = page.evaluate(
        """() => { window.dispatchEvent(new Event("beforeprint"));
                   return document.querySelectorAll("details.node.bad[open] li.p.f").length; }"""
    )
    assert drawn == 1
    # and so is every other node with a problem
    assert (
        page.locator("details.node.bad").count()
        == page.locator("details.node.bad[open]:not([data-b])").count()
    )
    page.pdf(path=str(tmp_path / "printed.pdf"))
    assert (tmp_path / "printed.pdf").stat().st_size > 10_000


def test_a_missing_browser_fails_with_one_line(tmp_path: Path) -> None:
    # GIVEN no Chromium where the tests look for it
    env = {**os.environ, "EKSLAB_CHROMIUM": str(tmp_path / "no-chromium")}
    # WHEN a browser test runs
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            f"{Path(__file__)}::test_search_finds_a_pod_by_ip",
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
    )
    # THEN it fails (never skips), saying in one line what is missing and how to install it
    assert result.returncode == 1
    assert "1 failed" in result.stdout
    assert "skipped" not in result.stdout and "error" not in result.stdout
    assert (
        f"browser tests need Chromium at {tmp_path / 'no-chromium'}: apt-get install -y chromium "
        "(or set EKSLAB_CHROMIUM)" in result.stdout
    )
