"""`ekslab config show`: every default filled in, plus what the toolkit derives."""

from __future__ import annotations

from ekslab.config import default_config
from ekslab.lab import load_config
from ekslab.lab.effective import effective_document
from tests.synth import ROOT


def test_effective_document_shows_the_pinned_add_on_versions() -> None:
    assert effective_document(default_config())["derived"]["addonVersions"]["vpc-cni"] == "v1.22.4-eksbuild.3"


def test_effective_document_shows_the_max_pods_passed_to_nodes() -> None:
    # m5.large with prefix delegation: 3 x (9 x 16) + 2 = 434, capped at 110 (cni-facts.md §4).
    document = effective_document(load_config(ROOT / "examples" / "prefix-delegation.yaml"))
    assert document["derived"]["nodeMaxPods"] == {"ng-pd": 110}


def test_effective_document_fills_every_default_in_yaml_spelling() -> None:
    document = effective_document(default_config())
    assert document["network"]["vpcCidr"] == "10.11.0.0/16"
    assert document["nodeGroups"][0]["instanceTypes"] == ["m5.large"]
    assert [s["cidr"] for s in document["derived"]["subnets"] if s["tier"] == "private"] == [
        "10.11.16.0/20",
        "10.11.32.0/20",
        "10.11.48.0/20",
    ]
