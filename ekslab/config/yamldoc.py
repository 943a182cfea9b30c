"""Reading a YAML document (a lab configuration, a kubeconfig) with limits that hostile files cannot pass.

PyYAML's ``SafeLoader`` constructs no arbitrary objects, but it still trusts the document's shape:

* **Aliases** (``*name``) share one node, so a few lines can stand for billions of values ("billion
  laughs"); whatever walks the result afterwards (pydantic, an error message, ``yaml.safe_dump``)
  walks every one of them. The composer here counts the values each node stands for, aliases
  expanded, and refuses a document past ``MAX_YAML_VALUES`` before any object is built; it also
  refuses more than ``MAX_YAML_ALIASES`` aliases and an alias to the collection that holds it.
* **Nesting** recurses in the composer and constructor: 500 levels of ``[[[...]]]`` overflow Python's
  stack. ``MAX_YAML_DEPTH`` stops it long before.
* **Keys** may be sequences or mappings (``? [a, b]``), which Python cannot hash.
* **Scalars** may resolve to values Python refuses to build: an integer of more than 4300 digits,
  a timestamp such as ``2024-13-45``.

Each of these is an ``InputError`` naming the line, so the CLI prints one line. Duplicate keys are
refused too (YAML forbids them; PyYAML silently keeps the last), and so are the YAML 1.1 numbers a
reader would not expect: ``010`` is octal 8 and ``1:30`` base-60 90 there.
"""

from __future__ import annotations

import os
import re
import sys
from typing import Any, Final

import yaml

from ekslab.errors import InputError
from ekslab.files import read_text

MAX_YAML_DEPTH: Final = 64
"""Nesting of sequences and mappings; the lab configuration nests 6 deep, a kubeconfig 5."""
MAX_YAML_ALIASES: Final = 1_000
"""Aliases (``*name``) in one document; a lab configuration may reuse a tag set or subnet list."""
MAX_YAML_VALUES: Final = 1_000_000
"""Values (scalars, sequences, mappings) one document stands for with every alias expanded; a 1 MB
file holds at most about 500,000 without aliases."""


class BoundedLoader(yaml.SafeLoader):
    """``SafeLoader`` with the limits of this module and unique, hashable keys."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self._aliases = 0
        self._values: dict[int, int] = {}
        """Values each composed node stands for, aliases expanded, by ``id(node)``."""

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node:
        if self.check_event(yaml.AliasEvent):
            mark = self.peek_event().start_mark
            node = super().compose_node(parent, index)
            self._aliases += 1
            if self._aliases > MAX_YAML_ALIASES:
                raise _at(mark, f"uses more than {MAX_YAML_ALIASES} aliases (*name)")
            if id(node) not in self._values:
                raise _at(mark, "has an alias (*name) inside the collection it names")
            return node
        mark = self.peek_event().start_mark
        self._depth += 1
        if self._depth > MAX_YAML_DEPTH:
            raise _at(mark, f"nests sequences or mappings more than {MAX_YAML_DEPTH} levels deep")
        try:
            node = super().compose_node(parent, index)
        finally:
            self._depth -= 1
        self._values[id(node)] = count = 1 + sum(self._values[id(child)] for child in _children(node))
        if count > MAX_YAML_VALUES:
            raise _at(
                mark, f"stands for more than {MAX_YAML_VALUES} values once its aliases (*name) are expanded"
            )
        return node

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep=deep)
        except (InputError, yaml.YAMLError):
            raise
        except (ValueError, TypeError, OverflowError) as error:
            # e.g. "Exceeds the limit (4300 digits) for integer string conversion", "month must be in 1..12"
            raise _at(
                node.start_mark, f"has a value YAML reads as {_tag(node)} but Python cannot build ({error})"
            ) from None


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def _tag(node: yaml.Node) -> str:
    return str(node.tag).rsplit(":", 1)[-1]


def _at(mark: yaml.Mark, rule: str) -> InputError:
    return InputError(f"line {mark.line + 1}", rule)


_MERGE_TAG: Final = "tag:yaml.org,2002:merge"
_LEADING_ZERO: Final = re.compile(r"[-+]?0[0-9_]+")


def _construct_mapping(loader: BoundedLoader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        if key_node.tag == _MERGE_TAG:
            continue  # `<<: *defaults`: its keys may be overridden here, construct_mapping merges them
        if not isinstance(key_node, yaml.ScalarNode):
            kind = "sequence" if isinstance(key_node, yaml.SequenceNode) else "mapping"
            raise _at(
                key_node.start_mark, f"has a {kind} as a key; keys must be names, numbers or true/false"
            )
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise InputError(f"line {key_node.start_mark.line + 1}", "duplicate key", key)
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


def _construct_number(loader: BoundedLoader, node: yaml.ScalarNode) -> Any:
    """An int or float, except the YAML 1.1 forms that read as something else than they show."""
    build = loader.construct_yaml_int if node.tag.endswith(":int") else loader.construct_yaml_float
    text = str(node.value)
    if ":" in text or _LEADING_ZERO.fullmatch(text):
        kind = "a base-60 number" if ":" in text else "an octal number"
        raise _at(
            node.start_mark,
            f"{text} is {kind} in YAML 1.1 (it would read as {build(node)}); write the number without "
            f"a leading zero or colon, or quote it ('{text}') for text",
        )
    return build(node)


BoundedLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
BoundedLoader.add_constructor("tag:yaml.org,2002:int", _construct_number)
BoundedLoader.add_constructor("tag:yaml.org,2002:float", _construct_number)


def parse_yaml(text: str, *, source: str) -> Any:
    """The one YAML document in ``text`` (``None`` when empty); every failure is one InputError line
    whose ``where`` is ``source`` and the line (and column, for a syntax error)."""
    try:
        return yaml.load(text, Loader=BoundedLoader)  # a SafeLoader: builds plain data only
    except InputError as error:
        raise error.located(source) from None
    except RecursionError:  # cannot happen under MAX_YAML_DEPTH; kept so a change of limits cannot trace back
        raise InputError(source, f"nests too deeply for Python ({sys.getrecursionlimit()} frames)") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"{source}:{mark.line + 1}:{mark.column + 1}" if mark else source
        problem = getattr(error, "problem", None) or "syntax error"
        raise InputError(where, f"is not valid YAML ({problem})") from None


def read_yaml(path: str | os.PathLike[str], *, source: str, kind: str, expected: str, limit: int) -> Any:
    """The YAML document of the regular file at ``path`` of at most ``limit`` bytes (see
    ``ekslab.files.read_text``), parsed by ``parse_yaml``."""
    return parse_yaml(
        read_text(path, source=source, kind=kind, expected=expected, limit=limit), source=source
    )
