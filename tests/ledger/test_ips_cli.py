"""``ekslab ips`` end to end on bundles: JSON keys, tables, the SVG picture, exit codes, refusals."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.cli_run import run_cli
from tests.ledger.lab_docs import LAB_CONFIG, crowded_lab, one_node_lab, write_reservations

WORKSHOP = Path(__file__).parents[1] / "fixtures" / "bundles" / "workshop-2048"
SVG = "{http://www.w3.org/2000/svg}"
OWNER_KEYS = [
    "node_primary",
    "pod",
    "warm_pool",
    "load_balancer",
    "nat_gateway",
    "eks_control_plane",
    "vpc_endpoint",
    "cidr_reservation",
    "other",
]


def ips_json(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, dict, str]:
    code, out, err = run_cli(["ips", *args, "-o", "json"], capsys)
    return code, json.loads(out) if out else {}, err


def test_json_has_the_keys_the_issue_names_and_counts_add_up(capsys: pytest.CaptureFixture[str]) -> None:
    # GIVEN the workshop bundle
    # WHEN its ledger is printed as JSON
    code, document, err = ips_json(["--bundle", str(WORKSHOP)], capsys)
    # THEN every subnet has the named keys, owners are the nine owners, and the counts add up
    required = {
        "subnet_id",
        "cidr",
        "availability_zone",
        "size",
        "reserved",
        "free",
        "free_28_blocks",
        "largest_free_prefix",
        "owners",
    }
    assert (code, err) == (0, "")
    assert all(required <= set(subnet) for subnet in document["subnets"])
    assert all(list(subnet["owners"]) == OWNER_KEYS for subnet in document["subnets"])
    assert all(
        sum(subnet["owners"].values()) + subnet["free_in_ledger"] + subnet["reserved"] == subnet["size"]
        for subnet in document["subnets"]
    )
    assert {(row["availability_zone"], row["nodes"]) for row in document["forecast"]} == {
        ("ap-northeast-2a", 1),
        ("ap-northeast-2b", 1),
    }


def test_the_table_off_a_terminal_is_plain_text(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(["ips", "--bundle", str(WORKSHOP), "-o", "table"], capsys)
    lines = out.splitlines()
    assert (code, lines[0], lines[1].split()[:4]) == (
        0,
        f"IP ledger of vpc-0123456789abcdef0 (bundle {WORKSHOP})",
        ["SUBNET", "AZ", "CIDR", "ROLE"],
    )
    assert "Forecast (settings from the aws-node DaemonSet)" in lines


def test_the_svg_has_one_grid_of_28_blocks_per_subnet(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN the workshop bundle (three /20 subnets: 256 blocks of /28 each)
    out = tmp_path / "ledger.svg"
    # WHEN the picture is written
    code, stdout, _ = run_cli(["ips", "--bundle", str(WORKSHOP), "-o", "svg", "--out", str(out)], capsys)
    root = ET.parse(out).getroot()
    grids = root.findall(f"{SVG}g")
    # THEN it is SVG with a grid of 256 squares per subnet and a legend naming every owner
    texts = {element.text for element in root.iter(f"{SVG}text")}
    assert (code, stdout.splitlines()[0]) == (0, f"picture of 3 subnets written to {out}")
    assert [len(grid.findall(f"{SVG}rect")) for grid in grids] == [256, 256, 256]
    assert set(OWNER_KEYS) <= texts


def test_names_from_a_bundle_cannot_inject_markup_into_the_svg(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN a subnet whose AZ (any string in a bundle) holds markup
    docs = one_node_lab()
    docs.subnets[1]["AvailabilityZone"] = '<script>alert("x")</script>'
    bundle = docs.write(tmp_path / "bundle")
    out = tmp_path / "ledger.svg"
    # WHEN the picture is written
    _, printed, _ = run_cli(["ips", "--bundle", str(bundle), "-o", "svg", "--out", str(out)], capsys)
    root = ET.parse(out).getroot()
    # THEN the text is text: no script element, the markup shows as written
    assert list(root.iter(f"{SVG}script")) == [] and list(root.iter("script")) == []
    assert printed.splitlines()[0] == f"picture of 2 subnets written to {out}"
    assert any('<script>alert("x")</script>' in (element.text or "") for element in root.iter(f"{SVG}text"))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-o", "svg"], "ekslab: error: ekslab ips: --output svg needs --out FILE (see 'ekslab ips --help')"),
        (
            ["-o", "json", "--out", "x.svg"],
            "ekslab: error: ekslab ips: --out is for --output svg; json and table go to stdout "
            "(see 'ekslab ips --help')",
        ),
    ],
)
def test_output_options_are_checked(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_cli(["ips", "--bundle", str(WORKSHOP), *args], capsys)
    assert (code, out, err.strip()) == (2, "", message)


def test_a_malformed_reservations_file_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN a reservations file whose item lacks its id and type
    bundle = one_node_lab().write(tmp_path / "bundle")
    write_reservations(bundle, "subnet-nodes", [{"Cidr": "10.0.5.0/28"}])
    # WHEN ekslab ips reads it
    code, out, err = run_cli(["ips", "--bundle", str(bundle), "-o", "json"], capsys)
    # THEN one line names the file, the item and what it must hold
    path = bundle / "subnet-cidr-reservations" / "subnet-nodes.json"
    assert (code, out, err) == (
        2,
        "",
        f"ekslab: error: {path}: SubnetIpv4CidrReservations[0]: must be a subnet CIDR reservation with "
        "SubnetCidrReservationId, Cidr and ReservationType, found an object with keys ['Cidr']\n",
    )


def test_a_reservations_file_that_is_not_json_is_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bundle = one_node_lab().write(tmp_path / "bundle")
    write_reservations(bundle, "subnet-nodes", [])
    (bundle / "subnet-cidr-reservations" / "subnet-nodes.json").write_text("{not json")
    code, out, err = run_cli(["ips", "--bundle", str(bundle)], capsys)
    assert (
        code,
        out,
        err.count("\n"),
        err.startswith(f"ekslab: error: {bundle}/subnet-cidr-reservations/subnet-nodes.json"),
    ) == (2, "", 1, True)


def test_a_group_that_cannot_scale_to_its_max_size_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN 19 free addresses where ng-default (max 9 over 3 AZs: 3 in us-west-2a) has 1 node of 10 addresses idle
    bundle, config = crowded_lab(tmp_path)
    # WHEN the ledger is made with the lab's configuration
    code, document, err = ips_json(["--bundle", str(bundle), "--config", str(config)], capsys)
    row = next(item for item in document["forecast"] if item["availability_zone"] == "us-west-2a")
    # THEN the scale-up to 3 nodes cannot get its warm pools (room for 1 more), which is exit 1
    assert (code, err) == (1, "")
    assert (
        row["nodes"],
        row["nodes_at_max"],
        row["more_nodes"],
        row["scale_up_ok"],
        row["runs_out_first"],
    ) == (
        1,
        3,
        1,
        False,
        "subnet-nodes",
    )
    assert row["warnings"] == [
        "subnet subnet-nodes keeps 4% of its usable addresses free, under 20%",
        "scaling ng-default to its max size adds 2 node(s) in us-west-2a, but subnet subnet-nodes has room "
        "for the warm pools of 1",
    ]


def test_plan_vs_reality_matches_planned_subnets_by_cidr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN the one-node lab and the configuration that planned it
    bundle = one_node_lab().write(tmp_path / "bundle")
    config = tmp_path / "lab.yaml"
    config.write_text(LAB_CONFIG)
    # WHEN the ledger is made with --config
    code, document, _ = ips_json(["--bundle", str(bundle), "--config", str(config)], capsys)
    rows = {row["availability_zone"]: row for row in document["plan"]}
    # THEN us-west-2a's planned private subnet is the observed subnet-nodes, the other AZs' are not found
    assert (code, rows["us-west-2a"]["subnet_id"], rows["us-west-2b"]["subnet_id"]) == (
        0,
        "subnet-nodes",
        None,
    )
    assert (
        rows["us-west-2a"]["planned_nodes_at_max"],
        rows["us-west-2a"]["observed_nodes"],
        rows["us-west-2a"]["observed_cni_addresses"],
    ) == (3, 1, 8)
    assert {item["subnet_id"]: item["role"] for item in document["subnets"]} == {
        "subnet-nodes": "private",
        "subnet-public": "public",
    }


def test_the_worked_example_in_docs_is_the_commands_output(capsys: pytest.CaptureFixture[str]) -> None:
    # GIVEN the example block of docs/ips.md, a command line and the output it shows
    text = (Path(__file__).parents[2] / "docs" / "ips.md").read_text()
    block = text.split("<!-- ips-example:", 1)[1].split("```text\n", 1)[1].split("```", 1)[0]
    command, *shown = block.splitlines()
    # WHEN the command runs (from the repository root, as written)
    args = command.removeprefix("$ ekslab ").split()
    args[args.index("--bundle") + 1] = str(WORKSHOP)
    code, out, _ = run_cli(args, capsys)
    # THEN it prints what the page shows, up to the missing/warning lines the page explains in prose
    printed = out.replace(str(WORKSHOP), "tests/fixtures/bundles/workshop-2048").splitlines()
    assert (code, printed[: len(shown)]) == (0, shown)


def test_a_reservation_of_an_unknown_type_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.ledger.lab_docs import reservation

    bundle = one_node_lab().write(tmp_path / "bundle")
    write_reservations(bundle, "subnet-nodes", [reservation("scr-0odd", "10.0.5.0/28", "bogus")])
    code, out, err = run_cli(["ips", "--bundle", str(bundle), "-o", "json"], capsys)
    path = bundle / "subnet-cidr-reservations" / "subnet-nodes.json"
    assert (code, out, err) == (
        2,
        "",
        f"ekslab: error: {path}: SubnetIpv4CidrReservations[0].ReservationType: must be prefix or explicit, "
        "got 'bogus'\n",
    )


def test_a_picture_of_one_subnet_says_subnet(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    docs = one_node_lab()
    docs.subnets = docs.subnets[:1]
    bundle = docs.write(tmp_path / "bundle")
    out = tmp_path / "one.svg"
    code, printed, _ = run_cli(["ips", "--bundle", str(bundle), "-o", "svg", "--out", str(out)], capsys)
    assert (code, printed.splitlines()[0]) == (0, f"picture of 1 subnet written to {out}")
