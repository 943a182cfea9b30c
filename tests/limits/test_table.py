"""The shipped limits table: its recorded source, parsing, and atomic writes."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from ekslab.errors import InputError
from ekslab.limits import source
from ekslab.limits.table import (
    LIMITS_FILE,
    VCPUS_FILE,
    LimitsTable,
    data_path,
    default_table,
    format_table,
    read_table,
    write_table,
)

REFERENCE = Path("/work/shared/reference/eni-limits.tsv")
HEADER = (
    "instance_type\tenis\tipv4_per_eni\tdefault_network_card_index\tnum_network_cards\tnetwork_cards\t"
    "hypervisor\tis_bare_metal\tis_trunking_compatible\tbranch_interfaces"
)


def test_shipped_table_records_its_source() -> None:
    # The header names the CNI file and commit the numbers come from (cni-facts.md §4).
    assert source()[0] == (
        "# source: github.com/aws/amazon-vpc-cni-k8s pkg/vpc/vpc_ip_resource_limit.go @ "
        "b52188387f2e2f10bf289ace929d6a63b176a4fa (v1.23.1, 2026-08-20)"
    )


@pytest.mark.skipif(not REFERENCE.exists(), reason="shared reference copy not on this machine")
def test_shipped_table_is_the_reference_file_unchanged() -> None:
    assert data_path(LIMITS_FILE).read_bytes() == REFERENCE.read_bytes()


def test_vcpu_counts_record_their_source() -> None:
    first = data_path(VCPUS_FILE).read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith(
        "# source: VCpuInfo.DefaultVCpus of EC2 DescribeInstanceTypes as captured by the moto "
        "project: moto 5.2.5"
    )


def test_table_is_parsed_once_per_process() -> None:
    assert default_table() is default_table()


def test_written_table_reads_back_equal(tmp_path: Path) -> None:
    # GIVEN the shipped table  WHEN it is written and read again
    target = tmp_path / LIMITS_FILE
    write_table(target, default_table())
    again = read_table(target)
    # THEN every type, vCPUs included (now a column of the file), and the source header survive
    assert (again.types, again.source) == (default_table().types, default_table().source)


def test_write_leaves_no_temporary_file(tmp_path: Path) -> None:
    write_table(tmp_path / LIMITS_FILE, default_table())
    assert sorted(path.name for path in tmp_path.iterdir()) == [LIMITS_FILE]


def test_failed_write_keeps_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # GIVEN an existing table  WHEN the rename into place fails
    target = tmp_path / LIMITS_FILE
    target.write_text("old\n")

    def refuse(source: str, destination: str) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(InputError) as refused:
        write_table(target, default_table())
    assert refused.value.message == f"{target}: cannot be written (No space left on device); not changed"
    # THEN the old file is untouched and nothing half-written is left beside it
    assert (target.read_text(), sorted(path.name for path in tmp_path.iterdir())) == ("old\n", [LIMITS_FILE])


def _table(tmp_path: Path, *rows: str) -> Path:
    path = tmp_path / "limits.tsv"
    path.write_text("# source: test\n" + HEADER + "\n" + "".join(row + "\n" for row in rows))
    return path


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (
            "m5.large\tthree\t10\t0\t1\t0:3\tnitro\tfalse\ttrue\t9",
            "limits.tsv:3: enis must be an integer >= 1, got 'three'",
        ),
        (
            "m5.large\t3\t10\t0\t1\t0:3\tnitro\tmaybe\ttrue\t9",
            "limits.tsv:3: is_bare_metal must be true or false, got 'maybe'",
        ),
        (
            "m5.large\t3\t10\t0\t2\t0:3\tnitro\tfalse\ttrue\t9",
            "limits.tsv:3: network_cards: must list num_network_cards cards, got '0:3'",
        ),
        (
            "m5.large\t3\t10\t0\t1\t0:3\tnitro\tfalse\ttrue",
            "limits.tsv:3: must have 10 tab-separated cells, got 9",
        ),
    ],
    ids=["non-integer", "non-boolean", "card count", "short row"],
)
def test_malformed_rows_are_one_line_errors(tmp_path: Path, row: str, message: str) -> None:
    path = _table(tmp_path, row)
    with pytest.raises(InputError) as caught:
        read_table(path)
    assert caught.value.message == f"{tmp_path}/{message}"


def test_duplicate_types_are_refused(tmp_path: Path) -> None:
    row = "m5.large\t3\t10\t0\t1\t0:3\tnitro\tfalse\ttrue\t9"
    with pytest.raises(InputError, match=r"limits.tsv:4: must list each instance type once, got 'm5.large'$"):
        read_table(_table(tmp_path, row, row))


def test_empty_trunking_cells_mean_unknown(tmp_path: Path) -> None:
    # eni-limits.tsv header: "empty = type absent there" (the resource controller's table).
    table = read_table(_table(tmp_path, "bmn-sf1.metal\t15\t50\t0\t1\t0:15\tunknown\ttrue\t\t"))
    limits = table.types["bmn-sf1.metal"]
    assert (limits.is_trunking_compatible, limits.branch_interfaces, limits.vcpus) == (None, None, None)


def test_a_vcpus_column_wins_over_the_vcpu_file(tmp_path: Path) -> None:
    # GIVEN a refreshed table with its own vcpus column and a vCPU file that disagrees
    path = tmp_path / "limits.tsv"
    path.write_text(HEADER + "\tvcpus\nm5.large\t3\t10\t0\t1\t0:3\tnitro\tfalse\ttrue\t9\t2\n")
    vcpus = tmp_path / "vcpus.tsv"
    vcpus.write_text("instance_type\tvcpus\nm5.large\t64\n")
    # THEN the table's own count is used
    assert read_table(path, vcpus_path=vcpus).types["m5.large"].vcpus == 2


def test_format_adds_the_vcpus_column() -> None:
    text = format_table(LimitsTable(source=("# source: test",), types={}))
    assert text == "# source: test\n" + HEADER + "\tvcpus\n"
