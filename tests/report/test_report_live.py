"""``ekslab report`` against a live lab (moto's server for EC2/EKS, the loopback Kubernetes API server):
its ledger section counts CIDR reservations, as ``ekslab ips`` does; ``verify --html-file`` makes
verify's calls only and says the reservations are not counted."""

from __future__ import annotations

import re
from pathlib import Path

import boto3
import pytest

from tests.cli_run import run_cli
from tests.sources.fake_kube import serve
from tests.sources.moto_lab import REGION, kube_for, live_args, make_lab

NOT_COUNTED = "CIDR reservations are not counted"


def reserved_squares(page: str) -> int:
    """Squares of the ledger grids owned by a CIDR reservation (the legend's badge is not a square)."""
    return len(re.findall(r'<span class="k-cidr_reservation" title="', page))


def test_live_report_counts_a_reservation_and_verify_html_says_it_does_not(
    moto_aws: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN a live lab with an explicit reservation of one /28 in us-west-2a's subnet
    lab = make_lab()
    boto3.client("ec2", region_name=REGION).create_subnet_cidr_reservation(
        SubnetId=lab.subnets["us-west-2a"], Cidr="10.0.16.0/28", ReservationType="explicit"
    )
    report, verified = tmp_path / "report.html", tmp_path / "verify.html"
    with serve(kube_for(lab), tmp_path) as kubeconfig:
        # WHEN the report is made live, and verify writes its page
        code, _, err = run_cli(["report", *live_args(kubeconfig), "--out", str(report)], capsys)
        run_cli(["verify", *live_args(kubeconfig), "--output", "html", "--html-file", str(verified)], capsys)
    page, verify_page = report.read_text(), verified.read_text()
    # THEN the report shows the reserved /28 and no missing line; verify's page the missing line
    assert (code, err) == (0, "")
    assert (reserved_squares(page), NOT_COUNTED in page) == (1, False)
    assert (reserved_squares(verify_page), NOT_COUNTED in verify_page) == (0, True)
