"""Every table as a user meets it: the installed ``ekslab`` on a terminal 80 and 120 columns wide.

A cluster with the names a real lab has (``ip-10-11-55-30.ap-northeast-2.compute.internal``, full
ENI and subnet ids, long pod names) and a failing pod; each test asserts that every IP, ENI id,
result and reason code appears whole (never wrapped or cut), and that the table's lines fit.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.terminal import raw_terminal_output, run_in_terminal
from tests.verify.cluster_docs import NODE_A, NODE_B, ClusterDocs, baseline, pod

LONG_NODE_A = "ip-10-11-55-30.ap-northeast-2.compute.internal"
LONG_NODE_B = "ip-10-11-101-207.ap-northeast-2.compute.internal"
SUBNETS = {"subnet-a": "subnet-0a1b2c3d4e5f60718", "subnet-b": "subnet-0f9e8d7c6b5a40312"}
WIDTHS = (80, 120)
FAILING = "deployment-2048-7df5f9886b-4kq9z"
"""Holds an address outside the VPC: not_in_vpc."""
CONTROLLER = "aws-load-balancer-controller-5f7b8c9d6d-x2x8k"
"""Holds an address of its node's prefix that ipamd does not know: ipamd_mismatch."""


def _real_names(docs: ClusterDocs) -> ClusterDocs:
    docs.pods.append(pod(FAILING, node=NODE_A, ip="172.31.200.17", namespace="2048-game"))
    docs.pods.append(pod(CONTROLLER, node=NODE_B, ip="10.0.40.20", namespace="kube-system"))
    text = json.dumps(docs.__dict__)
    for short, long in ((NODE_A, LONG_NODE_A), (NODE_B, LONG_NODE_B), *SUBNETS.items()):
        text = text.replace(f'"{short}"', f'"{long}"')
    return ClusterDocs(**json.loads(text))


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> tuple[ClusterDocs, Path]:
    docs = _real_names(baseline())
    return docs, docs.write(tmp_path_factory.mktemp("bundle") / "bundle")


def whole(token: str, text: str) -> bool:
    """Whether ``token`` appears in ``text`` with no letter, digit, '-' or '.' glued to either end."""
    return re.search(rf"(?<![\w.-]){re.escape(token)}(?![\w-])", text) is not None


def _ips_and_enis(docs: ClusterDocs) -> list[str]:
    ips = [item["status"]["podIP"] for item in docs.pods if item["status"].get("podIP")]
    enis = [item["NetworkInterfaceId"] for item in docs.enis if item.get("Attachment", {}).get("InstanceId")]
    return sorted(set(ips + enis))


@pytest.mark.parametrize("columns", WIDTHS)
def test_pods_shows_every_name_ip_eni_and_verdict_whole(
    cluster: tuple[ClusterDocs, Path], columns: int
) -> None:
    docs, bundle = cluster
    # WHEN a user lists the pods on a terminal of this width
    code, out = run_in_terminal(["pods", "--bundle", str(bundle)], columns=columns)
    # THEN every pod name, IP and ENI id is whole, the node names are the short form kubectl users
    # know, the failing pod says why, and no line is wider than the terminal
    names = [item["metadata"]["name"] for item in docs.pods]
    missing = [token for token in [*names, *_ips_and_enis(docs), "ip-10-11-55-30"] if not whole(token, out)]
    assert (code, missing) == (0, [])
    assert (whole("fail: not_in_vpc", out), whole("fail: ipamd_mismatch", out)) == (True, True)
    assert [line for line in out.splitlines() if len(line) > columns] == []


def test_pods_on_a_wide_terminal_keeps_the_full_node_names(cluster: tuple[ClusterDocs, Path]) -> None:
    # GIVEN a terminal wide enough for every column  WHEN pods are listed  THEN nothing is shortened
    _, bundle = cluster
    code, out = run_in_terminal(["pods", "--bundle", str(bundle)], columns=260)
    assert (code, whole(LONG_NODE_A, out), "without their domain" in out) == (0, True, False)


@pytest.mark.parametrize("columns", WIDTHS)
def test_verify_shows_each_failing_pods_reason_codes_and_every_id(
    cluster: tuple[ClusterDocs, Path], columns: int
) -> None:
    docs, bundle = cluster
    # WHEN the bundle is verified on a terminal of this width
    code, out = run_in_terminal(["verify", "--bundle", str(bundle), "-o", "table"], columns=columns)
    # THEN the failing pod, its result and both reason codes are whole, and so is every IP and ENI
    failing_line = next(line for line in out.splitlines() if whole(f"2048-game/{FAILING}", line))
    cells = [cell for cell in failing_line.split()[1:] if cell != "-"]  # ENI and DEV, when shown
    assert (code, cells) == (1, ["172.31.200.17", "fail", "not_in_vpc"])
    # the controller's name is too long for its reason on the first line at 80 columns: second line
    controller = out[out.index(f"kube-system/{CONTROLLER}") :]
    assert whole("fail", controller.split("\n")[0]) and whole("ipamd_mismatch", controller)
    missing = [token for token in [*_ips_and_enis(docs), LONG_NODE_A, LONG_NODE_B] if not whole(token, out)]
    assert missing == []


@pytest.mark.parametrize("columns", WIDTHS)
def test_verify_puts_a_failing_pods_details_under_it(cluster: tuple[ClusterDocs, Path], columns: int) -> None:
    _, bundle = cluster
    code, out = run_in_terminal(["verify", "--bundle", str(bundle), "-o", "table"], columns=columns)
    lines = out.splitlines()
    start = next(index for index, line in enumerate(lines) if whole(f"2048-game/{FAILING}", line))
    # THEN the lines under the failing pod (indented) say, whole, what is wrong with its address
    details = []
    for line in lines[start + 1 :]:
        if not line.startswith("    "):
            break
        details.append(line.strip())
    assert (code, details) == (1, ["172.31.200.17 is in none of the VPC CIDR blocks"])


@pytest.mark.parametrize("columns", WIDTHS)
def test_ipamd_enis_shows_every_eni_and_address_whole(
    cluster: tuple[ClusterDocs, Path], columns: int
) -> None:
    _, bundle = cluster
    code, out = run_in_terminal(
        ["ipamd", "enis", "--file", str(bundle / "ipamd" / LONG_NODE_A)], columns=columns
    )
    tokens = [
        "eni-0a00000000000000a",
        "eni-0a00000000000001a",
        "10.0.1.11",
        "10.0.1.13",
        "10.0.1.21",
        "10.0.1.22",
    ]
    assert (code, [token for token in tokens if not whole(token, out)]) == (0, [])
    assert [line for line in out.splitlines() if len(line) > columns] == []


@pytest.mark.parametrize("columns", WIDTHS)
def test_workshop_steps_fit_the_terminal(columns: int) -> None:
    code, out = run_in_terminal(["workshop", "run", "docs/workshop.md", "--dry-run"], columns=columns)
    assert (code, whole("kubectl get pods -o wide", out)) == (0, True)
    assert [line for line in out.splitlines() if len(line) > columns] == []


def test_markup_and_escape_sequences_in_a_pod_name_reach_the_terminal_as_text(tmp_path: Path) -> None:
    # GIVEN a bundle whose pod name carries rich markup, a hyperlink and a raw escape sequence
    docs = baseline()
    hostile = "[bold red]x[/] [link=https://example.invalid]y[/link]\x1b[2J\x1b]8;;https://e.invalid\x07z"
    docs.find_pod("web-1")["metadata"]["name"] = hostile
    bundle = docs.write(tmp_path / "b")
    # WHEN the pods and the verification are shown on a terminal
    for command in (["pods"], ["verify", "-o", "table"]):
        _, master_out = raw_terminal_output([*command, "--bundle", str(bundle)], columns=200)
        # THEN the markup is printed as written, and no escape sequence of the name reaches the terminal
        assert b"[bold red]x[/] [link=https://example.invalid]y[/link]" in master_out
        assert (b"\x1b[2J" in master_out, b"\x1b]8;;https://e.invalid" in master_out) == (False, False)
        assert b"\\x1b[2J\\x1b]8;;https://e.invalid\\x07z" in master_out
