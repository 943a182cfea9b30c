"""docs/workshop.md itself: every step is listed, the page documents its own format, and the whole
page passes offline against a recorded lab (fake kubectl/aws, the real ekslab; see fake_lab.py)."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import boto3
import pytest

from ekslab.cli.main import main
from ekslab.workshop import PLACEHOLDERS, RunOptions, StepResult, read_guide, run_guide
from tests.verify.cluster_docs import ClusterDocs, daemonset
from tests.workshop import fake_lab

GUIDE = Path(__file__).resolve().parent.parent.parent / "docs" / "workshop.md"
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


def recorded_lab(tmp_path: Path, docs: ClusterDocs, *, network_policy: bool) -> dict[str, str]:
    """The environment of a terminal on a recorded lab: fake kubectl/aws first on PATH, the network
    stack's AZ outputs in moto (the ``moto_aws`` fixture must be active), HOME in a temporary folder."""
    template = {
        "Resources": {"Topic": {"Type": "AWS::SNS::Topic"}},
        "Outputs": {f"AZ{index}": {"Value": zone} for index, zone in enumerate(fake_lab.ZONES, start=1)},
    }
    boto3.client("cloudformation", region_name=fake_lab.REGION).create_stack(
        StackName=f"{fake_lab.LAB}-network", TemplateBody=json.dumps(template)
    )
    lab = fake_lab.write_lab(tmp_path / "lab", docs, network_policy=network_policy)
    bin_dir = tmp_path / "bin"
    home = tmp_path / "home"
    home.mkdir()
    return {
        **os.environ,
        **fake_lab.install_commands(bin_dir),
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "HOME": str(home),
        "LAB": fake_lab.LAB,
        "AWS_REGION": fake_lab.REGION,
        "FAKE_LAB": str(lab),
    }


def problems(results: list[StepResult]) -> list[str]:
    return [
        f"step {result.step.number} ({result.step.title}): {result.message}\n{result.detail or result.stderr}"
        for result in results
        if result.status not in ("passed", "skipped")
    ]


def test_the_whole_guide_passes_on_a_lab_with_every_feature(moto_aws: str, tmp_path: Path) -> None:
    env = recorded_lab(tmp_path, fake_lab.lab_docs(), network_policy=True)
    guide = read_guide(GUIDE)
    results = run_guide(guide, RunOptions(workdir=tmp_path, env=env, default_timeout=120))
    assert problems(results) == []
    assert [result.step.number for result in results if result.status == "skipped"] == [
        step.number for step in guide.steps if step.manual
    ]
    assert (Path(env["HOME"]) / ".bash_profile").read_text().count("export AZ1=us-west-2a") == 1


def test_on_the_default_lab_the_follow_on_sections_are_skipped_with_their_reason(
    moto_aws: str, tmp_path: Path
) -> None:
    # The default lab (what lab-e2e.yml deploys): none of the features, no amazon-vpc-cni ConfigMap.
    docs = fake_lab.lab_docs()
    docs.daemonset = daemonset({})
    env = recorded_lab(tmp_path, docs, network_policy=False)
    results = run_guide(read_guide(GUIDE), RunOptions(workdir=tmp_path, env=env, default_timeout=120))
    skipped = {
        result.step.section: result.message
        for result in results
        if result.status == "skipped" and result.step.section in FOLLOW_ON
    }
    assert problems(results) == []
    assert skipped == {
        FOLLOW_ON[0]: "requires PREFIX_DELEGATION=true (it is '')",
        FOLLOW_ON[1]: "requires CUSTOM_NETWORKING=true (it is '')",
        FOLLOW_ON[2]: "requires POD_ENI=true (it is '')",
        FOLLOW_ON[3]: "requires NETWORK_POLICY=true (it is '')",
    }


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


def test_on_a_lab_whose_nodes_all_started_with_the_settings_they_have_converged(
    moto_aws: str, tmp_path: Path
) -> None:
    # GIVEN the recorded lab after its nodes were replaced (every node started with the settings)
    env = recorded_lab(tmp_path, fake_lab.lab_docs(), network_policy=True)
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


def test_on_a_lab_with_a_node_from_before_the_settings_the_guide_shows_it_failing(
    moto_aws: str, tmp_path: Path
) -> None:
    # GIVEN the recorded lab while node A still runs as it started, before prefix delegation and
    # custom networking
    env = recorded_lab(tmp_path, fake_lab.old_node_docs(), network_policy=True)
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
