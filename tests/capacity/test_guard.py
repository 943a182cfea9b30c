"""The synth-time capacity guard: errors for warm pools that do not fit, warnings for near misses.

Numbers: m5.large holds 10 addresses idle and 30 with its 27 pods (default settings); with prefix
delegation 17 idle and 113 at 108 pods (tests/capacity/test_warm_pool_rules.py). A /27 has 27 free
addresses, a /24 251 (AWS reserves 5).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from ekslab.capacity.guard import check_capacity
from ekslab.config.findings import Findings
from ekslab.config.loader import ConfigError, parse_config
from ekslab.lab import check_lab, load_config
from tests.synth import ROOT, synth_lab

EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
SMALL_SUBNETS_ONE_AZ = {
    "network": {"subnets": {"privatePrefixLength": 27}},
    "nodeGroups": [
        {
            "name": "ng-small",
            "instanceTypes": ["m5.large"],
            "minSize": 1,
            "desiredSize": 1,
            "maxSize": 3,
            "availabilityZones": ["ap-northeast-2a"],
        }
    ],
}
FAILING_LINE = (
    "ap-northeast-2a private subnet 10.11.3.0/27: cannot hold the warm pools of 3 nodes at max size: 30 "
    "addresses needed, 27 free, 3 short (change cni.env.WARM_ENI_TARGET / WARM_IP_TARGET + "
    "MINIMUM_IP_TARGET, nodeGroups[0].maxSize or network.subnets.privatePrefixLength)"
)


def _findings(document: dict[str, Any]) -> Findings:
    findings = Findings()
    check_capacity(parse_config(document, source="test"), findings)
    return findings


def _messages(findings: Findings) -> tuple[list[str], list[str]]:
    return [error.message for error in findings.errors], [warning.message for warning in findings.warnings]


def test_lab_whose_warm_pools_do_not_fit_is_refused_with_one_line(tmp_path: Path) -> None:
    # GIVEN three m5.large nodes at max size in one AZ whose private subnet is a /27
    lab = tmp_path / "lab.yaml"
    lab.write_text(yaml.safe_dump(SMALL_SUBNETS_ONE_AZ))
    # WHEN the configuration is loaded (synth, config check and the planner all load it this way)
    with pytest.raises(ConfigError) as caught:
        load_config(lab)
    # THEN it fails with one line naming the AZ, the shortfall and the settings to change
    assert caught.value.message == f"{lab}: {FAILING_LINE}"


@pytest.mark.synth
def test_synth_of_that_lab_fails_before_building_anything(tmp_path: Path) -> None:
    # GIVEN the same lab  WHEN app.py synthesizes it (as `cdk synth -c config=...` runs it)
    lab = tmp_path / "lab.yaml"
    lab.write_text(yaml.safe_dump(SMALL_SUBNETS_ONE_AZ))
    environment = {
        **os.environ,
        "CDK_CONTEXT_JSON": json.dumps({"config": str(lab)}),
        "CDK_OUTDIR": str(tmp_path / "cdk.out"),
    }
    result = subprocess.run(
        [sys.executable, "app.py"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    # THEN synth stops with exit 2 and that one line, and writes no template
    assert (result.returncode, result.stderr) == (2, f"ekslab: error: {lab}: {FAILING_LINE}\n")
    assert list((tmp_path / "cdk.out").glob("*.template.json")) == []


@pytest.mark.synth
def test_building_the_cluster_stack_for_that_lab_fails_with_the_same_line() -> None:
    # GIVEN the same lab, parsed without load_config's check (as a test or another app would build it)
    config = parse_config(SMALL_SUBNETS_ONE_AZ, source="test")
    # WHEN its stacks are built  THEN the cluster stack refuses it with the guard's line
    with pytest.raises(ConfigError) as caught:
        synth_lab(config)
    assert caught.value.message == FAILING_LINE


def test_each_az_short_of_addresses_is_its_own_error() -> None:
    document = {
        **SMALL_SUBNETS_ONE_AZ,
        "nodeGroups": [{"name": "ng", "minSize": 1, "desiredSize": 1, "maxSize": 9}],
    }
    errors, _ = _messages(_findings(document))
    assert [error.split(":")[0] for error in errors] == [
        "ap-northeast-2a private subnet 10.11.3.0/27",
        "ap-northeast-2b private subnet 10.11.3.32/27",
        "ap-northeast-2c private subnet 10.11.3.64/27",
    ]


def test_pod_subnet_shortfall_names_the_pod_subnet_setting() -> None:
    # Custom networking: 2 nodes' warm pools (10 each) live in the pod subnet; a /28 has 11 free.
    document = {
        "network": {"podSubnets": {"enabled": True, "prefixLength": 28}},
        "nodeGroups": [
            {
                "name": "ng",
                "minSize": 1,
                "desiredSize": 1,
                "maxSize": 2,
                "availabilityZones": ["ap-northeast-2a"],
            }
        ],
    }
    assert _messages(_findings(document))[0] == [
        "ap-northeast-2a pod subnet 100.64.0.0/28: cannot hold the warm pools of 2 nodes at max size: 20 "
        "addresses needed, 11 free, 9 short (change cni.env.WARM_ENI_TARGET / WARM_IP_TARGET + "
        "MINIMUM_IP_TARGET, nodeGroups[0].maxSize or network.podSubnets.prefixLength)"
    ]


def test_full_density_shortfall_is_a_warning() -> None:
    # GIVEN two nodes in a /27: 20 idle addresses fit, 60 at full density do not
    document = {
        **SMALL_SUBNETS_ONE_AZ,
        "nodeGroups": [{**SMALL_SUBNETS_ONE_AZ["nodeGroups"][0], "maxSize": 2}],
    }
    assert _messages(_findings(document)) == (
        [],
        [
            "ap-northeast-2a private subnet 10.11.3.0/27: runs out at full pod density: 2 nodes at max size "
            "need 60 addresses, 27 free, 33 short (change cni.env.WARM_ENI_TARGET / WARM_IP_TARGET + "
            "MINIMUM_IP_TARGET, nodeGroups[0].maxSize or network.subnets.privatePrefixLength)"
        ],
    )


def test_under_20_percent_headroom_is_a_warning() -> None:
    # GIVEN seven nodes in one AZ's /24: 210 of 251 addresses at full density, 16% left
    document = {
        "network": {"subnets": {"privatePrefixLength": 24}},
        "nodeGroups": [
            {
                "name": "ng",
                "minSize": 1,
                "desiredSize": 1,
                "maxSize": 7,
                "availabilityZones": ["ap-northeast-2a"],
            }
        ],
    }
    assert _messages(_findings(document)) == (
        [],
        [
            "ap-northeast-2a private subnet 10.11.3.0/24: keeps 16% of its addresses free at full pod "
            "density, under 20%: 7 nodes at max size need 210 of 251 (change cni.env.WARM_ENI_TARGET / "
            "WARM_IP_TARGET + MINIMUM_IP_TARGET, nodeGroups[0].maxSize or "
            "network.subnets.privatePrefixLength)"
        ],
    )


def test_twenty_percent_headroom_is_enough() -> None:
    # Five nodes in a /24: 150 of 251 at full density, 40% left.
    document = {
        "network": {"subnets": {"privatePrefixLength": 24}},
        "nodeGroups": [
            {
                "name": "ng",
                "minSize": 1,
                "desiredSize": 1,
                "maxSize": 5,
                "availabilityZones": ["ap-northeast-2a"],
            }
        ],
    }
    assert _messages(_findings(document)) == ([], [])


def test_fragmented_prefix_blocks_are_a_warning() -> None:
    # GIVEN prefix delegation, two m5.large nodes in one AZ's /24: 16 /28 blocks, 2 hold reserved addresses,
    # 14 prefixes needed at full density while the 2 node IPs may spoil 2 more blocks (12 certain)
    document = {
        "network": {"subnets": {"privatePrefixLength": 24}},
        "cni": {"env": {"ENABLE_PREFIX_DELEGATION": True}},
        "nodeGroups": [
            {
                "name": "ng",
                "minSize": 1,
                "desiredSize": 1,
                "maxSize": 2,
                "availabilityZones": ["ap-northeast-2a"],
            }
        ],
    }
    _, warnings = _messages(_findings(document))
    assert warnings[-1] == (
        "ap-northeast-2a private subnet 10.11.3.0/24: may not have 14 whole /28 blocks for prefixes at full "
        "pod density: only 12 are certain if single addresses fragment it (reserve a prefix range (EC2 "
        "subnet CIDR reservation of type prefix) or change network.subnets.privatePrefixLength)"
    )


def test_prefix_delegation_shortfall_names_the_prefix_setting() -> None:
    # Three prefix-delegation nodes hold 17 addresses each idle: 51 > 27 free in a /27.
    document = {**SMALL_SUBNETS_ONE_AZ, "cni": {"env": {"ENABLE_PREFIX_DELEGATION": True}}}
    errors, _ = _messages(_findings(document))
    assert errors == [
        "ap-northeast-2a private subnet 10.11.3.0/27: cannot hold the warm pools of 3 nodes at max size: 51 "
        "addresses needed, 27 free, 24 short (change cni.env.WARM_PREFIX_TARGET / WARM_IP_TARGET + "
        "MINIMUM_IP_TARGET, nodeGroups[0].maxSize or network.subnets.privatePrefixLength)"
    ]


def test_unknown_instance_type_is_an_error() -> None:
    errors, _ = _messages(_findings({"nodeGroups": [{"name": "ng", "instanceTypes": ["m5.larg"]}]}))
    assert errors == [
        "nodeGroups[0].instanceTypes[0]: must be an EC2 instance type in the ENI limits table (1391 types), "
        "got 'm5.larg' (did you mean 'm5.large', 'm5n.large', 'm5d.large'?)"
    ]


@pytest.mark.parametrize("example", EXAMPLES, ids=[path.name for path in EXAMPLES])
def test_example_labs_pass_the_guard(example: Path) -> None:
    findings = Findings()
    check_capacity(load_config(example, capacity=False), findings)
    assert _messages(findings) == ([], [])


@pytest.mark.parametrize(
    "document",
    [
        {},
        {"cni": {"env": {"ENABLE_PREFIX_DELEGATION": True}}},
        {"network": {"podSubnets": {"enabled": True}}},
        {"cni": {"env": {"ENABLE_PREFIX_DELEGATION": True}}, "network": {"podSubnets": {"enabled": True}}},
    ],
    ids=["default", "prefix delegation on m5.large", "custom networking", "both"],
)
def test_reasonable_variants_of_the_default_lab_pass(document: dict) -> None:
    assert _messages(_findings(document)) == ([], [])


def test_check_lab_runs_the_guard() -> None:
    findings = check_lab(parse_config(SMALL_SUBNETS_ONE_AZ, source="test"))
    assert [error.message for error in findings.errors] == [FAILING_LINE]
