"""``ekslab verify --bundle``: exit codes, output formats, one-line errors for every kind of bad bundle."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from junitparser import JUnitXml

from tests.cli_run import run_cli
from tests.verify.cluster_docs import NODE_B, baseline, daemonset

FIXTURE_BUNDLE = Path(__file__).resolve().parent.parent / "fixtures" / "bundles" / "workshop-2048"


def test_passing_bundle_exits_0_with_the_documented_json_shape(
    bundle: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run_cli(["verify", "--bundle", str(bundle), "--output", "json"], capsys)
    document = json.loads(out)
    assert (
        code,
        document["summary"]["pods"],
        document["summary"]["passed"],
        document["summary"]["failed"],
        document["summary"]["skipped"],
    ) == (0, 7, 4, 0, 3)
    assert set(document["pods"][0]) >= {"namespace", "name", "node", "ip", "result", "reasons", "eni"}


def test_json_says_where_each_pod_ip_comes_from(bundle: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run_cli(["verify", "--bundle", str(bundle), "--output", "json"], capsys)
    pods = {item["name"]: item for item in json.loads(out)["pods"]}
    assert (
        (pods["web-1"]["address_kind"], "prefix" in pods["web-1"]),
        (pods["api-1"]["address_kind"], pods["api-1"]["prefix"]),
        "address_kind" in pods["queued-7f9c"],
    ) == (("secondary IP", False), ("prefix", "10.0.40.16/28"), False)


def test_json_is_the_default_off_a_terminal(bundle: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run_cli(["verify", "--bundle", str(bundle)], capsys)
    assert json.loads(out)["exit_code"] == 0


def test_a_failure_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    docs = baseline()
    docs.find_pod("web-1")["status"]["podIP"] = "172.31.0.9"
    code, out, _ = run_cli(["verify", "--bundle", str(docs.write(tmp_path / "b")), "-o", "json"], capsys)
    assert (code, json.loads(out)["summary"]["failed"]) == (1, 1)


def test_only_an_unverifiable_node_exits_3(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    docs = baseline()
    assert docs.ipamd is not None
    docs.ipamd[NODE_B]["enis"] = ""
    code, _, _ = run_cli(["verify", "--bundle", str(docs.write(tmp_path / "b")), "-o", "json"], capsys)
    assert code == 3


def test_table_output_groups_pods_by_node_with_eni_and_device(
    bundle: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run_cli(["verify", "--bundle", str(bundle), "--output", "table"], capsys)
    lines = out.splitlines()
    node_line = next(index for index, line in enumerate(lines) if line.startswith(NODE_B))
    assert code == 0 and "eni-0b00000000000000b" in "\n".join(lines[node_line : node_line + 6])
    assert lines[-1] == (
        "7 pods: 4 passed, 0 failed, 3 skipped (0 unverified); 2 nodes: 0 failed, 0 unverified (exit 0)"
    )


def test_junit_has_one_case_per_pod_and_per_node_check(
    bundle: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = tmp_path / "verify.xml"
    code, out, _ = run_cli(
        ["verify", "--bundle", str(bundle), "--output", "junit", "--junit-file", str(report)], capsys
    )
    suites = {suite.name: suite for suite in JUnitXml.fromfile(str(report))}
    assert (
        code,
        suites["pods"].tests,
        suites["pods"].skipped,
        suites["nodes"].tests,
        suites["cluster"].tests,
    ) == (0, 7, 3, 16, 2)  # per node: enis, ipamd, drift and the five convergence checks
    assert out.splitlines()[-1].endswith("(exit 0)")


def test_junit_names_unscheduled_pods_and_marks_unverified_checks(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN the baseline (one pod still Pending, unscheduled) with node B's /v1/enis body empty
    docs = baseline()
    assert docs.ipamd is not None
    docs.ipamd[NODE_B]["enis"] = ""
    report = tmp_path / "verify.xml"
    # WHEN verified with a JUnit report
    code, _, _ = run_cli(
        ["verify", "--bundle", str(docs.write(tmp_path / "b")), "-o", "json", "--junit-file", str(report)],
        capsys,
    )
    suites = {suite.name: list(suite) for suite in JUnitXml.fromfile(str(report))}
    queued = next(case for case in suites["pods"] if case.name == "default/queued-7f9c")
    ipamd = next(
        case for case in suites["nodes"] if case.name == "ipamd" and case.classname == f"nodes.{NODE_B}"
    )
    # THEN the pod's class says it has no node, and the unverified check is a skip that says so
    assert (code, queued.classname, ipamd.result[0]._tag, ipamd.result[0].message.split(": ")[:2]) == (
        3,
        "pods.unscheduled",
        "skipped",
        ["unverified", "not verifiable"],
    )


def test_junit_failure_carries_the_reason_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    docs = baseline()
    docs.find_pod("web-1")["status"]["podIP"] = "172.31.0.9"
    report = tmp_path / "verify.xml"
    run_cli(
        ["verify", "--bundle", str(docs.write(tmp_path / "b")), "-o", "json", "--junit-file", str(report)],
        capsys,
    )
    pods = next(suite for suite in JUnitXml.fromfile(str(report)) if suite.name == "pods")
    failed = [case for case in pods if case.result and case.result[0]._tag == "failure"]
    assert [(case.name, case.result[0].message) for case in failed] == [("default/web-1", "not_in_vpc")]


def test_handwritten_workshop_bundle_passes_every_pod_and_fails_node_b_prefix_mode(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # GIVEN the hand-written bundle, whose node B holds a /28 prefix under ENABLE_PREFIX_DELEGATION=false
    # WHEN it is verified
    code, out, _ = run_cli(["verify", "--bundle", str(FIXTURE_BUNDLE), "-o", "json"], capsys)
    document = json.loads(out)
    failed = [
        (node["name"], check["check"])
        for node in document["nodes"]
        for check in node["checks"]
        if check["result"] == "fail"
    ]
    # THEN every pod and the load balancer pass, and only node B's prefix mode fails (exit 1)
    assert (code, document["summary"]["failed"], document["targets"]["backends"][0]["result"], failed) == (
        1,
        0,
        "pass",
        [("ip-10-11-40-10.ap-northeast-2.compute.internal", "prefix_delegation")],
    )


# --- bad input: exit 2, one line, no traceback -----------------------------------------------------


def expected(command: str) -> str:
    return f"the output of `{command}`"


def replace(bundle: Path, name: str, text: str) -> None:
    (bundle / name).write_text(text)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda b: (b / "nodes.json").unlink(),
            "{b}/nodes.json: missing; expected " + expected("kubectl get nodes -o json"),
        ),
        (
            lambda b: replace(b, "pods.json", ""),
            "{b}/pods.json: is empty, expected " + expected("kubectl get pods -A -o json"),
        ),
        (
            lambda b: replace(b, "pods.json", (b / "nodes.json").read_text()),
            "{b}/pods.json: items[0].kind: must be a Pod, got 'Node'",
        ),
        (
            lambda b: replace(b, "pods.json", '{"apiVersion": "v1", "kind": "NodeList", "items": []}'),
            "{b}/pods.json: must be a list of Pod objects ("
            + expected("kubectl get pods -A -o json")
            + "), got 'NodeList'",
        ),
        (
            lambda b: replace(b, "vpcs.json", '{"Vpcs": []}'),
            "{b}/vpcs.json: lists no VPC; expected "
            + expected("aws ec2 describe-vpcs --vpc-ids <cluster VPC> --output json"),
        ),
        (
            lambda b: replace(
                b, "network-interfaces.json", '{"NetworkInterfaces": [], "NextToken": "eyJ2IjoxfQ=="}'
            ),
            "{b}/network-interfaces.json: is one page of a longer list (NextToken is set); "
            "save the whole list with "
            "`aws ec2 describe-network-interfaces --filters Name=vpc-id,Values=<cluster VPC> --output json` "
            "(without --no-paginate)",
        ),
        (
            lambda b: replace(
                b, "nodes.json", '{"kind": "NodeList", "items": [], "metadata": {"continue": "abc"}}'
            ),
            "{b}/nodes.json: is one page of a longer list (metadata.continue is set); "
            "save the whole list with "
            "`kubectl get nodes -o json`",
        ),
        (
            lambda b: replace(b, "subnets.json", '{"Subnets": [{"VpcId": "vpc-1"}]}'),
            "{b}/subnets.json: Subnets[0]: must be a subnet with SubnetId, "
            "found an object with keys ['VpcId']",
        ),
        (
            lambda b: replace(b, "aws-node-daemonset.json", '{"kind": "Deployment"}'),
            "{b}/aws-node-daemonset.json: "
            "must be a DaemonSet (kubectl get ds aws-node -n kube-system -o json)",
        ),
        # A folder where a document belongs is not "missing": say what is there (required or not).
        (
            lambda b: ((b / "nodes.json").unlink(), (b / "nodes.json").mkdir()),
            "{b}/nodes.json: is a directory, expected " + expected("kubectl get nodes -o json"),
        ),
        (
            lambda b: (b / "eniconfigs.json").mkdir(),
            "{b}/eniconfigs.json: is a directory, expected "
            + expected("kubectl get eniconfigs.crd.k8s.amazonaws.com -o json"),
        ),
        (
            lambda b: ((b / "pods.json").unlink(), os.mkfifo(b / "pods.json")),
            "{b}/pods.json: is not a regular file, expected " + expected("kubectl get pods -A -o json"),
        ),
    ],
)
def test_bad_bundle_is_one_line_and_exit_2(
    bundle: Path, capsys: pytest.CaptureFixture[str], change: object, message: str
) -> None:
    change(bundle)  # type: ignore[operator]
    code, out, err = run_cli(["verify", "--bundle", str(bundle), "-o", "json"], capsys)
    assert (code, out, err) == (2, "", f"ekslab: error: {message.format(b=bundle)}\n")


def test_truncated_pods_json_names_line_and_column(bundle: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # GIVEN pods.json cut right after the third pod's '"phase": ' (a copy that stopped early)
    text = (bundle / "pods.json").read_text()
    cut = text.index('"phase": ', text.index('"web-2"')) + len('"phase": ')
    (bundle / "pods.json").write_text(text[:cut])
    line, column = text[:cut].count("\n") + 1, cut - text.rfind("\n", 0, cut)
    # WHEN verified THEN one line names the file, where the JSON stops, and what the file should be
    code, _, err = run_cli(["verify", "--bundle", str(bundle)], capsys)
    assert (code, err) == (
        2,
        f"ekslab: error: {bundle}/pods.json line {line} column {column}: is not valid JSON "
        f"(Expecting value; the file may be truncated), expected "
        f"{expected('kubectl get pods -A -o json')}\n",
    )


def test_unknown_fields_and_missing_optional_fields_are_fine(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    docs = baseline()
    docs.find_pod("web-1")["status"]["futureField"] = {"x": 1}
    del docs.find_pod("web-2")["spec"]["containers"]
    docs.enis[0]["NewEc2Field"] = [1, 2]
    del docs.enis[1]["Groups"]
    code, _, err = run_cli(["verify", "--bundle", str(docs.write(tmp_path / "b")), "-o", "json"], capsys)
    assert (code, err) == (0, "")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["verify", "-o", "junit", "--bundle", "x"],
            "ekslab verify: --output junit needs --junit-file FILE (see 'ekslab verify --help')",
        ),
        (
            ["verify", "--bundle", "{b}", "--cluster", "c"],
            "ekslab verify: give either --bundle or --cluster/--region, "
            "not both (see 'ekslab verify --help')",
        ),
        (["verify"], "--cluster: is required for a live cluster (or --config, or --bundle DIR)"),
        (
            ["verify", "--bundle", "{b}/nope"],
            "{b}/nope: no such folder; expected a bundle folder "
            "(make one with `ekslab collect` or by hand, see docs/verification.md)",
        ),
    ],
)
def test_usage_errors_are_one_line_and_exit_2(
    bundle: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    code, _, err = run_cli([arg.format(b=bundle) for arg in args], capsys)
    assert (code, err) == (2, f"ekslab: error: {message.format(b=bundle)}\n")


def test_real_command_prints_no_traceback_for_a_truncated_bundle(bundle: Path) -> None:
    (bundle / "network-interfaces.json").write_text((bundle / "network-interfaces.json").read_text()[:-40])
    result = subprocess.run(
        [sys.executable, "-m", "ekslab", "verify", "--bundle", str(bundle)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (result.returncode, len(result.stderr.splitlines()), "Traceback" in result.stderr) == (2, 1, False)


def test_problems_only_table_lists_just_the_failing_pod(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    docs = baseline()
    docs.find_pod("web-1")["status"]["podIP"] = "172.31.0.9"
    code, out, _ = run_cli(
        ["verify", "--bundle", str(docs.write(tmp_path / "b")), "-o", "table", "--problems-only"], capsys
    )
    assert (code, "default/web-1" in out, "default/web-2" in out, "default/api-1" in out) == (
        1,
        True,
        False,
        False,
    )


def test_offline_verify_imports_no_aws_or_kubernetes_client(bundle: Path) -> None:
    heavy = {"boto3", "botocore", "kubernetes", "aws_cdk"}
    probe = (
        "import sys\nfrom ekslab.cli.main import main\n"
        f"try:\n    main(['verify', '--bundle', {str(bundle)!r}, '-o', 'json'])\n"
        "except SystemExit:\n    pass\n"
        f"print(sorted({{m.split('.')[0] for m in sys.modules}} & {heavy!r}), file=sys.stderr)"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert result.stderr.strip() == "[]"


def test_table_says_which_wanted_value_is_an_addon_default(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN the default lab (it leaves prefix delegation unset) and a DaemonSet that turned it on
    docs = baseline()
    docs.daemonset = daemonset({"ENABLE_PREFIX_DELEGATION": "true"})
    # WHEN verified with the table output THEN the drift line names the add-on default it missed
    code, out, _ = run_cli(["verify", "--bundle", str(docs.write(tmp_path / "b")), "-o", "table"], capsys)
    lines = out.splitlines()
    drift = lines.index(
        "aws_node_daemonset_drift: fail - 1 of 5 settings differ (0 configured, 5 add-on defaults)"
    )
    assert (code, lines[drift + 1]) == (
        1,
        "  ENABLE_PREFIX_DELEGATION: wanted 'false' (add-on default), running 'true' (daemonset/aws-node)",
    )
