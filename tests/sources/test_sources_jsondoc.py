"""Streaming list documents item by item, and concatenated bodies, with precise errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ekslab.errors import InputError
from ekslab.jsondoc import JsonListReader, parse_documents, read_single_document

EXPECTED = "the output of `kubectl get pods -A -o json`"


def write(tmp_path: Path, text: str, name: str = "pods.json") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def read_all(
    path: Path, *, key: str = "items", chunk: int = 1 << 20
) -> tuple[list[object], dict[str, object]]:
    reader = JsonListReader(path, key, source=path.name, expected=EXPECTED, chunk_chars=chunk)
    items = list(reader)
    return items, reader.header


ITEMS = [
    {"metadata": {"name": f"pod-{index}", "labels": {"n": str(index)}}, "n": index * 1.5}
    for index in range(40)
]


@pytest.mark.parametrize("chunk", [1, 7, 64, 1 << 20])
def test_items_stream_whole_across_any_chunk_boundary(tmp_path: Path, chunk: int) -> None:
    # GIVEN a kubectl-style list, WHEN read with tiny to large buffers, THEN every item comes out equal.
    document = {"apiVersion": "v1", "items": ITEMS, "kind": "List", "metadata": {"resourceVersion": ""}}
    path = write(tmp_path, json.dumps(document, indent=4))
    items, header = read_all(path, chunk=chunk)
    assert (items, header) == (
        ITEMS,
        {"apiVersion": "v1", "kind": "List", "metadata": {"resourceVersion": ""}},
    )


@pytest.mark.parametrize("chunk", [1, 3, 1 << 20])
def test_numbers_at_a_buffer_edge_are_not_cut(tmp_path: Path, chunk: int) -> None:
    path = write(tmp_path, '{"count": 1234567890123, "items": [], "ratio": -0.25e-3}')
    assert read_all(path, chunk=chunk)[1] == {"count": 1234567890123, "ratio": -0.25e-3}


def test_members_may_come_in_any_order(tmp_path: Path) -> None:
    path = write(tmp_path, '{"NextToken": null, "NetworkInterfaces": [{"a": 1}], "Extra": {"b": [2]}}')
    assert read_all(path, key="NetworkInterfaces") == ([{"a": 1}], {"NextToken": None, "Extra": {"b": [2]}})


def test_empty_list(tmp_path: Path) -> None:
    assert read_all(write(tmp_path, '{"items": [ ]}'))[0] == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", f"pods.json: is empty, expected {EXPECTED}"),
        ("  \n ", f"pods.json: is empty, expected {EXPECTED}"),
        ("[1, 2]", f"pods.json line 1 column 1: must be a JSON object, found '['; expected {EXPECTED}"),
        ('{"kind": "List"}', f"pods.json: has no 'items' list, expected {EXPECTED}"),
        ('{"items": {"a": 1}}', f"pods.json line 1 column 11: 'items' must be a list; expected {EXPECTED}"),
        (
            '{"items": [{"a": 1}\n{"b": 2}]}',
            f"pods.json line 2 column 1: expected ',' or ']' after an item of 'items'; expected {EXPECTED}",
        ),
        (
            '{"items": []}{"items": []}',
            f"pods.json line 1 column 14: more than one JSON document in the file; expected {EXPECTED}",
        ),
    ],
)
def test_wrong_documents_are_one_precise_line(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(InputError) as raised:
        read_all(write(tmp_path, text), chunk=5)
    assert raised.value.message == message


@pytest.mark.parametrize("chunk", [4, 1 << 20])
def test_truncated_file_names_line_and_column(tmp_path: Path, chunk: int) -> None:
    # GIVEN a list cut in the middle of its third item (a copy that stopped early)
    text = json.dumps({"items": ITEMS[:5]}, indent=2)
    cut = text.index('"pod-2"') + 3
    path = write(tmp_path, text[:cut])
    # WHEN it is read THEN the error names the file, the position of the broken item and the expectation
    with pytest.raises(InputError) as raised:
        read_all(path, chunk=chunk)
    line = text[:cut].count("\n") + 1
    column = cut - 3 - text.rfind("\n", 0, cut)
    assert raised.value.message == (
        f"pods.json line {line} column {column}: is not valid JSON (Unterminated string; "
        f"the file may be truncated), expected {EXPECTED}"
    )


def test_non_utf8_file_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "pods.json"
    path.write_bytes(b'{"items": ["\xff"]}')
    with pytest.raises(InputError) as raised:
        read_all(path)
    assert raised.value.message == f"pods.json: is not UTF-8 text (byte 12), expected {EXPECTED}"


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError) as raised:
        read_all(tmp_path / "pods.json")
    assert raised.value.message == f"pods.json: no such file, expected {EXPECTED}"


# GIVEN a bundle file the system refuses to open for another reason than "missing" or "a folder"
# (no read permission, as in ekslab.files.read_text; a path through a file; a name too long) WHEN read
# THEN one line naming the file and the system's reason, never a traceback. Root reads any file, so
# the reasons used here are ones root gets too.
@pytest.mark.parametrize(
    ("relative", "reason"),
    [
        ("a-file/pods.json", "Not a directory"),
        ("p" * 300 + ".json", "File name too long"),
    ],
)
def test_file_that_cannot_be_opened_is_one_line(tmp_path: Path, relative: str, reason: str) -> None:
    (tmp_path / "a-file").write_text("{}")
    path = tmp_path / relative
    with pytest.raises(InputError) as raised:
        read_all(path)
    assert raised.value.message == f"{path.name}: cannot be read ({reason}), expected {EXPECTED}"


def test_concatenated_documents_all_come_back() -> None:
    assert parse_documents('{"a": 1}{"b": 2}\n"name"\n', source="x", expected="y") == [
        {"a": 1},
        {"b": 2},
        "name",
    ]


def test_whitespace_only_body_has_no_document() -> None:
    assert parse_documents(" \n\t", source="x", expected="y") == []


def test_bad_body_names_its_source_line_and_column() -> None:
    with pytest.raises(InputError) as raised:
        parse_documents('{"a": 1}\n{"b": ', source="ipamd/n/enis.json", expected="ipamd's /v1/enis body")
    assert raised.value.message == (
        "ipamd/n/enis.json line 2 column 7: is not valid JSON (Expecting value; "
        "the file may be truncated), expected ipamd's /v1/enis body"
    )


def test_single_document_refuses_two(tmp_path: Path) -> None:
    path = write(tmp_path, '{"a": 1} {"a": 2}', "ds.json")
    with pytest.raises(InputError) as raised:
        read_single_document(path, source="ds.json", expected="a DaemonSet")
    assert raised.value.message == "ds.json: holds 2 JSON documents, expected one: a DaemonSet"
