"""Property: whatever text the config loader or a JSON reader is given, it returns a value or raises
one InputError line, never another exception (bounded in examples and time to keep make test fast)."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ekslab.config.loader import parse_config
from ekslab.config.yamldoc import parse_yaml
from ekslab.errors import InputError
from ekslab.ipamd.node import parse_body
from ekslab.jsondoc import JsonListReader, parse_documents

BOUNDED = settings(
    max_examples=100, deadline=2000, database=None, suppress_health_check=[HealthCheck.too_slow]
)

YAML_PIECES = st.sampled_from(
    [
        "lab:",
        "cni:",
        "env:",
        "  ",
        "    ",
        "\n",
        "- ",
        "? ",
        ": ",
        "&a ",
        "*a",
        "*b",
        "&b ",
        "[",
        "]",
        "{",
        "}",
        ",",
        "WARM_IP_TARGET",
        "name",
        "9" * 4400,
        "0x1F",
        "0o17",
        "1:30",
        "2024-13-45",
        "2024-01-01",
        ".nan",
        "!!binary aGk=",
        "!!set",
        "!!python/object:os.system",
        "~",
        "null",
        "'",
        '"',
        "\\0",
        "#",
        "<<: *a",
        "\t",
        "%YAML 1.1\n",
        "---\n",
        "...\n",
        "yes",
        "on",
    ]
)
YAML_TEXT = st.lists(st.one_of(YAML_PIECES, st.text(max_size=8)), max_size=40).map("".join)


@BOUNDED
@given(YAML_TEXT)
def test_config_loader_gives_a_value_or_one_input_error(text: str) -> None:
    try:
        document = parse_yaml(text, source="lab.yaml")
        if isinstance(document, dict):
            parse_config(document, source="lab.yaml")
    except InputError as error:
        assert error.message.strip()
        assert all(line.startswith("lab.yaml") for line in error.message.splitlines())


JSON_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=10)
)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4)
    ),
    max_leaves=20,
)
JSON_PIECES = st.sampled_from(
    [
        "[" * 3000,
        "]" * 3000,
        '{"a":' * 2000,
        "9" * 4400,
        "NaN",
        "-Infinity",
        "Infinity",
        '"\\ud800"',
        "\x00",
        ",",
        ":",
    ]
)
JSON_TEXT = st.one_of(
    JSON_VALUES.map(json.dumps),
    st.lists(st.one_of(JSON_PIECES, JSON_VALUES.map(json.dumps), st.text(max_size=6)), max_size=8).map(
        "".join
    ),
)


@BOUNDED
@given(JSON_TEXT)
def test_json_documents_give_values_or_one_input_error(text: str) -> None:
    try:
        parse_documents(text, source="body.json", expected="a JSON body")
    except InputError as error:
        assert error.message.startswith("body.json") and "\n" not in error.message


@BOUNDED
@given(JSON_TEXT, st.sampled_from(["enis", "pods", "ipamd-env-settings", "eni-configs"]))
def test_ipamd_bodies_give_a_node_or_one_input_error(text: str, endpoint: str) -> None:
    try:
        parse_body(endpoint, text, source="enis.json")
    except InputError as error:
        assert error.message.startswith("enis.json") and "\n" not in error.message


@settings(
    max_examples=40,
    deadline=4000,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(st.lists(st.one_of(JSON_VALUES.map(json.dumps), JSON_PIECES), max_size=5).map(",".join))
def test_streamed_list_gives_items_or_one_input_error(tmp_path: Path, items: str) -> None:
    path = tmp_path / "pods.json"
    path.write_text('{"kind": "PodList", "items": [' + items + "]}")
    reader = JsonListReader(path, "items", source="pods.json", expected="a pod list", chunk_chars=64)
    try:
        for _ in reader:
            pass
    except InputError as error:
        assert error.message.startswith("pods.json") and "\n" not in error.message
