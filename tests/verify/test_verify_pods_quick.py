"""The quick judgement of passing pods (``PodChecks._passed``) gives the results the full checks give.

Each case is a cluster that one change takes off the passing baseline; the pods are checked twice,
once as verification does and once with the quick judgement turned off, and the results must be
the same, pod for pod and field for field.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from ekslab.verify.context import Expectations
from ekslab.verify.pods import PodChecks
from ekslab.verify.results import PodResult
from tests.verify.cluster_docs import (
    NODE_A,
    NODE_B,
    ClusterDocs,
    add_fargate_pod,
    add_ipv6_prefix,
    baseline,
    enis_body,
    pod,
    run,
)
from tests.verify.test_verify_nodes import CUSTOM_NETWORKING, custom_networking
from tests.verify.test_verify_pods import (
    annotation,
    drop_ipamd_ip,
    ipamd_owner,
    move,
    set_ip,
    with_branch_pod,
)


def with_ipamd_of_pod_subnets(web_2_running: bool) -> ClusterDocs:
    """Custom networking (pods in 100.64.0.0/16) with ipamd data, so that its nodes are judged quickly
    too; with ``web_2_running``, web-2 runs on 10.0.1.21, node A's ENI but not its ENIConfig subnet."""
    docs = custom_networking()
    docs.ipamd = {
        NODE_A: {
            "enis": json.dumps(
                enis_body(
                    {
                        "eni-0a0000000000000pa": {
                            "device": 2,
                            "cidrs": {"100.64.0.11/32": {"100.64.0.11": ("default", "web-1")}},
                        },
                        "eni-0a00000000000001a": {
                            "device": 1,
                            "cidrs": {"10.0.1.21/32": {"10.0.1.21": ("default", "web-2")}},
                        },
                    }
                )
            )
        },
        NODE_B: {
            "enis": json.dumps(
                enis_body(
                    {
                        "eni-0b0000000000000pb": {
                            "device": 1,
                            "cidrs": {"100.64.32.16/28": {"100.64.32.17": ("default", "api-1")}},
                        }
                    }
                )
            )
        },
    }
    if web_2_running:
        docs.find_pod("web-2")["status"]["phase"] = "Running"
    return docs


def changed(*changes: Callable[[ClusterDocs], None]) -> ClusterDocs:
    docs = baseline()
    for change in changes:
        change(docs)
    return docs


def on_another_eni_in_ipamd(docs: ClusterDocs) -> None:
    """Node A's ipamd holds web-1's IP on its second ENI; EC2 has it on the first."""
    assert docs.ipamd is not None
    docs.ipamd[NODE_A]["enis"] = json.dumps(
        enis_body(
            {
                "eni-0a00000000000001a": {
                    "device": 1,
                    "cidrs": {
                        "10.0.1.11/32": {"10.0.1.11": ("default", "web-1")},
                        "10.0.1.21/32": {"10.0.1.21": ("default", "web-2")},
                    },
                }
            }
        )
    )


def duplicate(docs: ClusterDocs) -> None:
    docs.pods.append(pod("web-1-copy", node=NODE_A, ip="10.0.1.11"))


def legacy_pods_list(docs: ClusterDocs) -> None:
    """A /v1/pods list (CNI v1.0-v1.6) on node A that gives web-1's IP to another pod."""
    assert docs.ipamd is not None
    docs.ipamd[NODE_A]["pods"] = json.dumps({"other-0_default_abc": {"IP": "10.0.1.11", "DeviceNumber": 0}})


def ipv6_pods(docs: ClusterDocs) -> None:
    """Two pods in node B's /80, which its ipamd data does not list."""
    add_ipv6_prefix(docs)
    docs.pods.append(pod("v6-1", node=NODE_B, ip="2600:1f14:abc:de01:8f00:0:0:1"))
    docs.pods.append(pod("v6-2", node=NODE_B, ip="2600:1f14:abc:de01:9f00::1"))


CASES: dict[str, tuple[ClusterDocs, Expectations | None]] = {
    "baseline": (baseline(), None),
    "not in the VPC": (changed(set_ip("web-1", "172.31.4.4")), None),
    "disassociated block": (changed(set_ip("web-1", "10.99.0.5")), None),
    "not an address": (changed(set_ip("web-1", "10.0.1")), None),
    "on the other node's ENI": (changed(move("web-1", NODE_B)), None),
    "primary IP": (changed(set_ip("web-1", "10.0.1.20")), None),
    "another node's prefix": (changed(set_ip("web-1", "10.0.40.20")), None),
    "unknown node": (changed(move("web-1", "ip-10-0-9-9.us-west-2.compute.internal")), None),
    "held, never handed out": (
        changed(drop_ipamd_ip(NODE_A, "eni-0a00000000000000a", "10.0.1.11/32", "10.0.1.11")),
        None,
    ),
    "released": (
        changed(ipamd_owner(NODE_A, "eni-0a00000000000000a", "10.0.1.11/32", "10.0.1.11", None)),
        None,
    ),
    "assigned to another pod": (
        changed(
            ipamd_owner(NODE_B, "eni-0b00000000000000b", "10.0.40.16/28", "10.0.40.16", ("default", "x"))
        ),
        None,
    ),
    "assigned without a pod name": (
        changed(ipamd_owner(NODE_A, "eni-0a00000000000000a", "10.0.1.11/32", "10.0.1.11", ("", ""))),
        None,
    ),
    "on another ENI in ipamd": (changed(on_another_eni_in_ipamd), None),
    "duplicate IP": (changed(duplicate), None),
    "/v1/pods list": (changed(legacy_pods_list), None),
    "IPv6 prefix": (changed(ipv6_pods), None),
    "Fargate": (changed(add_fargate_pod), None),
    "branch ENI": (with_branch_pod(annotation()), None),
    "branch ENI not holding the IP": (with_branch_pod(annotation(), branch_ip="10.0.1.78"), None),
    "ENIConfig subnets": (with_ipamd_of_pod_subnets(web_2_running=False), CUSTOM_NETWORKING),
    "outside the ENIConfig subnet": (with_ipamd_of_pod_subnets(web_2_running=True), CUSTOM_NETWORKING),
}


def quick_and_full(
    docs: ClusterDocs, expectations: Expectations | None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[list[PodResult], list[PodResult], int]:
    """(results as verification gives them, results of the full checks alone, pods judged quickly)."""
    judged = 0
    passed = PodChecks._passed

    def counted(self: PodChecks, *args: object) -> PodResult | None:
        nonlocal judged
        found = passed(self, *args)  # type: ignore[arg-type]
        judged += found is not None
        return found

    extra = () if expectations is None else (expectations,)
    with monkeypatch.context() as patch:
        patch.setattr(PodChecks, "_passed", counted)
        quick = run(docs, tmp_path / "quick", *extra).pods
    with monkeypatch.context() as patch:
        patch.setattr(PodChecks, "_passed", lambda *_: None)
        full = run(docs, tmp_path / "full", *extra).pods
    return quick, full, judged


@pytest.mark.parametrize("case", CASES)
def test_the_quick_judgement_gives_the_full_checks_results(
    case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    docs, expectations = CASES[case]
    quick, full, _ = quick_and_full(docs, expectations, tmp_path, monkeypatch)
    assert quick == full


@pytest.mark.parametrize(
    ("case", "judged"),
    [
        # web-1, web-2 (node A: secondary IPs) and api-1, api-2 (node B: a /28 prefix)
        ("baseline", 4),
        # every pod of node A goes through the full checks when its ipamd lists pods in /v1/pods
        ("/v1/pods list", 2),
        # web-1 and api-1 in their ENIConfig subnets (web-2 and api-2 have finished)
        ("ENIConfig subnets", 2),
        ("outside the ENIConfig subnet", 2),
        # neither IPv6 pod is in node B's ipamd data
        ("IPv6 prefix", 4),
    ],
)
def test_passing_pods_of_plain_nodes_are_judged_quickly(
    case: str, judged: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    docs, expectations = CASES[case]
    assert quick_and_full(docs, expectations, tmp_path, monkeypatch)[2] == judged
