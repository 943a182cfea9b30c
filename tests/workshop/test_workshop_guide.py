"""docs/workshop.md itself: every step is listed, the page documents its own format, and the whole
page passes offline against a recorded lab (fake kubectl/aws, the real ekslab; see fake_lab.py)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from ekslab.cli.main import main
from ekslab.sandbox.service import DEFAULT_LAB, Sandbox, down, up
from ekslab.workshop import PLACEHOLDERS, Guide, RunOptions, Step, StepResult, read_guide, run_guide
from tests.workshop import fake_lab, stand_ins

DOCS = Path(__file__).resolve().parent.parent.parent / "docs"
GUIDE = DOCS / "workshop.md"
GUIDE_KO = DOCS / "workshop.ko.md"
GUIDES = (GUIDE, GUIDE_KO)
FOLLOW_ON = (
    "4. Prefix delegation",
    "5. Custom networking with the 100.64.0.0/16 pod subnets",
    "6. Security groups for pods",
    "7. Network policy",
)


def shell_fences(text: str) -> list[int]:
    """Line numbers of the page's sh/bash/shell fences, found without the guide parser (outside the
    4-backtick example block of "Writing steps")."""
    lines, inside_example = [], False
    for number, line in enumerate(text.splitlines(), start=1):
        if line.startswith("````"):
            inside_example = not inside_example
        elif not inside_example and re.fullmatch(r"```(sh|bash|shell)\s*", line):
            lines.append(number)
    return lines


def test_dry_run_lists_every_step_of_the_guide(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["workshop", "run", "--dry-run", str(GUIDE)])
    listed = [int(line.split()[1]) for line in capsys.readouterr().out.splitlines()[2:]]
    assert (exited.value.code or 0, listed) == (0, shell_fences(GUIDE.read_text()))


def test_every_step_has_an_output_shape_except_manual_ones() -> None:
    steps = read_guide(GUIDE).steps
    assert [step.number for step in steps if step.shape is None and step.manual is None] == []


def test_follow_on_sections_run_only_on_their_lab_variant() -> None:
    steps = read_guide(GUIDE).steps
    requires = {step.section: step.requires for step in steps if step.section in FOLLOW_ON}
    seed = [step.number for step in steps if step.section not in FOLLOW_ON and step.requires]
    assert (requires, seed) == (
        {
            FOLLOW_ON[0]: ("PREFIX_DELEGATION",),
            FOLLOW_ON[1]: ("CUSTOM_NETWORKING",),
            FOLLOW_ON[2]: ("POD_ENI",),
            FOLLOW_ON[3]: ("NETWORK_POLICY",),
        },
        [],
    )


def step_signature(step: Step) -> tuple[object, ...]:
    """What a step runs and checks: everything but its section and its guide line."""
    shape = tuple(line.text for line in step.shape.lines) if step.shape else None
    return (step.name, step.script, shape, step.exit_code, step.timeout, step.requires, step.manual is None)


def test_the_korean_guide_has_the_same_steps_in_the_same_order() -> None:
    # GIVEN the English and the Korean page WHEN both are parsed THEN their steps are the same, in order
    english, korean = read_guide(GUIDE).steps, read_guide(GUIDE_KO).steps
    assert [step_signature(step) for step in korean] == [step_signature(step) for step in english]


def test_the_korean_guide_uses_the_seeds_terms() -> None:
    text = GUIDE_KO.read_text()
    assert [
        term
        for term in ("탄력적 네트워크 인터페이스", "보조 IP 주소", "웜 풀", "L-IPAM 데몬")
        if term not in text
    ] == []


def test_the_guide_documents_every_placeholder() -> None:
    text = GUIDE.read_text()
    assert [name for name in PLACEHOLDERS if f"| `{{{name}}}` |" not in text] == []


def test_the_seed_commands_are_all_in_the_guide() -> None:
    # /work/shared/seed: the AZ exports, kubectl get pods -A -o wide, and the three introspection paths.
    text = GUIDE.read_text()
    assert [
        command
        for command in (
            "kubectl get pods --all-namespaces -o wide",
            "localhost:61679/v1/networkutils-env-settings",
            "localhost:61679/v1/enis",
            "localhost:61679/v1/pods",
            "ekslab azs",
            "ekslab ipamd env",
            "ekslab ipamd pods",
            "ekslab ipamd enis",
            "ekslab pods",
        )
        if command not in text
    ] == []


@contextmanager
def terminal_on(tmp_path: Path, bundle: Path, *, lab: str) -> Iterator[tuple[dict[str, str], Sandbox]]:
    """The environment of a terminal on a recorded lab served by the sandbox: its ``export`` lines,
    the stand-ins of ``stand_ins.py`` first on PATH (everything else is the real kubectl, aws and
    ekslab), HOME in a temporary folder."""
    sandbox = Sandbox(tmp_path / "sandbox", bundle=bundle, cluster=lab)
    info = sandbox.start()
    try:
        assert sandbox.lab is not None
        # the SSM stand-in maps the sandbox's instance ids to node names
        (bundle.parent / "live-nodes.json").write_text(
            json.dumps({"items": sandbox.lab.documents.objects["nodes"]})
        )
        home = tmp_path / "home"
        home.mkdir()
        real_path = os.pathsep.join([str(Path(sys.executable).parent), os.environ["PATH"]])
        env = {
            **{key: value for key, value in os.environ.items() if not key.startswith(("AWS_", "KUBE"))},
            **info.environment(),
            **stand_ins.install(tmp_path / "bin", real_path),
            "HOME": str(home),
            "FAKE_LAB": str(bundle.parent),
        }
        yield env, sandbox
    finally:
        sandbox.stop()


def problems(results: list[StepResult]) -> list[str]:
    return [
        f"step {result.step.number} ({result.step.title}): {result.message}\n{result.detail or result.stderr}"
        for result in results
        if result.status not in ("passed", "skipped")
    ]


@pytest.mark.parametrize("guide", GUIDES, ids=lambda path: path.name)
def test_the_whole_guide_passes_on_a_lab_with_every_feature(tmp_path: Path, guide: Path) -> None:
    # GIVEN the every-feature lab in the sandbox, the real kubectl/aws/ekslab (stand-ins: stand_ins.py)
    lab = fake_lab.write_lab(tmp_path / "lab", fake_lab.lab_docs(), network_policy=True)
    with terminal_on(tmp_path, lab / "bundle", lab=fake_lab.LAB) as (env, _):
        # WHEN the whole page runs
        parsed = read_guide(guide)
        results = run_guide(parsed, RunOptions(workdir=tmp_path, env=env, default_timeout=120))
    # THEN every step passes; only the manual one is skipped
    assert problems(results) == []
    assert [result.step.number for result in results if result.status == "skipped"] == [
        step.number for step in parsed.steps if step.manual
    ]
    assert (Path(env["HOME"]) / ".bash_profile").read_text().count("export AZ1=us-west-2a") == 1


@pytest.mark.parametrize("guide", GUIDES, ids=lambda path: path.name)
def test_in_the_sandbox_ekslab_workshop_run_passes_with_no_stand_in(tmp_path: Path, guide: Path) -> None:
    # GIVEN `ekslab sandbox up` (the recorded default lab) and a shell with its export lines, the
    # venv's kubectl, aws and ekslab on PATH: no stand-in at all
    state = tmp_path / "state"
    info = up(state)
    home = tmp_path / "home"
    home.mkdir()
    env = {
        **{key: value for key, value in os.environ.items() if not key.startswith(("AWS_", "KUBE"))},
        **info.environment(),
        "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ["PATH"]]),
        "HOME": str(home),
    }
    try:
        # WHEN the page runs through the entry point, as a user runs it
        ran = subprocess.run(
            ["ekslab", "workshop", "run", str(guide), "--verbose", "--junit-file", str(tmp_path / "w.xml")],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=900,
        )
    finally:
        down(state)
    # THEN it passes: the seed's sections run, each follow-on section is skipped with its reason, and
    # --verbose showed the steps' output as they ran
    skipped = sorted(
        {line.strip() for line in ran.stdout.splitlines() if line.strip().startswith("requires ")}
    )
    assert (ran.returncode, ran.stdout.splitlines()[-1].split(": ", 1)[1]) == (
        0,
        "12 passed, 0 failed, 0 errors, 20 skipped; JUnit report: " + str(tmp_path / "w.xml"),
    ), ran.stdout[-4000:]
    assert skipped == [
        "requires CUSTOM_NETWORKING=true (it is 'false')",
        "requires NETWORK_POLICY=true (it is '')",
        "requires POD_ENI=true (it is 'false')",
        "requires PREFIX_DELEGATION=true (it is 'false')",
    ]
    assert "      | 2048-game" in ran.stdout  # kubectl get pods -A -o wide, printed as it ran


def copy_default_lab(tmp_path: Path) -> Path:
    bundle = tmp_path / "lab" / "bundle"
    shutil.copytree(DEFAULT_LAB, bundle)
    return bundle


def test_with_the_api_server_unreachable_the_first_step_that_needs_it_fails(tmp_path: Path) -> None:
    # GIVEN the default lab whose Kubernetes API server has stopped (EKS still names its endpoint)
    with terminal_on(tmp_path, copy_default_lab(tmp_path), lab="ekslab") as (env, sandbox):
        sandbox.stop_kube_api()
        # WHEN the page runs
        results = run_guide(read_guide(GUIDE), RunOptions(workdir=tmp_path, env=env, default_timeout=120))
    # THEN its first step (kubectl get nodes) fails with kubectl's error, and nothing after it runs
    assert (results[0].status, results[0].message, "connection refused" in results[0].stderr) == (
        "failed",
        "exited 1, expected 0",
        True,
    )
    assert {result.status for result in results[1:]} == {"skipped"}


def test_lab_variant_fails_when_kubectl_cannot_reach_the_cluster(tmp_path: Path) -> None:
    # GIVEN only the "lab variant" step, and a kubeconfig whose API server refuses connections
    step = next(step for step in read_guide(GUIDE).steps if step.name == "lab variant")
    with terminal_on(tmp_path, copy_default_lab(tmp_path), lab="ekslab") as (env, sandbox):
        sandbox.stop_kube_api()
        results = run_guide(
            Guide(source="docs/workshop.md", title="lab variant", steps=(step,)),
            RunOptions(workdir=tmp_path, env=env, default_timeout=120),
        )
    # THEN it fails instead of reporting every feature off
    assert (results[0].status, results[0].message, results[0].stdout) == (
        "failed",
        "exited 1, expected 0",
        "",
    )


CONVERGENCE_STEPS = (
    "replacement plan (prefix delegation)",
    "nodes converged (prefix delegation)",
    "replacement plan (custom networking)",
    "nodes converged (custom networking)",
)


def convergence_results(results: list[StepResult]) -> dict[str, tuple[str, str]]:
    return {
        result.step.title: (result.status, result.stdout)
        for result in results
        if result.step.title in CONVERGENCE_STEPS
    }


def test_on_a_lab_whose_nodes_all_started_with_the_settings_they_have_converged(tmp_path: Path) -> None:
    # GIVEN the recorded lab after its nodes were replaced (every node started with the settings)
    lab = fake_lab.write_lab(tmp_path / "lab", fake_lab.lab_docs(), network_policy=True)
    with terminal_on(tmp_path, lab / "bundle", lab=fake_lab.LAB) as (env, _):
        # WHEN the guide runs
        results = convergence_results(
            run_guide(read_guide(GUIDE), RunOptions(workdir=tmp_path, env=env, default_timeout=120))
        )
    # THEN the plans are empty and every node passes the convergence checks
    assert results == {
        CONVERGENCE_STEPS[0]: ("passed", "Replacement plan: no node needs replacing.\n"),
        CONVERGENCE_STEPS[1]: ("passed", "max_pods: 2 pass\nprefix_delegation: 2 pass\n"),
        CONVERGENCE_STEPS[2]: ("passed", "Replacement plan: no node needs replacing.\n"),
        CONVERGENCE_STEPS[3]: ("passed", "max_pods: 2 pass\neni_subnet: 2 pass\n"),
    }


def test_on_a_lab_with_a_node_from_before_the_settings_the_guide_shows_it_failing(tmp_path: Path) -> None:
    # GIVEN the recorded lab while node A still runs as it started, before prefix delegation and
    # custom networking
    lab = fake_lab.write_lab(tmp_path / "lab", fake_lab.old_node_docs(), network_policy=True)
    with terminal_on(tmp_path, lab / "bundle", lab=fake_lab.LAB) as (env, _):
        # WHEN the guide runs (on past failures)
        results = convergence_results(
            run_guide(
                read_guide(GUIDE), RunOptions(workdir=tmp_path, env=env, default_timeout=120, keep_going=True)
            )
        )
    # THEN the plans replace node A, and the converged steps fail on it
    plan = results[CONVERGENCE_STEPS[0]][1].splitlines()
    assert (
        results[CONVERGENCE_STEPS[0]][0],
        f"  # 1. {fake_lab.NODE_A} ({fake_lab.INSTANCE_A}): max_pods, prefix_delegation, eni_subnet" in plan,
        f"  kubectl drain {fake_lab.NODE_A} --ignore-daemonsets --delete-emptydir-data" in plan,
        results[CONVERGENCE_STEPS[2]],
        results[CONVERGENCE_STEPS[1]],
        results[CONVERGENCE_STEPS[3]],
    ) == (
        "passed",
        True,
        True,
        results[CONVERGENCE_STEPS[0]],
        ("failed", "max_pods: 1 pass, 1 fail\nprefix_delegation: 1 pass, 1 fail\n"),
        ("failed", "max_pods: 1 pass, 1 fail\neni_subnet: 1 pass, 1 fail\n"),
    )
