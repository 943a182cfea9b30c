"""Issue 21 item 11: document data that was dropped or misnamed without a word is now one clear line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ekslab.config.loader import read_config_document
from ekslab.errors import InputError
from ekslab.sources.records import daemonset_env, pod_record, subnet_record, vpc_record
from tests.verify.cluster_docs import daemonset, pod, subnet, vpc

SOURCE = "aws-node-daemonset.json"


@pytest.mark.parametrize(
    ("env", "where", "rule"),
    [
        ({"WARM_IP_TARGET": "5"}, "env", "must be a list of {name, value} entries, got dict"),
        (["WARM_IP_TARGET=5"], "env[0]", "must be an entry with a string name, got 'WARM_IP_TARGET=5'"),
        ([{"name": "WARM_IP_TARGET", "value": 5}], "env[0].value", "must be a string, got 5"),
    ],
)
def test_a_wrong_typed_daemonset_env_is_one_line_not_ignored(env: Any, where: str, rule: str) -> None:
    # GIVEN an aws-node DaemonSet whose container env has the wrong type (it read as "no env": no drift)
    document = daemonset({})
    document["spec"]["template"]["spec"]["containers"][0]["env"] = env
    # WHEN it is read THEN one line naming the field
    with pytest.raises(InputError) as error:
        daemonset_env(document, source=SOURCE)
    assert error.value.message == f"{SOURCE}: spec.template.spec.containers[0].{where}: {rule}"


def test_a_well_typed_env_still_reads_with_value_from_as_none() -> None:
    env = daemonset_env(daemonset({"WARM_IP_TARGET": "5"}), source=SOURCE)["aws-node"]
    assert (env["WARM_IP_TARGET"], env["MY_NODE_NAME"]) == ("5", None)


def test_a_garbage_vpc_cidr_is_refused_not_dropped() -> None:
    item = vpc([("10.0.0.0/16", "associated")])
    item["CidrBlockAssociationSet"].append(
        {"AssociationId": "a", "CidrBlock": "10.999.0.0/16", "CidrBlockState": {"State": "associated"}}
    )
    with pytest.raises(InputError) as error:
        vpc_record(item, position=0, source="vpcs.json: Vpcs")
    assert error.value.message == (
        "vpcs.json: Vpcs[0]: has a CIDR block that is not one (like 10.0.0.0/16), got '10.999.0.0/16'"
    )


def test_a_garbage_subnet_cidr_is_refused_not_dropped() -> None:
    with pytest.raises(InputError) as error:
        subnet_record(subnet("subnet-1", "not-a-cidr"), position=3, source="subnets.json: Subnets")
    assert error.value.message == (
        "subnets.json: Subnets[3]: has a CIDR block that is not one (like 10.0.0.0/16), got 'not-a-cidr'"
    )


def test_a_bad_namespace_is_reported_as_the_namespace() -> None:
    item = pod("web-1", node="n1", ip="10.0.1.5")
    item["metadata"]["namespace"] = ["default"]
    with pytest.raises(InputError) as error:
        pod_record(item, position=4, source="pods.json: items")
    assert error.value.message == "pods.json: items[4].metadata.namespace: must be a string, got ['default']"


# --- YAML 1.1 numbers and merge keys in the lab configuration ----------------------------------------


@pytest.mark.parametrize(
    ("value", "kind", "read_as"),
    [("010", "an octal number", "8"), ("1:30", "a base-60 number", "90"), ("0755", "an octal number", "493")],
)
def test_yaml_1_1_numbers_that_read_as_something_else_are_refused(
    tmp_path: Path, value: str, kind: str, read_as: str
) -> None:
    # GIVEN a configuration value YAML 1.1 reads as another number than it shows
    file = tmp_path / "lab.yaml"
    file.write_text(f"cni:\n  env:\n    WARM_IP_TARGET: {value}\n")
    # WHEN read THEN refused with the line, what it would be read as, and how to write it
    with pytest.raises(InputError) as error:
        read_config_document(file)
    assert error.value.message == (
        f"{file}: line 3: {value} is {kind} in YAML 1.1 (it would read as {read_as}); write the number "
        f"without a leading zero or colon, or quote it ('{value}') for text"
    )


@pytest.mark.parametrize(
    ("text", "value"), [("0", 0), ("10", 10), ("'010'", "010"), ("0.5", 0.5), ("0x10", 16)]
)
def test_ordinary_numbers_and_quoted_text_still_read(tmp_path: Path, text: str, value: Any) -> None:
    file = tmp_path / "lab.yaml"
    file.write_text(f"cni:\n  env:\n    WARM_IP_TARGET: {text}\n")
    assert read_config_document(file) == {"cni": {"env": {"WARM_IP_TARGET": value}}}


def test_yaml_merge_keys_are_read_and_may_be_overridden(tmp_path: Path) -> None:
    file = tmp_path / "lab.yaml"
    file.write_text(
        "x-env: &env\n  WARM_IP_TARGET: '5'\n  MINIMUM_IP_TARGET: '10'\n"
        "cni:\n  env:\n    <<: *env\n    MINIMUM_IP_TARGET: '20'\n"
    )
    assert read_config_document(file)["cni"] == {"env": {"WARM_IP_TARGET": "5", "MINIMUM_IP_TARGET": "20"}}


def test_a_duplicate_key_beside_a_merge_is_still_refused(tmp_path: Path) -> None:
    file = tmp_path / "lab.yaml"
    file.write_text("x: &a\n  k: 1\ny:\n  <<: *a\n  j: 1\n  j: 2\n")
    with pytest.raises(InputError) as error:
        read_config_document(file)
    assert error.value.message == f"{file}: line 6: duplicate key, got 'j'"
