"""Reading JSON documents from files and API bodies, with errors that name the file and what was expected.

Two shapes cover every input of verification:

* **List documents** (``kubectl get pods -A -o json``, ``aws ec2 describe-network-interfaces``) can be
  large: 150,000 pods are about 750 MB of JSON, and holding them parsed would take several times that.
  ``JsonListReader`` streams the items of one array member (``items``, ``NetworkInterfaces``) one at a
  time with ``json.JSONDecoder.raw_decode`` (the same C scanner as ``json.load``), so a caller keeps
  only the fields it needs. The other top-level members are decoded whole into ``header``.
* **Small bodies that may be concatenated**: eks-log-collector appends each introspection body with
  ``>>``, so a re-run leaves two JSON documents in one file (cni-facts.md §3). ``parse_documents``
  returns every document; an empty body is an empty list.

Every failure is an ``InputError`` whose ``where`` is the file (and line and column for bad JSON) and
whose rule says what the file should have held. Files are opened with ``ekslab.files.open_regular``:
regular files only, at most ``MAX_TEXT_BYTES`` for a document read whole and ``MAX_LIST_BYTES`` for a
streamed list.

Hostile documents (see "Limits of the decoder" below) end in the same one-line error instead of a
``RecursionError`` or ``ValueError`` from deep inside the decoder: arrays or objects nested deeper
than Python's JSON reader can follow, an integer longer than Python converts (4300 digits), and
``NaN``/``Infinity``, which Python's reader accepts but JSON does not have.
"""

from __future__ import annotations

import codecs
import io
import json
import os
import re
import sys
from collections.abc import Iterator
from typing import Any, BinaryIO, Final

from ekslab.errors import InputError
from ekslab.files import MAX_LIST_BYTES, check_size, open_regular, read_text

_WHITESPACE: Final = re.compile(r"[ \t\n\r]*")
_NUMBER_END: Final = frozenset(",]} \t\n\r")
_PLAIN_STRING_VALUE: Final = re.compile(r'[ \t\n\r]*:[ \t\n\r]*"[^"\\\\]{0,64}"')
_SEPARATOR_LOOKAHEAD: Final = 4096
"""Characters after the list's first item in which ``StructListReader`` looks for the second's first key."""
_CHUNK_CHARS: Final = 1 << 16
"""Characters read at a time; an item larger than this makes the buffer grow (doubling) until it fits.
Under glibc's 128 KiB mmap threshold: larger reads (and the buffers cut from them) each became fresh
pages the kernel zero-filled, which cost the 1.5 GB pod list of the benchmark 0.7 s of system time."""


# --- limits of the decoder --------------------------------------------------------------------------
# Kept apart from the readers below so that another decoder can take the place of ``json``'s: whatever
# decodes, ``raw_decode`` must turn its limits into ``JsonLimitError`` at the document's position.


class JsonLimitError(json.JSONDecodeError):
    """JSON that is past a limit of the decoder: nesting too deep, an integer too long, NaN/Infinity.

    A ``JSONDecodeError`` (with ``pos``, ``lineno``, ``colno`` of the value that was being decoded), so
    that callers which only tell JSON from not-JSON need no change; the readers here word it apart.
    """


class _Constant(ValueError):
    """Raised by the decoder's ``parse_constant`` hook, which is called for NaN, Infinity and -Infinity."""


def _refuse_constant(name: str) -> Any:
    raise _Constant(name)


_DECODER: Final = json.JSONDecoder(parse_constant=_refuse_constant)


def raw_decode(text: str, position: int = 0) -> tuple[Any, int]:
    """The JSON value that starts at ``position`` of ``text`` and where it ends, like
    ``json.JSONDecoder.raw_decode``; bad JSON raises ``json.JSONDecodeError``, and JSON past a limit
    of the decoder raises ``JsonLimitError`` (position: the value's start)."""
    try:
        return _DECODER.raw_decode(text, position)
    except json.JSONDecodeError:
        raise
    except RecursionError:
        raise JsonLimitError(
            "nests arrays or objects deeper than the JSON reader can follow (about "
            f"{sys.getrecursionlimit()} levels; Kubernetes and EC2 documents nest fewer than 30)",
            text,
            position,
        ) from None
    except _Constant as error:
        raise JsonLimitError(f"has {error}, which is not a JSON number", text, position) from None
    except ValueError as error:
        if "digits" not in str(error):  # "Exceeds the limit (4300 digits) for integer string conversion"
            raise
        raise JsonLimitError(
            f"has an integer of more than {sys.get_int_max_str_digits()} digits", text, position
        ) from None


_PAIRS_OF_DIGITS: Final = re.compile(r"(?=[0-9]{2})")


def may_hold_long_integer(text: str) -> bool:
    """Whether ``text`` may hold an integer longer than Python converts (``raw_decode`` refuses it),
    checked without reading every character: True for every text with such a run of digits, and
    for almost no other (a decoder that skips numbers it is not asked for, as msgspec does, must send
    a text this says True for to ``raw_decode``).

    A run of more than ``limit`` digits covers two consecutive characters of every ``limit // 2``-th,
    and everything between them; only where two sampled characters are digits is the stretch between
    them looked at.
    """
    limit = sys.get_int_max_str_digits()
    if not limit:
        return False
    step = max(limit // 2, 1)
    for pair in _PAIRS_OF_DIGITS.finditer(text[::step]):
        stretch = text[pair.start() * step : (pair.start() + 1) * step + 1]
        if stretch.isascii() and stretch.isdigit():
            return True
    return False


def loads(text: str) -> Any:
    """The one JSON document in ``text``, like ``json.loads`` but with ``raw_decode``'s limits."""
    start = _WHITESPACE.match(text).end()  # type: ignore[union-attr]
    value, end = raw_decode(text, start)
    end = _WHITESPACE.match(text, end).end()  # type: ignore[union-attr]
    if end != len(text):
        raise json.JSONDecodeError("Extra data", text, end)
    return value


def parse_documents(text: str, *, source: str, expected: str) -> list[Any]:
    """Every JSON document in ``text`` (separated by optional whitespace); ``[]`` for an empty text."""
    documents: list[Any] = []
    position, end = 0, len(text)
    while True:
        position = _WHITESPACE.match(text, position).end()  # type: ignore[union-attr]
        if position >= end:
            return documents
        try:
            value, position = raw_decode(text, position)
        except JsonLimitError as error:
            raise _limit_error(source, expected, error.msg, error.lineno, error.colno) from None
        except json.JSONDecodeError as error:
            raise _syntax_error(source, expected, _message(error), error.lineno, error.colno) from None
        documents.append(value)


def read_single_document(path: str | os.PathLike[str], *, source: str, expected: str) -> Any:
    """The one JSON document in a file; an empty file or several documents is an InputError."""
    documents = parse_documents(read_text(path, source=source), source=source, expected=expected)
    if not documents:
        raise InputError(source, f"is empty, expected {expected}")
    if len(documents) > 1:
        raise InputError(source, f"holds {len(documents)} JSON documents, expected one: {expected}")
    return documents[0]


def _message(error: json.JSONDecodeError) -> str:
    # "Unterminated string starting at" is followed by a position in Python's own message.
    return error.msg.removesuffix(" starting at")


def _limit_error(source: str, expected: str, message: str, line: int, column: int) -> InputError:
    return InputError(f"{source} line {line} column {column}", f"{message}, expected {expected}")


def _syntax_error(source: str, expected: str, message: str, line: int, column: int) -> InputError:
    return InputError(
        f"{source} line {line} column {column}",
        f"is not valid JSON ({message}; the file may be truncated), expected {expected}",
    )


class JsonListReader:
    """Stream the items of the array ``list_key`` of the JSON object in a file.

    Iterate over the reader to get the items one at a time; after the iteration ``header`` holds the
    object's other members (``kind``, ``metadata``, ``NextToken``...). Members may come in any order.
    A missing or unreadable file, an empty file, bad JSON, a top level that is not an object, or an
    object without the list is an ``InputError`` naming ``source`` and ``expected``.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        list_key: str,
        *,
        source: str,
        expected: str,
        chunk_chars: int = _CHUNK_CHARS,
        limit: int = MAX_LIST_BYTES,
    ) -> None:
        self.path = path
        self.list_key = list_key
        self.source = source
        self.expected = expected
        self.header: dict[str, Any] = {}
        self._chunk = chunk_chars
        self._limit = limit
        self._buffer = ""
        self._position = 0
        self._eof = False
        self._handle: Any = None
        self._consumed = 0
        """Characters of the file before the buffer's start; line and column are worked out only on error."""
        self._read = 0
        """Characters read from the file so far, held to ``limit`` (a file may grow while it is read)."""

    def __iter__(self) -> Iterator[Any]:
        try:
            with self._open() as handle:
                self._handle = handle
                yield from self._object()
        except UnicodeDecodeError:
            raise InputError(
                self.source, f"is not UTF-8 text (byte {self._utf8_error_byte()}), expected {self.expected}"
            ) from None
        except OSError as error:  # an I/O error while reading: as ekslab.files.read_bytes
            raise InputError(
                self.source, f"cannot be read ({error.strerror}), expected {self.expected}"
            ) from None
        finally:
            self._handle = None
            self._buffer = ""

    def _open(self) -> io.TextIOWrapper:
        return io.TextIOWrapper(self._open_binary(), encoding="utf-8")

    def _open_binary(self) -> BinaryIO:
        try:
            return open_regular(
                self.path, source=self.source, kind="file", expected=self.expected, limit=self._limit
            )
        except InputError as error:
            if error.rule == "no such file" or error.rule.startswith("cannot be read"):
                raise InputError(error.where, f"{error.rule}, expected {self.expected}") from None
            raise

    def _utf8_error_byte(self) -> int | str:
        """The offset in the file of its first byte that is not UTF-8, read again from the start
        (where the reader met it, the decoder counted from its last chunk); '?' if it is gone."""
        decoder = codecs.getincrementaldecoder("utf-8")()
        seen = 0
        with self._open_binary() as binary:
            while True:
                chunk = binary.read(_CHUNK_CHARS)
                pending = len(decoder.getstate()[0])
                try:
                    decoder.decode(chunk, final=not chunk)
                except UnicodeDecodeError as error:  # error.start counts the bytes held back too
                    return seen - pending + error.start
                seen += len(chunk)
                if not chunk or seen > self._limit:  # gone, or grown past the limit since
                    return "?"

    # --- the document -------------------------------------------------------------------------------

    def _object(self) -> Iterator[Any]:
        first = self._peek()
        if first == "":
            raise InputError(self.source, f"is empty, expected {self.expected}")
        if first != "{":
            raise self._error(f"must be a JSON object, found {first!r}")
        self._position += 1
        seen_list = False
        member = 0
        while True:
            char = self._peek()
            if char == "}":
                self._position += 1
                break
            if member:
                self._expect(",")
                self._peek()
            key = self._decode()
            if not isinstance(key, str):
                raise self._error("expected a member name")
            self._peek()
            self._expect(":")
            value_start = self._peek()
            if key == self.list_key:
                if value_start != "[":
                    raise self._error(f"'{self.list_key}' must be a list")
                self._position += 1
                yield from self._items()
                seen_list = True
            else:
                self.header[key] = self._decode()
            member += 1
        if self._peek() != "":
            raise self._error("more than one JSON document in the file")
        if not seen_list:
            raise InputError(self.source, f"has no '{self.list_key}' list, expected {self.expected}")

    def _items(self) -> Iterator[Any]:
        if self._peek() == "]":
            self._position += 1
            return
        while True:
            self._peek()
            yield self._decode()
            char = self._peek()
            self._position += 1
            if char == "]":
                return
            if char != ",":
                self._position -= 1
                raise self._error(f"expected ',' or ']' after an item of '{self.list_key}'")

    # --- buffer -------------------------------------------------------------------------------------

    def _peek(self) -> str:
        """Skip whitespace and return the next character ('' at the end of the file)."""
        while True:
            self._position = _WHITESPACE.match(self._buffer, self._position).end()  # type: ignore[union-attr]
            if self._position < len(self._buffer):
                return self._buffer[self._position]
            if self._eof:
                return ""
            self._refill(self._chunk)

    def _expect(self, char: str) -> None:
        if self._peek() != char:
            raise self._error(f"expected {char!r}")
        self._position += 1

    def _decode(self) -> Any:
        while True:
            try:
                value, end = raw_decode(self._buffer, self._position)
            except JsonLimitError as error:
                raise InputError(
                    self._location(error.pos), f"{error.msg}; expected {self.expected}"
                ) from None
            except json.JSONDecodeError as error:
                if self._eof:
                    raise self._syntax(error) from None
                self._refill(max(self._chunk, len(self._buffer) - self._position))
                continue
            if (
                not self._eof
                and isinstance(value, int | float)
                and not isinstance(value, bool)
                and (end == len(self._buffer) or self._buffer[end] not in _NUMBER_END)
            ):
                # A number cut by the buffer's end ("12", "-0.", "1e") decodes as a shorter one: read on.
                self._refill(max(self._chunk, len(self._buffer) - self._position))
                continue
            self._position = end
            return value

    def _refill(self, size: int) -> None:
        self._consumed += self._position
        chunk = self._handle.read(size)
        # Characters, not bytes: a file that grows while it is read still stops near the limit.
        self._read += len(chunk)
        check_size(self._read, limit=self._limit, source=self.source, expected=self.expected)
        if not chunk:
            self._eof = True
        self._buffer = self._buffer[self._position :] + chunk
        self._position = 0

    # --- errors -------------------------------------------------------------------------------------

    def _location(self, position: int) -> str:
        """``<source> line L column C`` of a buffer position, counting lines by reading the file again."""
        offset = self._consumed + position
        line, line_start, seen = 1, 0, 0
        with self._open() as handle:
            while seen < offset:
                chunk = handle.read(min(_CHUNK_CHARS, offset - seen))
                if not chunk:
                    break
                newlines = chunk.count("\n")
                if newlines:
                    line += newlines
                    line_start = seen + chunk.rfind("\n") + 1
                seen += len(chunk)
        return f"{self.source} line {line} column {offset - line_start + 1}"

    def _error(self, rule: str) -> InputError:
        return InputError(self._location(self._position), f"{rule}; expected {self.expected}")

    def _syntax(self, error: json.JSONDecodeError) -> InputError:
        return InputError(
            self._location(error.pos),
            f"is not valid JSON ({_message(error)}; the file may be truncated), expected {self.expected}",
        )


class StructListReader(JsonListReader):
    """A ``JsonListReader`` whose items are decoded in batches by msgspec into ``item_type`` (a
    ``msgspec.Struct`` naming only the fields a caller reads) and handed out as those Structs; items
    that do not fit come as the plain JSON values ``JsonListReader`` gives, so a caller reads both.

    msgspec decodes in C and skips the fields it is not asked for without building them, which is
    most of a Kubernetes pod. Items are found by the exact text between the first two items (e.g.
    ``},\\n        {\\n            "apiVersion"`` in kubectl's indented output): a batch is the text up
    to the last such separator in the buffer, decoded as one JSON array. Text that is not a whole
    array of such items (a separator that was inside an item, an item the Struct does not fit, bad
    JSON) is decoded item by item as ``JsonListReader`` does, so a document reads the same, and fails
    with the same errors, either way.
    """

    def __init__(self, path: str | os.PathLike[str], list_key: str, item_type: Any, **options: Any) -> None:
        super().__init__(path, list_key, **options)
        import msgspec  # only where a list is read this way: `ekslab --help` never imports it

        self._batch_decoder = msgspec.json.Decoder(list[item_type])
        self._failures: tuple[type[Exception], ...] = (
            msgspec.DecodeError,
            msgspec.ValidationError,
            ValueError,
            RecursionError,
        )

    def _items(self) -> Iterator[Any]:
        if self._peek() == "]":
            self._position += 1
            return
        yield self._decode()
        separator = self._separator()
        if separator is None:  # one item, or a layout without a plain first key: item by item
            yield from self._rest_item_by_item()
            return
        self._expect(",")
        while True:
            cut = self._buffer.rfind(separator, self._position)
            if cut < 0 and not self._eof:
                self._refill(max(self._chunk, 2 * (len(self._buffer) - self._position)))
                continue
            if cut < 0:  # the last items of the list
                yield from self._rest_item_by_item(first_done=False)
                return
            batch = self._buffer[self._position : cut + 1]
            try:
                if may_hold_long_integer(batch):  # msgspec skips what raw_decode refuses: decode it so
                    raise ValueError(batch)
                items = self._batch_decoder.decode("[" + batch + "]")
            except self._failures:
                ended = yield from self._item_by_item(cut + 1)
                if ended:
                    return
            else:
                yield from items
                self._position = cut + 1
                self._expect(",")
            if not self._eof and len(self._buffer) - self._position < self._chunk:
                self._refill(self._chunk)

    def _separator(self) -> str | None:
        """The text from the end of the first item to the end of the second item's first member when
        its value is a plain string (``"apiVersion": "v1"``), else to the end of its first key; None
        when there is no second item or it does not start with a plain key within
        ``_SEPARATOR_LOOKAHEAD`` characters. Called right after the first item; leaves the reader there."""
        # Read ahead keeping the first item's last character: a refill drops what is before the position.
        self._position -= 1
        while len(self._buffer) - self._position < _SEPARATOR_LOOKAHEAD and not self._eof:
            self._refill(self._chunk)
        start = self._position
        self._position = start + 1
        buffer = self._buffer
        comma = _WHITESPACE.match(buffer, start + 1).end()  # type: ignore[union-attr]
        if buffer[comma : comma + 1] != ",":
            return None
        brace = _WHITESPACE.match(buffer, comma + 1).end()  # type: ignore[union-attr]
        if buffer[brace : brace + 1] != "{":
            return None
        key_start = _WHITESPACE.match(buffer, brace + 1).end()  # type: ignore[union-attr]
        key_end = buffer.find('"', key_start + 1)
        if buffer[key_start : key_start + 1] != '"' or key_end < 0:
            return None
        stop = key_end + 1
        value = _PLAIN_STRING_VALUE.match(buffer, stop)
        if value is not None:
            stop = value.end()
        separator = buffer[start:stop]
        return separator if "\\" not in separator else None

    def _item_by_item(self, stop: int) -> Iterator[Any]:
        """Items decoded one at a time, each with the ',' after it, until buffer position ``stop`` is
        passed; returns True when the list ended on the way."""
        while self._position < stop:
            consumed = self._consumed
            self._peek()
            yield self._decode()
            stop -= self._consumed - consumed  # a refill moved the buffer's start
            char = self._peek()
            self._position += 1
            if char == "]":
                return True
            if char != ",":
                self._position -= 1
                raise self._error(f"expected ',' or ']' after an item of '{self.list_key}'")
        return False

    def _rest_item_by_item(self, *, first_done: bool = True) -> Iterator[Any]:
        """The rest of the list item by item, as ``JsonListReader`` reads it (after an item when
        ``first_done``, else at the start of one)."""
        if not first_done:
            self._peek()
            yield self._decode()
        while True:
            char = self._peek()
            self._position += 1
            if char == "]":
                return
            if char != ",":
                self._position -= 1
                raise self._error(f"expected ',' or ']' after an item of '{self.list_key}'")
            self._peek()
            yield self._decode()
