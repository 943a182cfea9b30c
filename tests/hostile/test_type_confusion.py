"""Documents of the wrong shape: one line naming the field, or a report that names the bad value."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.hostile.conftest import assert_one_line_refusal, ekslab

DAEMONSET = "aws-node-daemonset.json"


def _daemonset(bundle: Path) -> dict[str, Any]:
    return json.loads((bundle / DAEMONSET).read_text())


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("oops", "spec: must be an object, got 'oops'"),
        ({"template": []}, "spec.template: must be an object, got a list"),
        (
            {"template": {"spec": {"containers": "x"}}},
            "spec.template.spec.containers: must be a list of named containers",
        ),
        (
            {"template": {"spec": {"containers": [{"name": "aws-node", "env": "x"}]}}},
            "spec.template.spec.containers[0].env: must be a list of {name, value} entries, got str",
        ),
    ],
    ids=["spec-string", "template-list", "containers-string", "env-string"],
)
def test_daemonset_of_the_wrong_shape_is_one_line(bundle: Path, spec: Any, message: str) -> None:
    (bundle / DAEMONSET).write_text(json.dumps({**_daemonset(bundle), "spec": spec}))
    outcome = ekslab("verify", "--bundle", str(bundle), "-o", "json")
    assert_one_line_refusal(outcome, f"ekslab: error: {bundle / DAEMONSET}: {message}")


@pytest.mark.parametrize("ip", ["10.11.17.11\x00", "2600::1\x00"], ids=["ipv4", "ipv6"])
def test_pod_ip_with_a_nul_fails_that_pod_as_not_an_ip(bundle: Path, ip: str) -> None:
    pods = json.loads((bundle / "pods.json").read_text())
    pods["items"][0]["status"]["podIP"] = ip
    (bundle / "pods.json").write_text(json.dumps(pods))
    outcome = ekslab("verify", "--bundle", str(bundle), "-o", "json")
    assert "Traceback" not in outcome.stderr
    assert outcome.code == 1
    (pod,) = [pod for pod in json.loads(outcome.stdout)["pods"] if pod["ip"] == ip]
    assert (pod["result"], pod["details"]) == ("fail", [f"{ip!r} is not an IP address"])


@pytest.mark.parametrize("name", ["a" * 300, "../../etc", "-starts-with-a-hyphen"])
def test_target_group_name_that_could_not_be_a_file_name_is_one_line(bundle: Path, name: str) -> None:
    # GIVEN a target group whose name becomes target-health/<name>.json: too long, a path, or invalid
    path = bundle / "elbv2" / "target-groups.json"
    groups = json.loads(path.read_text())
    groups["TargetGroups"][0]["TargetGroupName"] = name
    path.write_text(json.dumps(groups))
    outcome = ekslab("verify", "--bundle", str(bundle), "-o", "json")
    assert "Traceback" not in outcome.stderr
    assert (outcome.code, len(outcome.lines)) == (2, 1)
    assert outcome.lines[0].startswith(
        f"ekslab: error: {path}: TargetGroups[0].TargetGroupName: must be a target group name: 1 to 32 "
        "letters, digits or '-', not starting or ending with '-', got '"
    )


def test_many_pods_sharing_one_ip_are_judged_in_linear_time(bundle: Path) -> None:
    # GIVEN 20,000 copies of one pod on one line (the subprocess bound catches a quadratic pass)
    pods = json.loads((bundle / "pods.json").read_text())
    item = next(pod for pod in pods["items"] if pod["status"].get("podIP") == "10.11.17.21")
    copies = [{**item, "metadata": {**item["metadata"], "name": f"web-{index}"}} for index in range(20_000)]
    (bundle / "pods.json").write_text(json.dumps({"kind": "PodList", "items": copies}, separators=(",", ":")))
    outcome = ekslab("verify", "--bundle", str(bundle), "-o", "json")
    # THEN every copy fails as a duplicate, each detail naming five others and counting the rest
    assert "Traceback" not in outcome.stderr
    assert outcome.code == 1
    details = {
        tuple(pod["details"]) for pod in json.loads(outcome.stdout)["pods"] if pod["ip"] == "10.11.17.21"
    }
    first = next(
        detail
        for detail in details
        if any(text.startswith("10.11.17.21 is also the IP of default/web-1,") for text in detail)
    )
    assert any(text.endswith(" (and 19,994 more)") for text in first)
