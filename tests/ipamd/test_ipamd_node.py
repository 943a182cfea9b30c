"""A node's introspection files as eks-log-collector saves them: empty, concatenated, truncated, legacy."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ekslab.errors import InputError
from ekslab.ipamd import parse_body, parse_node_bodies
from ekslab.sources.ipamd_files import read_node_directory

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "ipamd"


@pytest.fixture
def node_dir(tmp_path: Path) -> Path:
    """A v1.23 node folder with all five files, as the collector writes them."""
    folder = tmp_path / "ipamd" / "ip-192-168-12-34.us-west-2.compute.internal"
    folder.mkdir(parents=True)
    shutil.copy(FIXTURES / "enis-g-v1.23.json", folder / "enis.json")
    shutil.copy(FIXTURES / "pods-v1.7-root.json", folder / "pods.json")
    shutil.copy(FIXTURES / "networkutils-env-settings-v1.23.json", folder / "networkutils-env-settings.json")
    shutil.copy(FIXTURES / "ipamd-env-settings-v1.18.json", folder / "ipamd-env-settings.json")
    shutil.copy(FIXTURES / "eni-configs-v1.8.json", folder / "eni-configs.json")
    return folder


def test_complete_folder_parses_every_endpoint(node_dir: Path) -> None:
    node = read_node_directory(node_dir, source="ipamd/n")
    assert (
        node.verifiable,
        node.enis.format if node.enis else None,
        node.pods,
        node.eni_config and node.eni_config.name,
        node.ipamd_env and node.ipamd_env["WARM_IP_TARGET"],
        node.problems,
    ) == (True, "G", None, "us-west-2a", 5, {})


def test_v1_7_pods_body_is_noted_not_a_problem(node_dir: Path) -> None:
    node = read_node_directory(node_dir, source="ipamd/n")
    assert node.notes == ["ipamd/n/pods.json: not served by this CNI version (v1.7+)"]


def test_empty_enis_makes_the_node_not_verifiable(node_dir: Path) -> None:
    # §3: an empty file means introspection disabled, bound elsewhere, or ipamd down.
    (node_dir / "enis.json").write_text("")
    node = read_node_directory(node_dir, source="ipamd/n")
    assert (node.verifiable, node.problems["enis"]) == (
        False,
        "ipamd/n/enis.json: is empty "
        "(introspection disabled, bound to another address, or ipamd not running)",
    )


# GIVEN an enis.json of a valid shape that lists no ENI at all WHEN the folder is read THEN the node is
# not verifiable: a node always has at least its primary ENI, so "no ENI" is no data, not "no pod IP".
@pytest.mark.parametrize(
    "body",
    [
        '{"0": {"TotalIPs": 0, "AssignedIPs": 0, "ENIs": {}}}',
        '{"TotalIPs": 0, "AssignedIPs": 0, "ENIs": null}',
        '{"TotalIPs": 0, "AssignedIPs": 0, "ENIIPPools": {}}',
    ],
)
def test_enis_body_without_any_eni_makes_the_node_not_verifiable(node_dir: Path, body: str) -> None:
    (node_dir / "enis.json").write_text(body)
    node = read_node_directory(node_dir, source="ipamd/n")
    assert (node.verifiable, node.problems["enis"]) == (
        False,
        "ipamd/n/enis.json: lists no ENI, but a node always has at least its primary ENI "
        "(ipamd may still be starting); the node's pods cannot be cross-checked",
    )


@pytest.mark.parametrize(
    ("file", "body", "problem"),
    [
        (
            "networkutils-env-settings.json",
            (FIXTURES / "enis-g-v1.23.json").read_text(),
            "has none of the settings ipamd reports (e.g. AWS_VPC_K8S_CNI_EXTERNALSNAT, WARM_ENI_TARGET), "
            "so it is no /v1/networkutils-env-settings or /v1/ipamd-env-settings body, got ['0']",
        ),
        (
            "networkutils-env-settings.json",
            (FIXTURES / "ipamd-env-settings-v1.12.json").read_text(),
            "is a /v1/ipamd-env-settings body, expected /v1/networkutils-env-settings, got "
            "['AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG', 'WARM_ENI_TARGET', 'WARM_IP_TARGET']",
        ),
        (
            "ipamd-env-settings.json",
            '{"apiVersion": "v1", "kind": "List", "items": []}',
            "has none of the settings ipamd reports (e.g. AWS_VPC_K8S_CNI_EXTERNALSNAT, WARM_ENI_TARGET), "
            "so it is no /v1/networkutils-env-settings or /v1/ipamd-env-settings body, "
            "got ['apiVersion', 'items', 'kind']",
        ),
    ],
)
def test_settings_file_holding_another_body_is_a_problem_not_settings(
    node_dir: Path, file: str, body: str, problem: str
) -> None:
    (node_dir / file).write_text(body)
    node = read_node_directory(node_dir, source="ipamd/n")
    endpoint = file.removesuffix(".json")
    assert (node.part(endpoint), node.problems[endpoint], node.verifiable) == (
        None,
        f"ipamd/n/{file}: {problem}",
        True,
    )


def test_empty_settings_file_only_loses_that_endpoint(node_dir: Path) -> None:
    (node_dir / "ipamd-env-settings.json").write_text("\n")
    node = read_node_directory(node_dir, source="ipamd/n")
    assert (node.verifiable, node.ipamd_env, sorted(node.problems)) == (True, None, ["ipamd-env-settings"])


def test_truncated_enis_is_reported_with_line_and_column(node_dir: Path) -> None:
    text = (FIXTURES / "enis-g-v1.23.json").read_text()
    (node_dir / "enis.json").write_text(text[:700])
    node = read_node_directory(node_dir, source="ipamd/n")
    assert (
        node.problems["enis"].startswith("ipamd/n/enis.json line ")
        and "may be truncated" in node.problems["enis"]
    )


def test_concatenated_documents_use_the_last_and_say_so(node_dir: Path) -> None:
    shutil.copy(FIXTURES / "enis-concatenated.json", node_dir / "enis.json")
    node = read_node_directory(node_dir, source="ipamd/n")
    assert node.enis is not None and "192.168.45.19" in node.enis.address_index()
    assert "ipamd/n/enis.json: 2 concatenated documents, the last one is used" in node.notes


def test_wrong_document_in_enis_is_a_node_problem(node_dir: Path) -> None:
    shutil.copy(FIXTURES / "pods-v1.7-root.json", node_dir / "enis.json")
    node = read_node_directory(node_dir, source="ipamd/n")
    assert node.problems["enis"] == (
        "ipamd/n/enis.json: is ipamd's list of commands, not ENI data (the request went to an unknown path)"
    )


def test_legacy_txt_names_are_read(node_dir: Path) -> None:
    # §3: up to collector 0.6.1 the bodies went to ipamd/<entry>.txt.
    (node_dir / "enis.json").rename(node_dir / "enis.txt")
    assert read_node_directory(node_dir, source="ipamd/n").verifiable


def test_missing_enis_file_is_a_problem(node_dir: Path) -> None:
    (node_dir / "enis.json").unlink()
    assert read_node_directory(node_dir, source="ipamd/n").problems["enis"] == "ipamd/n/enis.json: missing"


def test_ignore_marker_explains_missing_bodies(tmp_path: Path) -> None:
    # §3: --ignore_introspection=true writes ipam_introspection_ignore.txt instead of the bodies.
    (tmp_path / "ipam_introspection_ignore.txt").write_text("ignored\n")
    assert "skipped by eks-log-collector" in read_node_directory(tmp_path, source="ipamd/n").problems["enis"]


def test_non_utf8_body_is_a_problem() -> None:
    node = parse_node_bodies({"enis": b"\xff\xfe{}"}, source="ipamd/n")
    assert node.problems["enis"] == "ipamd/n/enis.json: is not UTF-8 text (byte 0)"


def test_unknown_files_in_the_folder_are_ignored(node_dir: Path) -> None:
    (node_dir / "metrics.json").write_text("# HELP awscni_eni_allocated ...\nawscni_eni_allocated 2\n")
    (node_dir / "ipam.json").write_text('{"version":"vpc-cni-ipam/1","allocations":[]}')
    assert read_node_directory(node_dir, source="ipamd/n").problems == {}


# --- one body ---------------------------------------------------------------------------------------

PARTS = ("enis", "pods", "networkutils_env", "ipamd_env", "eni_config")


@pytest.mark.parametrize(
    ("endpoint", "fixture", "part"),
    [
        ("enis", "enis-g-v1.23.json", "enis"),
        ("pods", "pods-v1.6.json", "pods"),
        ("networkutils-env-settings", "networkutils-env-settings-v1.23.json", "networkutils_env"),
        ("ipamd-env-settings", "ipamd-env-settings-v1.18.json", "ipamd_env"),
        ("eni-configs", "eni-configs-v1.8.json", "eni_config"),
    ],
)
def test_one_body_sets_only_its_endpoint(endpoint: str, fixture: str, part: str) -> None:
    node = parse_body(endpoint, (FIXTURES / fixture).read_bytes(), source=fixture)
    assert ([name for name in PARTS if getattr(node, name) is not None], node.notes, node.problems) == (
        [part],
        [],
        {},
    )


EMPTY = "is empty (introspection disabled, bound to another address, or ipamd not running)"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", f"saved/enis.json: {EMPTY}"),
        (b"\xff{}", "saved/enis.json: is not UTF-8 text (byte 0)"),
        (
            b'{"TotalIPs": 1}',
            "saved/enis.json: has neither ENIs (CNI v1.7+) nor ENIIPPools (CNI v1.0-v1.6), got ['TotalIPs']",
        ),
    ],
)
def test_unusable_body_raises_naming_the_source(body: bytes, message: str) -> None:
    with pytest.raises(InputError) as raised:
        parse_body("enis", body, source="saved/enis.json")
    assert raised.value.message == message


def test_v1_7_pods_body_reads_as_none_with_a_note() -> None:
    node = parse_body("pods", (FIXTURES / "pods-v1.7-root.json").read_bytes(), source="pods.json")
    assert (node.pods, node.notes) == (None, ["pods.json: not served by this CNI version (v1.7+)"])
