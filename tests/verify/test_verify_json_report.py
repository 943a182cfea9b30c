"""The JSON report's text: one document, a pod and a node to a line, values as the results give them,
and a string msgspec cannot encode (a lone surrogate decoded from ``"\\ud800"``) still written."""

from __future__ import annotations

import io
import json

from ekslab.verify.report import write_json
from ekslab.verify.results import FAIL, PASS, CheckResult, NodeResult, PodResult, Report


def _report(*pods: PodResult) -> Report:
    node = NodeResult("ip-10-0-1-5", "i-0abc", "ec2", checks=[CheckResult("enis", PASS, "2 ENIs")])
    return Report(source="bundle /b", pods=list(pods), nodes=[node], notes=["a note"])


# GIVEN pods, one with non-ASCII and control characters in its details WHEN the report is written
# THEN it is one JSON document whose pods and nodes are their as_json values, one to a line.
def test_json_report_holds_every_pod_as_json_one_to_a_line() -> None:
    pods = [
        PodResult("default", f"web-{index}", "ip-10-0-1-5", f"10.0.1.{index}", PASS, eni="eni-1", device=1)
        for index in range(3)
    ] + [PodResult("default", "odd", "ip-10-0-1-5", "10.0.9.9", FAIL, ("not_in_vpc",), details=("é\x01",))]
    report = _report(*pods)
    out = io.StringIO()

    write_json(report, out)

    document = json.loads(out.getvalue())
    assert document["pods"] == [pod.as_json() for pod in pods]
    assert document["nodes"] == [node.as_json() for node in report.nodes]
    assert (document["summary"], document["exit_code"], document["notes"]) == (
        report.summary(),
        1,
        ["a note"],
    )
    lines = out.getvalue().splitlines()
    assert [line for line in lines if '"name":"web-' in line or '"name":"odd"' in line] == [
        f"  {json.dumps(pod.as_json(), separators=(',', ':'), ensure_ascii=False)}," for pod in pods[:3]
    ] + [f"  {json.dumps(pods[3].as_json(), separators=(',', ':'), ensure_ascii=False)}"]


# GIVEN a pod name with a lone surrogate (JSON "\ud800" decodes to one; UTF-8 cannot hold it)
# WHEN the report is written THEN it is still valid JSON with that name, escaped.
def test_lone_surrogate_in_a_pod_name_is_written_escaped() -> None:
    pod = PodResult("default", "web-\ud800", "ip-10-0-1-5", "10.0.1.7", PASS)
    out = io.StringIO()

    write_json(_report(pod), out)

    assert json.loads(out.getvalue())["pods"][0]["name"] == "web-\ud800"
    assert '"name":"web-\\ud800"' in out.getvalue()
