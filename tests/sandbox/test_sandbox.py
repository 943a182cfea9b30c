"""The sandbox as a user meets it: `ekslab sandbox up/down` through the installed entry point, and the
real kubectl and ekslab agreeing on the lab it serves."""

from __future__ import annotations

import filecmp
import json
import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from ekslab.sandbox import ssm_nodes
from ekslab.sandbox.service import DEFAULT_LAB, SandboxInfo

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "bundles" / "workshop-2048"
SHARED = ("NAMESPACE", "NAME", "READY", "STATUS", "RESTARTS", "IP", "NODE")


def run(command: list[str], env: dict[str, str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=300, **kwargs)  # type: ignore[call-overload]


def columns(table: str) -> list[dict[str, str]]:
    """A kubectl-style table as rows of {header: cell}, cut at the header's column starts."""
    lines = table.splitlines()
    header = next(index for index, line in enumerate(lines) if line.startswith("NAMESPACE"))
    starts = [match.start() for match in re.finditer(r"(?<!\S)\S+(?: \S+)*", lines[header])]
    names = [lines[header][start:end].strip() for start, end in zip(starts, [*starts[1:], None], strict=True)]
    rows = []
    for line in lines[header + 1 :]:
        cells = [line[start:end].strip() for start, end in zip(starts, [*starts[1:], None], strict=True)]
        rows.append(dict(zip(names, cells, strict=True)))
    return rows


def test_kubectl_get_pods_wide_and_ekslab_pods_agree_on_every_shared_column(
    sandbox: SandboxInfo, terminal: dict[str, str]
) -> None:
    # GIVEN the sandbox's lab WHEN the seed's kubectl command and ekslab pods list its pods
    kubectl = run(["kubectl", "get", "pods", "--all-namespaces", "-o", "wide"], terminal)
    pods = run(["ekslab", "pods", "--cluster", sandbox.cluster, "--region", sandbox.region], terminal)
    assert (kubectl.returncode, pods.returncode) == (0, 0), kubectl.stderr + pods.stderr

    # THEN they agree on NAMESPACE, NAME, READY, STATUS, RESTARTS, IP and NODE of every pod
    # (an absent IP or node is kubectl's "<none>" and ekslab's "-")
    def shared(rows: list[dict[str, str]]) -> list[tuple[str, ...]]:
        return sorted(
            tuple("" if row[name] in ("<none>", "-") else row[name] for name in SHARED) for row in rows
        )

    by_kubectl, by_ekslab = shared(columns(kubectl.stdout)), shared(columns(pods.stdout))
    assert by_kubectl == by_ekslab
    assert ("2048-game", "2048-deployment-7df5f9886b-4kq9z", "1/1", "Running", "0") in [
        row[:5] for row in by_kubectl
    ]


def test_the_api_server_is_read_only_and_says_so(terminal: dict[str, str]) -> None:
    deleted = run(["kubectl", "delete", "pod", "web-1", "-n", "default"], terminal)
    assert (deleted.returncode, deleted.stderr.strip()) == (
        1,
        "Error from server (MethodNotAllowed): the ekslab sandbox serves a recorded lab read-only",
    )


def test_aws_eks_update_kubeconfig_points_kubectl_at_the_sandbox(
    sandbox: SandboxInfo, terminal: dict[str, str], tmp_path: Path
) -> None:
    # GIVEN an empty kubeconfig WHEN the seed's update-kubeconfig writes the lab's context
    env = {**terminal, "KUBECONFIG": str(tmp_path / "config")}
    updated = run(["aws", "eks", "update-kubeconfig", "--name", sandbox.cluster], env)
    nodes = run(["kubectl", "get", "nodes", "-o", "jsonpath={.items[*].metadata.name}"], env)
    # THEN kubectl reaches the sandbox through it, with an EKS token from `aws eks get-token`
    assert (updated.returncode, nodes.returncode, nodes.stdout) == (
        0,
        0,
        "ip-10-11-17-10.ap-northeast-2.compute.internal ip-10-11-40-10.ap-northeast-2.compute.internal",
    )


def test_the_packaged_lab_is_the_workshop_fixture() -> None:
    compared = filecmp.dircmp(DEFAULT_LAB, FIXTURE, ignore=["README.md", "__pycache__"])

    def differences(report: filecmp.dircmp[str]) -> list[str]:
        found = [*report.left_only, *report.right_only, *report.diff_files]
        for sub in report.subdirs.values():
            found += differences(sub)
        return found

    assert differences(compared) == []


@pytest.mark.parametrize(
    ("commands", "expected"),
    [
        (["curl -s http://localhost:61679/v1/eni-configs"], (0, '"default"', "")),
        (
            ["curl -s http://localhost:61679/v1/nope"],
            (7, "", "curl: (7) Failed to connect to localhost port 61679: Connection refused\n"),
        ),
        (
            ["cat /etc/passwd"],
            (127, "", "ekslab sandbox: a sandbox node only answers ipamd's curls, not: cat /etc/passwd\n"),
        ),
    ],
)
def test_a_sandbox_node_answers_only_ipamds_curl(commands: list[str], expected: tuple[int, str, str]) -> None:
    body = (
        FIXTURE / "ipamd" / "ip-10-11-40-10.ap-northeast-2.compute.internal" / "eni-configs.json"
    ).read_bytes()
    assert ssm_nodes.answer(commands, {"eni-configs": body}.get) == expected


def test_up_prints_the_exports_and_down_stops_it_through_the_entry_point(tmp_path: Path) -> None:
    # GIVEN no sandbox in a private state folder
    state = tmp_path / "state"
    env = {key: value for key, value in os.environ.items() if not key.startswith(("AWS_", "KUBE"))}
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), os.environ["PATH"]])
    # WHEN `ekslab sandbox up` runs
    up = run(["ekslab", "sandbox", "up", "--state-dir", str(state)], env)
    assert up.returncode == 0, up.stderr
    exports = dict(line.removeprefix("export ").split("=", 1) for line in up.stdout.splitlines())
    try:
        # THEN it prints the export lines of a shell on it, serves kubectl, and keeps its state private
        info = json.loads((state / "state.json").read_text())
        nodes = run(["kubectl", "get", "nodes", "-o", "name"], {**env, **exports})
        again = run(["ekslab", "sandbox", "up", "--state-dir", str(state)], env)
        assert (
            sorted(exports),
            exports["KUBECONFIG"],
            exports["AWS_ENDPOINT_URL"].startswith("http://127.0.0.1:"),
            nodes.stdout.count("node/"),
            stat.S_IMODE(state.stat().st_mode),
            stat.S_IMODE((state / "kubeconfig").stat().st_mode),
            stat.S_IMODE((state / "sandbox.key").stat().st_mode),
            again.returncode,
            again.stderr,
        ) == (
            sorted(SandboxInfo(**info).environment()),
            str(state / "kubeconfig"),
            True,
            2,
            0o700,
            0o600,
            0o600,
            2,
            f"ekslab: error: {state}: a sandbox is already running (pid {info['pid']}) "
            "(stop it with `ekslab sandbox down`)\n",
        )
    finally:
        down = run(["ekslab", "sandbox", "down", "--state-dir", str(state)], env)
    # AND `down` stops the process; a second `down` has nothing to stop
    second = run(["ekslab", "sandbox", "down", "--state-dir", str(state)], env)
    assert (down.stdout, second.stdout, (state / "state.json").exists()) == (
        f"ekslab sandbox: stopped (pid {info['pid']})\n",
        "ekslab sandbox: none was running\n",
        False,
    )
    with pytest.raises(ProcessLookupError):
        os.kill(info["pid"], 0)
