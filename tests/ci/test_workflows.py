"""The GitHub workflows: the offline gate (zizmor, workflow schema) and the promises the pipeline makes."""

from __future__ import annotations

import http.server
import ipaddress
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from ekslab.config import defaults
from ekslab.config.loader import parse_config
from stacks.ci_access_stack import CI_LAB_NAMES, GITHUB_ENVIRONMENT
from tests.sources.loopback import serving
from tests.synth import ROOT

WORKFLOWS_DIR = ROOT / ".github" / "workflows"
WORKFLOWS = sorted(WORKFLOWS_DIR.glob("*.yml"))
PINNED = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40} # v\d+(\.\d+)*$")
"""`uses: owner/repo@<full commit SHA> # vX.Y.Z`: a tag can be moved, a commit cannot."""


def _load(path: Path) -> dict[Any, Any]:
    return yaml.safe_load(path.read_text())


def _triggers(workflow: dict[Any, Any]) -> dict[str, Any]:
    return workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` key as True


def _check_workflows(directory: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "check_workflows.py"), str(directory)],
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture(scope="module")
def lab_e2e() -> dict[Any, Any]:
    return _load(WORKFLOWS_DIR / "lab-e2e.yml")


def _steps(lab_e2e: dict[Any, Any]) -> list[dict[str, Any]]:
    return lab_e2e["jobs"]["lab"]["steps"]


def _step(lab_e2e: dict[Any, Any], name_part: str) -> dict[str, Any]:
    [step] = [s for s in _steps(lab_e2e) if name_part in s.get("name", "")]
    return step


# --- the offline gate ---------------------------------------------------------------------------------------


def test_the_workflows_pass_zizmor_and_the_workflow_schema() -> None:
    result = _check_workflows(WORKFLOWS_DIR)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("workflow", "tool"),
    [
        # pull_request_target with the PR's title in a shell: template injection (zizmor)
        (
            "on: pull_request_target\npermissions: {}\njobs:\n  x:\n    runs-on: ubuntu-24.04\n    permissions: {}\n"
            '    steps:\n      - run: echo "${{ github.event.pull_request.title }}"\n',
            "zizmor",
        ),
        # a job without runs-on is not a workflow GitHub accepts (schema)
        (
            "on: pull_request\npermissions: {}\njobs:\n  x:\n    permissions: {}\n"
            "    steps:\n      - run: echo hi\n",
            "check-jsonschema",
        ),
    ],
    ids=["template-injection", "missing-runs-on"],
)
def test_the_gate_fails_on_a_bad_workflow(tmp_path: Path, workflow: str, tool: str) -> None:
    # GIVEN a directory with one bad workflow  WHEN checked  THEN the gate fails and names the tool
    (tmp_path / "bad.yml").write_text(workflow)
    result = _check_workflows(tmp_path)
    verdict = result.stderr.strip().splitlines()[-1]
    assert result.returncode == 1
    assert verdict.startswith("lint-workflows: ") and f"{tool} reported findings" in verdict


# --- the promises of the workflow files ---------------------------------------------------------------------


@pytest.mark.parametrize("path", WORKFLOWS, ids=[p.name for p in WORKFLOWS])
def test_every_action_is_pinned_to_a_commit_with_its_version(path: Path) -> None:
    uses = re.findall(r"uses:\s*(.+)$", path.read_text(), flags=re.MULTILINE)
    assert uses and [u for u in uses if not PINNED.match(u.strip())] == []


@pytest.mark.parametrize("path", WORKFLOWS, ids=[p.name for p in WORKFLOWS])
def test_no_default_token_permissions_and_every_job_names_its_own(path: Path) -> None:
    workflow = _load(path)
    assert workflow["permissions"] == {}
    assert all("permissions" in job for job in workflow["jobs"].values())


@pytest.mark.parametrize("path", WORKFLOWS, ids=[p.name for p in WORKFLOWS])
def test_checkout_keeps_no_credentials(path: Path) -> None:
    checkouts = [
        step
        for job in _load(path)["jobs"].values()
        for step in job["steps"]
        if step.get("uses", "").startswith("actions/checkout@")
    ]
    assert checkouts and all(step["with"]["persist-credentials"] is False for step in checkouts)


def test_pull_requests_run_the_offline_test_suite_without_cloud_access() -> None:
    ci = _load(WORKFLOWS_DIR / "ci.yml")
    [job] = ci["jobs"].values()
    assert list(_triggers(ci)) == ["pull_request"]
    assert job["permissions"] == {"contents": "read"}
    assert [step["run"] for step in job["steps"] if "run" in step] == ["make test"]


def test_lab_e2e_runs_on_dispatch_and_weekly(lab_e2e: dict[Any, Any]) -> None:
    triggers = _triggers(lab_e2e)
    assert set(triggers) == {"workflow_dispatch", "schedule"} and len(triggers["schedule"]) == 1


def test_lab_e2e_job_runs_in_the_environment_the_ci_role_trusts(lab_e2e: dict[Any, Any]) -> None:
    # The role's trust policy accepts only `...:environment:<GITHUB_ENVIRONMENT>` subjects.
    job = lab_e2e["jobs"]["lab"]
    assert job["environment"] == GITHUB_ENVIRONMENT
    assert job["permissions"] == {"contents": "read", "id-token": "write"}


def test_lab_e2e_lab_name_is_unique_per_run_and_attempt(lab_e2e: dict[Any, Any]) -> None:
    assert lab_e2e["jobs"]["lab"]["env"]["LAB"] == "ci-${{ github.run_id }}-${{ github.run_attempt }}"


def test_lab_e2e_lab_names_are_the_ones_the_ci_role_may_run_introspection_on(lab_e2e: dict[Any, Any]) -> None:
    # The role's SendCommand is conditioned on ekslab:lab matching CI_LAB_NAMES (a prefix and *).
    prefix = CI_LAB_NAMES.removesuffix("*")
    assert "*" not in prefix and lab_e2e["jobs"]["lab"]["env"]["LAB"].startswith(prefix)


def test_lab_e2e_waits_for_the_targets_of_the_deployed_game_namespace(lab_e2e: dict[Any, Any]) -> None:
    manifest = yaml.safe_load((ROOT / "manifests" / "2048" / "00-namespace.yaml").read_text())
    watched = lab_e2e["jobs"]["lab"]["env"]["GAME_NAMESPACE"]
    assert watched == defaults.GAME_NAMESPACE == manifest["metadata"]["name"]


def test_lab_e2e_steps_run_in_pipeline_order(lab_e2e: dict[Any, Any]) -> None:
    runs = [step.get("run", "") for step in _steps(lab_e2e)]
    order = [
        "ekslab preflight",
        "make deploy",
        "aws elbv2 wait target-in-service",
        "ekslab verify",
        "ekslab workshop run",
        "make destroy",
        "ekslab teardown-check",
    ]
    positions = [next(i for i, run in enumerate(runs) if command in run) for command in order]
    assert positions == sorted(positions)


@pytest.mark.parametrize("name_part", ["Assume the CI role again", "Destroy the lab", "Check that nothing"])
def test_lab_e2e_tears_down_whatever_happened_once_a_deploy_started(
    lab_e2e: dict[Any, Any],
    name_part: str,
) -> None:
    # always() also covers failures and cancellation; a skipped deploy created nothing to destroy.
    assert _step(lab_e2e, name_part)["if"] == "${{ always() && steps.deploy.outcome != 'skipped' }}"


# --- the lab configuration step: the API endpoint admits the runner only --------------------------------------


def _checkip(answer: bytes) -> type[http.server.BaseHTTPRequestHandler]:
    """A checkip.amazonaws.com stand-in on loopback that answers ``answer``."""

    class CheckIp(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args: object) -> None:
            pass

    return CheckIp


def _write_lab_configuration(
    lab_e2e: dict[Any, Any], tmp_path: Path, answer: bytes
) -> subprocess.CompletedProcess[str]:
    """Run the step's script as the runner would (bash -e), with checkip served from loopback."""
    step = _step(lab_e2e, "Write the lab configuration")
    with serving(_checkip(answer)) as url:
        environment = {
            "PATH": os.environ["PATH"],
            "HOME": str(tmp_path),
            "CHECKIP_URL": url,
            "CI_ROLE_ARN": "arn:aws:iam::123456789012:role/ci",
            "LAB": "ci-7-1",
            "AWS_REGION": "ap-northeast-2",
            "REPORTS": str(tmp_path / "reports"),
            "RUNNER_TEMP": str(tmp_path),
        }
        return subprocess.run(
            ["bash", "--noprofile", "--norc", "-e", "-c", step["run"]],
            capture_output=True,
            text=True,
            cwd=ROOT,
            env=environment,
            check=False,
        )


def test_lab_e2e_asks_checkip_for_the_runners_address(lab_e2e: dict[Any, Any]) -> None:
    assert _step(lab_e2e, "Write the lab configuration")["env"] == {
        "CHECKIP_URL": "https://checkip.amazonaws.com"
    }


def test_lab_e2e_opens_the_public_endpoint_to_the_runners_address_only(
    lab_e2e: dict[Any, Any], tmp_path: Path
) -> None:
    # GIVEN checkip answers the runner's address  WHEN the configuration step runs
    result = _write_lab_configuration(lab_e2e, tmp_path, b"203.0.113.7\n")
    # THEN the lab admits that one address to its public endpoint, and nothing else changed
    assert result.returncode == 0, result.stdout + result.stderr
    config = parse_config(yaml.safe_load((tmp_path / "lab.yaml").read_text()))
    assert config.cluster.public_access_cidrs == [ipaddress.IPv4Network("203.0.113.7/32")]
    assert (config.lab.name, config.region) == ("ci-7-1", "ap-northeast-2")


@pytest.mark.parametrize(
    "answer",
    [b"<html>rate limited</html>", b"203.0.113.7]}, {x: y", b"2001:db8::7", b"203.0.113.256", b""],
    ids=["html", "yaml-injection", "ipv6", "out-of-range", "empty"],
)
def test_lab_e2e_refuses_an_answer_that_is_not_an_ipv4_address(
    lab_e2e: dict[Any, Any], tmp_path: Path, answer: bytes
) -> None:
    # GIVEN checkip answers something else  WHEN the step runs  THEN it fails before writing a configuration
    result = _write_lab_configuration(lab_e2e, tmp_path, answer)
    assert result.returncode == 1
    assert result.stdout.strip().endswith("did not answer with an IPv4 address")
    assert not (tmp_path / "lab.yaml").exists()


def test_lab_e2e_publishes_both_junit_reports(lab_e2e: dict[Any, Any]) -> None:
    verify = _step(lab_e2e, "ekslab verify")["run"]
    workshop = _step(lab_e2e, "exercises")["run"]
    assert '--output junit --junit-file "$REPORTS/verify.xml"' in verify
    assert '--junit-file "$REPORTS/workshop.xml"' in workshop
    upload, summary = _step(lab_e2e, "Upload the JUnit"), _step(lab_e2e, "Summarize the JUnit")
    assert upload["if"] == summary["if"] == "${{ always() }}"
    assert upload["with"]["path"] == "${{ env.REPORTS }}/"
    assert summary["with"]["report_paths"] == "${{ env.REPORTS }}/*.xml"


def test_lab_e2e_publishes_the_html_report_beside_the_junit_files(lab_e2e: dict[Any, Any]) -> None:
    # The verify run writes the page into the folder the artifact step uploads, whatever the outcome.
    verify = _step(lab_e2e, "ekslab verify")["run"]
    upload = _step(lab_e2e, "Upload the JUnit")
    assert '--html-file "$REPORTS/report.html"' in verify
    assert upload["name"] == "Upload the JUnit reports and the HTML report"
    assert upload["with"]["path"] == "${{ env.REPORTS }}/"


def test_no_expression_is_expanded_inside_a_shell_script(lab_e2e: dict[Any, Any]) -> None:
    # Inputs reach scripts through env: a `${{ }}` inside `run:` would be pasted into the shell.
    scripts = [
        step["run"]
        for path in WORKFLOWS
        for job in _load(path)["jobs"].values()
        for step in job["steps"]
        if "run" in step
    ]
    assert scripts and [script for script in scripts if "${{" in script] == []


def test_lab_e2e_runs_preflight_once_before_the_deploy(lab_e2e: dict[Any, Any]) -> None:
    # The preflight step reports to JUnit; make deploy then skips its own preflight run.
    preflight = _step(lab_e2e, "Preflight")["run"]
    assert '--junit-file "$REPORTS/preflight.xml"' in preflight and '--lab "$LAB"' in preflight
    assert "PREFLIGHT=skip" in _step(lab_e2e, "Deploy the lab")["run"]
