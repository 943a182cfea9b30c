"""The benchmark's synthetic bundle at a tiny scale: a correctness test, never timed (see benchmarks/)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli_run import run_cli

ROOT = Path(__file__).resolve().parents[2]
GENERATOR = ROOT / "benchmarks" / "verify" / "generate_bundle.py"
LAB = ROOT / "benchmarks" / "verify" / "lab.yaml"


def generate(out: Path, *extra: str) -> dict[str, int]:
    result = subprocess.run(
        [sys.executable, str(GENERATOR), "--out", str(out), "--nodes", "6", *extra],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)


def verify(bundle: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, object]]:
    code, out, _ = run_cli(
        ["verify", "--bundle", str(bundle), "--expect-config", str(LAB), "-o", "json"], capsys
    )
    return code, json.loads(out)


@pytest.mark.parametrize("style", [[], ["--compact"]])
def test_generated_bundle_passes_every_pod(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], style: list[str]
) -> None:
    # GIVEN 6 nodes x 30 pods (2 hostNetwork each, ~1 % finished), 4 ENIs per node, SIP and PD nodes
    counts = generate(tmp_path / "b", *style)
    code, report = verify(tmp_path / "b", capsys)
    summary = report["summary"]
    assert (code, counts["enis"], summary["pods"], summary["failed"], summary["unverified"]) == (
        0,
        24,
        180,
        0,
        0,
    )
    assert summary["passed"] + summary["skipped"] == 180 and summary["skipped"] >= 12


def test_generated_bundle_has_both_ip_modes(tmp_path: Path) -> None:
    generate(tmp_path / "b", "--compact")
    enis = json.loads((tmp_path / "b" / "network-interfaces.json").read_text())["NetworkInterfaces"]
    assert ({bool(eni.get("Ipv4Prefixes")) for eni in enis}, len(enis)) == ({True, False}, 24)


def test_a_broken_pod_in_the_generated_bundle_is_found(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    generate(tmp_path / "b", "--compact")
    pods = tmp_path / "b" / "pods.json"
    document = json.loads(pods.read_text())
    victim = next(
        item
        for item in document["items"]
        if not item["spec"].get("hostNetwork") and item["status"]["phase"] == "Running"
    )
    victim["status"]["podIP"] = "10.7.255.250"  # in the VPC, on no ENI
    pods.write_text(json.dumps(document))
    code, report = verify(tmp_path / "b", capsys)
    failed = [(item["name"], item["reasons"]) for item in report["pods"] if item["result"] == "fail"]
    assert (code, failed) == (1, [(victim["metadata"]["name"], ["not_on_node_eni", "ipamd_mismatch"])])


def test_generated_bundle_carries_the_convergence_inputs_and_every_node_converged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN the generated bundle (prefix delegation on; Nitro nodes in prefix mode, Xen nodes not)
    generate(tmp_path / "b", "--compact")
    # WHEN it is verified with its lab configuration
    code, report = verify(tmp_path / "b", capsys)
    results = {
        (check["check"], check["result"])
        for node in report["nodes"]  # type: ignore[union-attr]
        for check in node["checks"]
        if check["check"] in ("max_pods", "prefix_delegation", "eni_subnet", "trunk_eni", "warm_pool")
    }
    # THEN every convergence check ran (trunk_eni has nothing to check without ENABLE_POD_ENI)
    assert (code, results, sorted(report["summary"]["idle_addresses_by_az"])) == (  # type: ignore[index]
        0,
        {
            ("max_pods", "pass"),
            ("prefix_delegation", "pass"),
            ("eni_subnet", "pass"),
            ("trunk_eni", "skip"),
            ("warm_pool", "pass"),
        },
        ["us-west-2a", "us-west-2b", "us-west-2c"],
    )
