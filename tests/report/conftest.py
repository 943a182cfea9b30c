"""Shared pieces of the report tests: the workshop bundle, copies of it with one pod changed."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WORKSHOP = ROOT / "tests" / "fixtures" / "bundles" / "workshop-2048"
HOSTILE_NAME = 'zz"><img id=pwn src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>'
"""A pod name that would inject an element and run script if the page did not escape it (``zz``: it
sorts after web-2, which so holds the shared slot and names it in an attribute)."""


def copy_with_pod(tmp_path: Path, name: str, **changes: object) -> Path:
    """A copy of the workshop bundle where pod ``name`` gets the ``changes`` (``name``/``ip`` keys)."""
    bundle = tmp_path / "bundle"
    shutil.copytree(WORKSHOP, bundle)
    path = bundle / "pods.json"
    document = json.loads(path.read_text())
    for item in document["items"]:
        if item["metadata"]["name"] == name:
            if "new_name" in changes:
                item["metadata"]["name"] = changes["new_name"]
            if "ip" in changes:
                item["status"]["podIP"] = changes["ip"]
                item["status"]["podIPs"] = [{"ip": changes["ip"]}]
    path.write_text(json.dumps(document, indent=4))
    return bundle


HOSTILE_ENI = "eni-0c0000000000000lb"
"""The workshop bundle's load balancer ENI: the hostile bundle describes it ``ELB net/`` + ``HOSTILE_NAME``,
which the IP ledger's block names (an attribute)."""


@pytest.fixture
def hostile_bundle(tmp_path: Path) -> Path:
    """The workshop bundle with web-1 renamed to ``HOSTILE_NAME`` and web-2 on its IP: web-2 holds the
    slot with the name in its failure details (an attribute), the hostile pod is listed as text; the
    load balancer's ENI is described with the same name (the ledger names it)."""
    bundle = copy_with_pod(tmp_path, "web-1", new_name=HOSTILE_NAME)
    path = bundle / "pods.json"
    document = json.loads(path.read_text())
    for item in document["items"]:
        if item["metadata"]["name"] == "web-2":
            item["status"]["podIP"] = "10.11.17.11"
            item["status"]["podIPs"] = [{"ip": "10.11.17.11"}]
    path.write_text(json.dumps(document, indent=4))
    path = bundle / "network-interfaces.json"
    document = json.loads(path.read_text())
    for item in document["NetworkInterfaces"]:
        if item["NetworkInterfaceId"] == HOSTILE_ENI:
            item["Description"] = f"ELB net/{HOSTILE_NAME}"
    path.write_text(json.dumps(document, indent=4))
    return bundle


@pytest.fixture
def failing_bundle(tmp_path: Path) -> Path:
    """The workshop bundle where web-2's IP is a free slot of node A's ENI that ipamd never assigned."""
    return copy_with_pod(tmp_path, "web-2", ip="10.11.17.22")


@pytest.fixture
def every_node_closed(monkeypatch: pytest.MonkeyPatch) -> None:
    """Maps collapse from the first node, problem nodes too: every node is drawn from the page's data."""
    monkeypatch.setattr("ekslab.report.model.OPEN_NODES_UP_TO", 0)
    monkeypatch.setattr("ekslab.report.model.OPEN_PROBLEM_NODES", 0)
