"""Render the report model as ONE self-contained HTML file (inline CSS and script, nothing fetched).

Templates are Jinja2 files shipped in ``ekslab/report/templates`` with autoescaping on for every
template: every value from a bundle or a live cluster (pod names, labels, addresses, details) is
untrusted text and reaches the page escaped. Only the package's own stylesheet and script are
inserted as markup. The page is streamed into a temporary file and renamed
(``ekslab.files.atomic_output``): a 150,000-pod page is never held whole in memory nor half-written.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from collections.abc import Iterator, Sequence
from importlib import resources
from typing import Any, Final

from ekslab.files import atomic_output
from ekslab.report.ledger import OWNER_KINDS, LedgerSubnet
from ekslab.report.model import FIXES, NODE_FIXES, RESULT_LABELS, ReportModel

TEMPLATE: Final = "report.html.j2"
LEDGER_TEMPLATE: Final = "_ledger.html.j2"
TABLE_ROWS: Final = 500
"""Rows of each verification table; the map shows every pod, the tables the first failures."""
EXIT_WORDS: Final = {0: "every check passed", 1: "at least one failure", 3: "something could not be verified"}


def _environment():  # -> jinja2.Environment (imported here: only the report needs Jinja2)
    from jinja2 import Environment, PackageLoader, StrictUndefined

    environment = Environment(
        loader=PackageLoader("ekslab.report", "templates"),
        bytecode_cache=_bytecode_cache(),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    # ``result|result_word``: the word of a result (``RESULT_LABELS``), the result itself when it has none.
    environment.filters["result_word"] = _result_word
    return environment


def cache_folder() -> str:
    """Where compiled templates are kept between runs: ``$XDG_CACHE_HOME/ekslab/templates``, by
    default ``~/.cache/ekslab/templates`` (an XDG_CACHE_HOME that is not an absolute path is ignored,
    as the XDG base directory specification says)."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):
        base = os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "ekslab", "templates")


def _bytecode_cache():  # -> jinja2.BytecodeCache | None
    """Jinja2's compiled templates, kept between runs in ``cache_folder()``: compiling the page's
    templates is 0.06 s of every report. Only a folder of this user's that no one else may open is
    used (made so when missing): Jinja2 reads a cached file with ``pickle`` and ``marshal``, which
    must never see a file someone else could have written. Without one, or when it cannot be
    written, templates are compiled each time. A cached template is used only for the same template
    source and Python version (Jinja2 checks both), and a damaged file is compiled again."""
    from jinja2 import FileSystemBytecodeCache

    class QuietCache(FileSystemBytecodeCache):
        def load_bytecode(self, bucket: Any) -> None:
            try:
                super().load_bytecode(bucket)
            except Exception:  # unreadable or damaged (pickle and marshal raise many kinds): compile
                bucket.reset()

        def dump_bytecode(self, bucket: Any) -> None:
            with contextlib.suppress(OSError):  # a full disk, a read-only folder: not kept
                super().dump_bytecode(bucket)

    folder = cache_folder()
    try:
        os.makedirs(folder, mode=stat.S_IRWXU, exist_ok=True)
        found = os.lstat(folder)
    except OSError:
        return None
    if not stat.S_ISDIR(found.st_mode) or found.st_uid != os.getuid() or found.st_mode & 0o077:
        return None
    return QuietCache(folder)


def _result_word(result: str) -> str:
    return RESULT_LABELS.get(result, result)


def _asset(name: str) -> str:
    return resources.files("ekslab.report").joinpath("templates", name).read_text(encoding="utf-8")


def ledger_section(ledger: Sequence[LedgerSubnet] | None, notes: Sequence[str]) -> str:
    """The page's IP-ledger section on its own (``ekslab report`` makes it in the child process that
    builds the ledger, while the checks run): ``ledger`` None says it is not available."""
    template = _environment().get_template(LEDGER_TEMPLATE)
    return template.render(ledger=ledger, ledger_notes=notes, owner_kinds=OWNER_KINDS)


def _pieces(model: ReportModel, ledger: str | None) -> Iterator[str | bytes]:
    """The page, piece by piece (Jinja2's ``generate``): text, and the map's data (``map_data``) as
    the bytes it is, where the template placed it."""
    from markupsafe import Markup

    from ekslab.report.map_data import map_data

    if ledger is None:
        ledger = ledger_section(model.ledger, model.ledger_notes)
    template = _environment().get_template(TEMPLATE)
    data, body_of = map_data(model)
    # Made at random for this page: no text of the input can hold it.
    mark = f"<!--map-data {secrets.token_hex(16)}-->"
    chunks = template.generate(
        m=model,
        h=model.header,
        labels=RESULT_LABELS,
        fixes=FIXES,
        node_fixes=NODE_FIXES,
        limit=TABLE_ROWS,
        exit_words=EXIT_WORDS,
        # Rendered from the templates with autoescaping, like the rest of the page.
        ledger_section=Markup(ledger),
        # The package's own files, not input: inserted as they are.
        css=Markup(_asset("report.css")),
        js=Markup(_asset("report.js")),
        map_data=Markup(mark) if data else Markup(""),
        body_of=body_of,
    )
    for chunk in chunks:
        if data and mark in chunk:
            before, after = chunk.split(mark, 1)
            yield before
            yield data
            yield after
        else:
            yield chunk


def render_chunks(model: ReportModel, ledger: str | None = None) -> Iterator[str]:
    """The page, piece by piece. ``ledger``: the IP-ledger section as ``ledger_section`` made it
    elsewhere; by default made here from ``model.ledger``."""
    for piece in _pieces(model, ledger):
        yield piece.decode("utf-8") if isinstance(piece, bytes) else piece


def render(model: ReportModel, ledger: str | None = None) -> str:
    return "".join(render_chunks(model, ledger))


def write_html(
    model: ReportModel,
    path: str | os.PathLike[str],
    *,
    source: str | None = None,
    ledger: str | None = None,
) -> None:
    """Write the page to ``path`` atomically; its folder must exist (``source`` names it in errors).
    ``ledger``: the IP-ledger section made elsewhere (``render_chunks``). The map's data (JSON with
    every "<" escaped, ``map_data``: it cannot end its script element) is written as the bytes it is."""
    with (
        atomic_output(path, source=source or os.fspath(path)) as temporary,
        # A lone surrogate (a name written "\ud800" in the input's JSON) has no UTF-8: it is shown
        # as that escape, as verify's JSON report writes it.
        open(temporary, "w", encoding="utf-8", errors="backslashreplace", newline="\n") as stream,
    ):
        for piece in _pieces(model, ledger):
            if isinstance(piece, bytes):
                stream.flush()
                stream.buffer.write(piece)
            else:
                stream.write(piece)
