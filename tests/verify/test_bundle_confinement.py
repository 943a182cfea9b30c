"""Issue 21 item 2: paths built from API or document data stay inside the bundle folder.

``collect`` names ipamd folders after nodes and health files after target groups; ``verify
--bundle`` reads them back. A name that is not what its API allows is refused in one line, and a
symlink that leads out of the bundle is never followed.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from ekslab.cli.main import main
from ekslab.errors import InputError
from ekslab.sources.bundle import BundleWriter, read_bundle
from tests.cli_run import run_cli
from tests.sources.fake_kube import serve
from tests.sources.moto_lab import kube_for, live_args, make_lab
from tests.verify.cluster_docs import baseline
from tests.verify.test_verify_targets import TG_NAME, game

NODE_RULE = (
    "must be a Kubernetes node name (a DNS-1123 subdomain: lowercase letters, digits, '-' and '.', "
    "at most 253 characters)"
)


def test_collect_refuses_a_node_name_that_would_write_outside_the_bundle(
    moto_aws: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN an API server that lists a node named ../../x
    lab = make_lab()
    cluster = kube_for(lab)
    (cluster.objects["nodes"] or [])[0]["metadata"]["name"] = "../../x"
    out = tmp_path / "bundle"
    # WHEN collecting
    with serve(cluster, tmp_path) as kubeconfig, pytest.raises(SystemExit) as exited:
        main(["collect", "--out", str(out), *live_args(kubeconfig)])
    # THEN one line naming the field, exit 2, and nothing written anywhere (no bundle, no x/)
    assert (exited.value.code, capsys.readouterr().err, sorted(os.listdir(tmp_path))) == (
        2,
        f"ekslab: error: Kubernetes API node list: metadata.name: {NODE_RULE}, got '../../x'\n",
        ["kubeconfig"],
    )


@pytest.mark.parametrize("name", ["../../x", "a/b", "..", "", "UPPER", "-a", "a" * 254])
def test_bundle_writer_refuses_node_names_that_are_not_dns_1123(tmp_path: Path, name: str) -> None:
    with BundleWriter(tmp_path / "b") as writer, pytest.raises(InputError) as error:
        writer.write_ipamd(name, {"enis": b"{}"})
    assert error.value.message.startswith(f"Kubernetes API node list: metadata.name: {NODE_RULE}, got ")


def test_bundle_writer_refuses_a_target_group_name_with_a_path_in_it(tmp_path: Path) -> None:
    with BundleWriter(tmp_path / "b") as writer, pytest.raises(InputError) as error:
        writer.write_target_health("../../../escape", [])
    assert error.value.message == (
        "AWS DescribeTargetGroups: TargetGroupName: must be a target group name: 1 to 32 letters, digits "
        "or '-', not starting or ending with '-', got '../../../escape'"
    )


def test_verify_refuses_a_target_group_name_that_reads_outside_the_bundle(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN a bundle whose target-groups.json names a group ../../outside, and that file outside it
    docs = game()
    docs.target_groups[0]["TargetGroupName"] = "../../outside"  # type: ignore[index]
    docs.target_health = {}
    bundle = docs.write(tmp_path / "bundle")
    (tmp_path / "outside.json").write_text(json.dumps({"TargetHealthDescriptions": []}))
    # WHEN it is verified
    code, out, err = run_cli(["verify", "--bundle", str(bundle), "-o", "json"], capsys)
    # THEN the name is refused in one line, as the group is read; the outside file is never read
    assert (code, out, err) == (
        2,
        "",
        f"ekslab: error: {bundle}/elbv2/target-groups.json: TargetGroups[0].TargetGroupName: must be a "
        "target group name: 1 to 32 letters, digits or '-', not starting or ending with '-', "
        "got '../../outside'\n",
    )


def test_a_valid_target_group_name_still_reads_its_health_file(tmp_path: Path) -> None:
    snapshot = read_bundle(game().write(tmp_path / "bundle"))
    assert snapshot.targets is not None
    assert [len(items or []) for items in snapshot.targets.target_health.values()] == [2]
    assert TG_NAME


@pytest.mark.parametrize("relative", ["pods.json", "ipamd", "ipamd/NODE", "ipamd/NODE/enis.json"])
def test_a_symlink_out_of_the_bundle_is_refused(tmp_path: Path, relative: str) -> None:
    # GIVEN a bundle where one document (or folder) is a symlink to a copy outside the bundle
    docs = baseline()
    bundle = docs.write(tmp_path / "bundle")
    node = sorted(os.listdir(bundle / "ipamd"))[0]
    inside = bundle / relative.replace("NODE", node)
    outside = tmp_path / "outside"
    os.replace(inside, outside)
    inside.symlink_to(outside)
    # WHEN it is read THEN refused in one line naming the path
    with pytest.raises(InputError) as error:
        read_bundle(bundle)
    assert error.value.message == (
        f"{inside}: leads out of the bundle folder (through a symlink or '..'); a bundle holds its own files"
    )


def test_a_symlink_inside_the_bundle_is_followed(tmp_path: Path) -> None:
    bundle = baseline().write(tmp_path / "bundle")
    os.replace(bundle / "pods.json", bundle / "pods.saved.json")
    (bundle / "pods.json").symlink_to("pods.saved.json")
    assert len(read_bundle(bundle).pods) > 0


def test_a_collected_bundle_folder_has_the_mode_its_files_have(tmp_path: Path) -> None:
    # Issue 21 item 11: the folder was mkdtemp's 0700 while its files were 0644.
    previous = os.umask(0o022)
    try:
        with BundleWriter(tmp_path / "b") as writer:
            writer.write_list("pods.json", "items", [])
            root = writer.commit()
    finally:
        os.umask(previous)
    modes = (stat.S_IMODE(root.stat().st_mode), stat.S_IMODE((root / "pods.json").stat().st_mode))
    assert modes == (0o755, 0o644)


def test_collect_refuses_a_symlink_as_its_folder(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "real")
    with pytest.raises(InputError) as error:
        BundleWriter(tmp_path / "link")
    assert error.value.message == f"{tmp_path / 'link'}: is a symlink; collect into a new or empty folder"


def test_a_node_folder_linked_inside_the_bundle_is_read(tmp_path: Path) -> None:
    # GIVEN a node's ipamd folder that is a symlink to a folder inside the bundle
    bundle = baseline().write(tmp_path / "bundle")
    node = sorted(os.listdir(bundle / "ipamd"))[0]
    os.replace(bundle / "ipamd" / node, bundle / "saved-ipamd")
    (bundle / "ipamd" / node).symlink_to(bundle / "saved-ipamd")
    # WHEN read  THEN its bodies are read as if the folder were there
    assert read_bundle(bundle).ipamd[node].verifiable


def test_a_file_in_a_linked_node_folder_may_not_lead_out(tmp_path: Path) -> None:
    # GIVEN a node folder linked inside the bundle whose enis.json is a symlink out of it
    bundle = baseline().write(tmp_path / "bundle")
    node = sorted(os.listdir(bundle / "ipamd"))[0]
    os.replace(bundle / "ipamd" / node, bundle / "saved-ipamd")
    (bundle / "ipamd" / node).symlink_to(bundle / "saved-ipamd")
    os.replace(bundle / "saved-ipamd" / "enis.json", tmp_path / "outside.json")
    (bundle / "saved-ipamd" / "enis.json").symlink_to(tmp_path / "outside.json")
    # WHEN read  THEN refused, naming the file by its path in the bundle
    with pytest.raises(InputError) as error:
        read_bundle(bundle)
    assert error.value.message == (
        f"{bundle / 'ipamd' / node / 'enis.json'}: leads out of the bundle folder (through a symlink or '..'); "
        "a bundle holds its own files"
    )
