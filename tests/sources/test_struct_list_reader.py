"""Pod lists decoded by msgspec into the record's fields read exactly like a full decode: the same
records, the same headers, the same one-line errors, whatever the layout or the buffer size."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ekslab.errors import InputError
from ekslab.jsondoc import JsonListReader, StructListReader
from ekslab.sources.pod_fields import PodColumnFields, PodFields
from ekslab.sources.records import pod_record

EXPECTED = "the output of `kubectl get pods -A -o json`"
FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "bundles" / "workshop-2048" / "pods.json"


def pod(index: int) -> dict[str, Any]:
    """A pod with the fields the record reads and the bulk it does not (ownerReferences whose first
    key is the items' own first key, so that compact layouts find false separators inside items)."""
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": f"game-{index}",
            "namespace": "2048-game" if index % 3 else "kube-system",
            "labels": {"app": "2048", "n": str(index)},
            "annotations": {"vpc.amazonaws.com/pod-eni": '[{"eniId": "eni-1", "privateIp": "10.0.0.9"}]'}
            if index % 7 == 0
            else {"note": 'x}, {"apiVersion": y'},
            "creationTimestamp": "2026-12-01T10:00:00Z",
            "ownerReferences": [
                {"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "a"},
                {"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "b"},
            ],
        },
        "spec": {
            "nodeName": f"ip-10-0-{index % 5}-1.ap-northeast-2.compute.internal",
            "hostNetwork": index % 11 == 0,
            "containers": [{"name": "app", "image": "x"}, {"name": "side"}],
            "initContainers": [{"name": "init", "restartPolicy": "Always"}] if index % 4 == 0 else [],
        },
        "status": {
            "phase": "Succeeded" if index % 13 == 0 else "Running",
            "podIP": f"10.0.{index // 250}.{index % 250}",
            "conditions": [{"type": "Ready", "status": "True"}],
            "containerStatuses": [
                {"name": "app", "ready": True, "restartCount": index % 3, "state": {"running": {}}},
                {"name": "side", "ready": False, "restartCount": 1, "state": {"waiting": {}}},
            ],
        },
    }


def document(items: list[Any], *, indent: int | None) -> str:
    return json.dumps({"apiVersion": "v1", "items": items, "kind": "List", "metadata": {}}, indent=indent)


def records(reader: JsonListReader, *, columns: bool = True) -> tuple[list[Any], dict[str, Any]]:
    found = [
        pod_record(
            item,
            position=position,
            source="pods.json: items",
            label_namespaces=frozenset({"2048-game"}),
            columns=columns,
        )
        for position, item in enumerate(reader)
    ]
    return found, reader.header


def both(path: Path, *, chunk: int = 1 << 20, columns: bool = True) -> tuple[Any, Any]:
    """The records of a full decode and of the Structs: ``PodColumnFields`` with the columns,
    ``PodFields`` (the checks' Structs) without."""
    options = {"source": "pods.json", "expected": EXPECTED, "chunk_chars": chunk}
    fields = PodColumnFields if columns else PodFields
    return (
        records(JsonListReader(path, "items", **options), columns=columns),
        records(StructListReader(path, "items", fields, **options), columns=columns),
    )


@pytest.mark.parametrize("columns", [True, False])
@pytest.mark.parametrize("indent", [None, 2, 4])
@pytest.mark.parametrize("chunk", [64, 4096, 1 << 20])
def test_the_records_and_header_equal_a_full_decode(
    tmp_path: Path, indent: int | None, chunk: int, columns: bool
) -> None:
    # GIVEN 300 pods in kubectl's indented layout or compact, read with small and large buffers
    path = tmp_path / "pods.json"
    path.write_text(document([pod(index) for index in range(300)], indent=indent))
    # WHEN read in full and through the Structs, with the columns or without
    full, fast = both(path, chunk=chunk, columns=columns)
    # THEN the records and the header are the same; the columns are there exactly when asked for
    assert fast == full
    assert len(fast[0]) == 300
    assert {(pod.containers, pod.restarts is None, pod.created is None) for pod in fast[0]} == (
        {(2, False, False), (3, False, False)} if columns else {(None, True, True)}
    )


@pytest.mark.parametrize("columns", [True, False])
def test_the_recorded_lab_reads_the_same(columns: bool) -> None:
    # GIVEN the workshop bundle's pods.json, as kubectl wrote it  THEN both readers agree
    full, fast = both(FIXTURE, columns=columns)
    assert fast == full and fast[0]


@pytest.mark.parametrize("items", [[], [pod(1)], [pod(1), pod(2)]])
def test_short_lists_read_the_same(tmp_path: Path, items: list[Any]) -> None:
    path = tmp_path / "pods.json"
    path.write_text(document(items, indent=4))
    full, fast = both(path)
    assert fast == full


def refusals(path: Path) -> list[str]:
    """The message each reader's records end with: a full decode, the Structs with the columns and
    without."""
    options = {"source": "pods.json", "expected": EXPECTED}
    messages = []
    for reader, columns in (
        (JsonListReader(path, "items", **options), True),
        (StructListReader(path, "items", PodColumnFields, **options), True),
        (StructListReader(path, "items", PodFields, **options), False),
    ):
        with pytest.raises(InputError) as caught:
            records(reader, columns=columns)
        messages.append(caught.value.message)
    return messages


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("spec", "broken", "pods.json: items[120]: must be a Pod object with metadata.name, found an object"),
        ("name", 7, "pods.json: items[120].metadata.name: must be a string, got 7"),
        ("containers", ["not-an-object"], None),
    ],
)
def test_an_item_the_structs_do_not_fit_reads_as_in_full(
    tmp_path: Path, field: str, value: Any, message: str | None
) -> None:
    # GIVEN 200 pods, the 121st with a field of a shape the Structs do not describe
    items = [pod(index) for index in range(200)]
    if field == "spec":
        items[120]["spec"] = value
    elif field == "name":
        items[120]["metadata"]["name"] = value
    else:
        items[120]["spec"]["containers"] = value
    path = tmp_path / "pods.json"
    path.write_text(document(items, indent=4))
    # WHEN both readers read it  THEN they end alike: the same refusal, or the same records
    if message is None:
        full, fast = both(path)
        assert fast == full
        return
    first, *others = refusals(path)
    assert others == [first, first]
    assert first.startswith(message)


@pytest.mark.parametrize("cut", [1000, 30_000, -3])
def test_a_truncated_list_fails_with_the_same_line(tmp_path: Path, cut: int) -> None:
    # GIVEN a pod list cut short
    text = document([pod(index) for index in range(200)], indent=4)
    path = tmp_path / "pods.json"
    path.write_text(text[:cut])
    # WHEN each reader reads it  THEN both refuse it with the same line
    messages = refusals(path)
    assert messages == [messages[0]] * 3
    assert "pods.json line" in messages[0]


def test_bad_json_inside_a_batch_is_found_where_it_is(tmp_path: Path) -> None:
    # GIVEN a list with a syntax error in the middle of its items
    text = document([pod(index) for index in range(200)], indent=4).replace('"game-100"', '"game-100" x', 1)
    path = tmp_path / "pods.json"
    path.write_text(text)
    messages = refusals(path)
    # THEN both name the same line and column
    assert messages == [messages[0]] * 3


@pytest.mark.parametrize("indent", [None, 4])
def test_kubectl_layouts_are_decoded_in_batches(
    tmp_path: Path, indent: int | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN 300 pods as kubectl (indented) or a live collection (compact) writes them
    path = tmp_path / "pods.json"
    path.write_text(document([pod(index) for index in range(300)], indent=indent))
    full_decodes = []
    real = JsonListReader._decode

    def counting(self: JsonListReader) -> Any:
        value = real(self)
        if isinstance(value, dict) and "metadata" in value:
            full_decodes.append(value)
        return value

    monkeypatch.setattr(JsonListReader, "_decode", counting)
    # WHEN read through the Structs
    found, _ = records(
        StructListReader(path, "items", PodColumnFields, source="pods.json", expected=EXPECTED)
    )
    # THEN all 300 come out, and only the first and last pods were decoded in full
    assert len(found) == 300
    assert len(full_decodes) <= 2


def _odd(index: int, change: str) -> dict[str, Any]:
    item = pod(index)
    if change == "labels a string":
        item["metadata"]["labels"] = "app=2048"
    elif change == "labels null":
        item["metadata"]["labels"] = None
    elif change == "conditions a string":
        item["status"]["conditions"] = "Ready"
    elif change == "conditions an object":
        item["status"]["conditions"] = {"type": "Ready", "status": "True"}
    elif change == "annotations a list":
        item["metadata"]["annotations"] = ["vpc.amazonaws.com/pod-eni"]
    elif change == "pod-eni a number":
        item["metadata"]["annotations"] = {"vpc.amazonaws.com/pod-eni": 7}
    elif change == "state a string":
        item["status"]["containerStatuses"][0]["state"] = "running"
    elif change == "no status":
        del item["status"]
    elif change == "no spec":
        del item["spec"]
    return item


@pytest.mark.parametrize(
    "change",
    [
        "labels a string",
        "labels null",
        "conditions a string",
        "conditions an object",
        "annotations a list",
        "pod-eni a number",
        "state a string",
        "no status",
        "no spec",
    ],
)
@pytest.mark.parametrize("columns", [True, False])
def test_odd_members_read_as_in_full(tmp_path: Path, change: str, columns: bool) -> None:
    # GIVEN 200 pods whose every fifth one has a member of an odd shape, in ip-target namespaces too
    path = tmp_path / "pods.json"
    path.write_text(
        document([_odd(index, change) if index % 5 == 0 else pod(index) for index in range(200)], indent=4)
    )
    # WHEN both readers read it  THEN the same records, or the same refusal
    try:
        full, fast = both(path, columns=columns)
    except InputError:
        first, *others = refusals(path)
        assert others == [first, first]
        return
    assert fast == full


# --- batches read in the file's bytes -----------------------------------------------------------------


def korean(index: int) -> dict[str, Any]:
    """A pod whose annotations hold text of several bytes a character (the workshop's language)."""
    item = pod(index)
    item["metadata"]["annotations"] = {"description": f"2048 게임 서버 {index}번", "note": "é" * (index % 4)}
    return item


def as_written(items: list[Any], *, indent: int | None) -> str:
    """``document``, with characters past ASCII written as themselves, as kubectl writes them."""
    return json.dumps(
        {"apiVersion": "v1", "items": items, "kind": "List", "metadata": {}},
        indent=indent,
        ensure_ascii=False,
    )


@pytest.mark.parametrize("make", [pod, korean], ids=["ascii", "korean"])
@pytest.mark.parametrize("indent", [None, 4])
def test_every_buffer_size_reads_the_same(tmp_path: Path, indent: int | None, make: Any) -> None:
    # GIVEN 40 pods, read with every buffer size from 16 characters to past the first pods' size
    path = tmp_path / "pods.json"
    path.write_text(as_written([make(index) for index in range(40)], indent=indent), encoding="utf-8")
    full = records(JsonListReader(path, "items", source="pods.json", expected=EXPECTED))
    # WHEN the Structs read it with each size  THEN the records and the header are a full decode's
    # (once, a first pod that ended at the buffer's end was refused with "expected ','")
    differ = [
        chunk
        for chunk in range(16, 3000, 7)
        if records(
            StructListReader(
                path, "items", PodColumnFields, source="pods.json", expected=EXPECTED, chunk_chars=chunk
            )
        )
        != full
    ]
    assert (differ, len(full[0])) == ([], 40)


def korean_text(count: int, change: str) -> str:
    """The text of ``count`` Korean pods with one change in the 151st (or at 150,000 characters)."""
    text = as_written([korean(index) for index in range(count)], indent=4)
    if change == "bad json":
        return text.replace('"2048 게임 서버 150번"', '"2048 게임 서버 150번" x', 1)
    if change == "misfit":
        return text.replace('"name": "game-150"', '"name": 150', 1)
    if change == "long integer":
        return text.replace('"restartCount": 1', '"restartCount": 1' + "0" * 5000, 1)
    if change == "truncated":
        return text[:150_000]
    raise AssertionError(change)


@pytest.mark.parametrize("change", ["bad json", "misfit", "long integer", "truncated"])
def test_a_refusal_after_text_of_several_bytes_a_character_is_worded_alike(
    tmp_path: Path, change: str
) -> None:
    # GIVEN 300 pods with Korean annotations, and a fault far past the first batch
    path = tmp_path / "pods.json"
    path.write_text(korean_text(300, change), encoding="utf-8")
    # WHEN each reader reads it  THEN the same line: the line and column count characters, not bytes
    messages = refusals(path)
    assert messages == [messages[0]] * 3
    assert messages[0].startswith("pods.json line" if change != "misfit" else "pods.json: items[150]")


def test_bytes_that_are_not_utf8_are_named_by_their_offset_in_the_file(tmp_path: Path) -> None:
    # GIVEN 300 Korean pods with one byte that cannot be UTF-8 far into the file
    data = as_written([korean(index) for index in range(300)], indent=4).encode()
    bad = data.index("서버 200번".encode())
    path = tmp_path / "pods.json"
    path.write_bytes(data[:bad] + b"\xff" + data[bad + 1 :])
    # WHEN each reader reads it  THEN each names that byte of the file
    assert refusals(path) == [f"pods.json: is not UTF-8 text (byte {bad}), expected {EXPECTED}"] * 3
