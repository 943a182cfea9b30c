"""`ekslab report` and `ekslab verify --output html --html-file`: what they write and what they refuse."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli_run import run_cli
from tests.ledger.lab_docs import crowded_lab
from tests.report.conftest import WORKSHOP, copy_with_pod


def test_report_writes_one_self_contained_page(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # GIVEN the workshop bundle
    out = tmp_path / "report.html"
    # WHEN `ekslab report --bundle ... --out report.html` runs
    code, stdout, stderr = run_cli(
        ["report", "--bundle", str(WORKSHOP), "--out", str(out), "--cluster-name", "ekslab"], capsys
    )
    # THEN it exits 0, says where and what, and the page references nothing outside itself
    assert (code, stderr) == (0, "")
    assert stdout.startswith(f"report written to {out}: 9 pods: 6 passed, 0 failed, 3 skipped")
    page = out.read_text()
    assert page.startswith("<!DOCTYPE html>")
    assert "<h1>ekslab report: ekslab</h1>" in page
    for outside in ("http://", "https://", "src=", "<link", "@import", "url("):
        assert outside not in page


def test_report_as_a_program_ends_after_the_whole_page_is_in_place(tmp_path: Path) -> None:
    # GIVEN the workshop bundle
    out = tmp_path / "report.html"
    # WHEN `python -m ekslab report` runs as a program (its entry point ends the process without
    # freeing the snapshot and the page's model)
    program = subprocess.run(
        [sys.executable, "-m", "ekslab", "report", "--bundle", str(WORKSHOP), "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    # THEN it exits 0 with its line, and the page is complete where it was asked for (nothing left beside it)
    assert (program.returncode, program.stderr) == (0, "")
    assert program.stdout.startswith(f"report written to {out}: 9 pods: 6 passed")
    assert out.read_text().endswith("</html>\n")
    assert [path.name for path in tmp_path.iterdir()] == ["report.html"]


def test_verify_writes_the_page_beside_json_and_keeps_its_exit_code(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], failing_bundle: Path
) -> None:
    # GIVEN a bundle with one failing pod
    out = tmp_path / "verify.html"
    # WHEN verify runs with --output json and --html-file
    code, stdout, _ = run_cli(
        ["verify", "--bundle", str(failing_bundle), "-o", "json", "--html-file", str(out)], capsys
    )
    # THEN the exit code is verify's (1), JSON is printed and the page lists the failure
    assert code == 1
    assert json.loads(stdout)["summary"]["failed"] == 1
    page = out.read_text()
    assert '<td class="n" data-count="failed">1</td>' in page
    # and the page carries the IP ledger of the same bundle (the workshop's three subnets)
    assert '<span class="n" data-count="ledger_subnets">3</span> subnets' in page
    assert "IP ledger: not available" not in page


def test_verify_output_html_prints_the_summary_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "v.html"
    code, stdout, _ = run_cli(
        ["verify", "--bundle", str(WORKSHOP), "-o", "html", "--html-file", str(out)], capsys
    )
    # (node B holds a /28 prefix while the default lab has prefix delegation off: a convergence failure)
    assert code == 1
    assert (
        stdout == "9 pods: 6 passed, 0 failed, 3 skipped (0 unverified); 2 nodes: 1 failed, 0 unverified; "
        "1 load balancer backends: 0 failed (exit 1)\n"
    )
    assert out.is_file()


def test_output_html_without_a_file_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    code, stdout, stderr = run_cli(["verify", "--bundle", str(WORKSHOP), "-o", "html"], capsys)
    assert (code, stdout) == (2, "")
    assert stderr == (
        "ekslab: error: ekslab verify: --output html needs --html-file FILE (see 'ekslab verify --help')\n"
    )


def test_html_draw_all_without_a_file_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    code, stdout, stderr = run_cli(["verify", "--bundle", str(WORKSHOP), "--html-draw-all"], capsys)
    assert (code, stdout) == (2, "")
    assert stderr == (
        "ekslab: error: ekslab verify: --html-draw-all needs --html-file FILE (see 'ekslab verify --help')\n"
    )


def test_verify_html_draw_all_draws_every_node_of_a_collapsed_map(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], every_node_closed: None
) -> None:
    # GIVEN the workshop bundle with a map that collapses every node
    closed, drawn = tmp_path / "closed.html", tmp_path / "drawn.html"
    # WHEN verify writes its page without and with --html-draw-all
    for out, options in ((closed, []), (drawn, ["--html-draw-all"])):
        code, _, _ = run_cli(["verify", "--bundle", str(WORKSHOP), "--html-file", str(out), *options], capsys)
        assert code == 1  # the default lab wants prefix delegation off, and node B holds a /28
    # THEN without it the closed nodes' slots are data in the page; with it, markup and no data
    closed_page, drawn_page = closed.read_text(), drawn.read_text()
    assert 'id="map-data"' in closed_page and "<li class=p " not in closed_page
    assert 'id="map-data"' not in drawn_page and drawn_page.count("<li class=p ") == 6


def test_a_pod_name_with_a_lone_surrogate_is_written_as_its_escape(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN the workshop bundle with web-1 named "web-\ud800" in its JSON: no UTF-8 can hold that name
    bundle = copy_with_pod(tmp_path, "web-1", new_name="web-\ud800")
    for collapse in (False, True):
        if collapse:  # its node closed too: the name is in the page's data, not its markup
            monkeypatch.setattr("ekslab.report.model.OPEN_NODES_UP_TO", 0)
            monkeypatch.setattr("ekslab.report.model.OPEN_PROBLEM_NODES", 0)
        out = tmp_path / f"report-{collapse}.html"
        # WHEN the report is written
        code, _, stderr = run_cli(["report", "--bundle", str(bundle), "--out", str(out)], capsys)
        # THEN it is, with the name as its JSON escape
        assert (code, stderr) == (0, "")
        assert "web-\\ud800" in out.read_text(encoding="utf-8")


def test_a_report_into_a_missing_folder_is_refused_before_reading(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN an output path whose folder does not exist, and no bundle at all
    out = tmp_path / "missing" / "r.html"
    # WHEN report runs
    code, _, stderr = run_cli(["report", "--bundle", str(tmp_path / "nothing"), "--out", str(out)], capsys)
    # THEN the output folder is refused in one line (before the bundle is even looked at)
    assert code == 2
    assert stderr.startswith(f"ekslab: error: --out {out}: ")
    assert stderr.count("\n") == 1
    assert not out.parent.exists()


def test_report_refuses_bundle_and_cluster_together(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, stderr = run_cli(
        ["report", "--bundle", str(WORKSHOP), "--cluster", "c", "--out", str(tmp_path / "r.html")], capsys
    )
    assert code == 2
    assert stderr == (
        "ekslab: error: ekslab report: give either --bundle or --cluster/--region, not both "
        "(see 'ekslab report --help')\n"
    )


def test_report_of_a_live_cluster_names_it_in_the_header(
    moto_aws: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN a live lab: moto for EC2/EKS, a loopback Kubernetes API, ipamd through the node proxy
    from tests.sources.fake_kube import serve
    from tests.sources.moto_lab import CLUSTER, REGION, kube_for, live_args, make_lab

    lab = make_lab()
    out = tmp_path / "live.html"
    # WHEN the report is made with the live options
    with serve(kube_for(lab), tmp_path) as kubeconfig:
        code, stdout, stderr = run_cli(["report", *live_args(kubeconfig), "--out", str(out)], capsys)
    # THEN it is written, with the cluster and region in the header and every node in the map
    assert (code, stderr) == (0, "")
    assert stdout.startswith(f"report written to {out}: ")
    page = out.read_text()
    assert f'<dd id="h-cluster">{CLUSTER}</dd>' in page
    assert f'<dd id="h-region">{REGION}</dd>' in page
    assert f'<dd id="h-source">cluster {CLUSTER} ({REGION})</dd>' in page
    for name in lab.node_names:
        assert f'data-node="{name}"' in page


def test_the_ledger_section_uses_the_expected_lab_for_the_forecast(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN a node subnet with 19 free addresses, and the lab whose ng-default may grow to 3 nodes here
    bundle, config = crowded_lab(tmp_path)
    out = tmp_path / "report.html"
    # WHEN the report is made against that lab
    code, _, stderr = run_cli(
        ["report", "--bundle", str(bundle), "--expect-config", str(config), "--out", str(out)], capsys
    )
    # THEN the node subnet's forecast says one more node fits and the group cannot reach its max size,
    # the subnet has its planned role, and the ledger's warning is listed under the grids
    assert (code, stderr) == (0, "")
    page = out.read_text()
    assert (
        "Forecast: ng-default in us-west-2a (m5.large): 1 more node fits (this subnet runs out first), "
        "each takes 10 addresses here, 23 more pods fit on its running nodes, it cannot grow to its max "
        "size 9 (3 nodes in this AZ)</p>" in page
    )
    assert '<p class="lfig">private subnet · 488 addresses held · 19 free' in page
    assert (
        "<li>warning: ng-default in us-west-2a: subnet subnet-nodes keeps 4% of its usable addresses free, "
        "under 20%</li>" in page
    )
    # and the group's AZs whose subnets the bundle lacks have their forecast there too
    assert (
        "<li>forecast: ng-default in us-west-2b (m5.large): no node subnet known in this AZ "
        "(no running node there, and no subnet of the input has the lab&#39;s planned CIDR)" in page
    )
