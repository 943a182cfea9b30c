"""Paged lists with the next page's request in flight while this page is decoded and used (issue 20).

A Kubernetes ``continue`` token and an EC2 ``NextToken`` name the next page only once this page has
arrived, so the pages of one list cannot be asked for side by side; but the next request can be on
the wire while this page is decoded and handed to the caller. At a 50-100 ms round trip that hides
most of the decode of a 500-pod page. Requests stay one at a time and in the same order, and each
is sent only once the page before it passed every check that would end the list (its token, the
paging bounds), so a list takes exactly the requests it took page by page.

* Kubernetes (``list_head``): the page's raw bytes are read, then only its ``metadata`` and whether
  ``items`` is an array are read from them (msgspec skips the items without building them: a few
  milliseconds for 500 pods), the next request starts, and the page is decoded in full while it is
  out. A page the quick read cannot read is decoded first, as page by page. Should the full decode
  refuse a page that the quick read accepted (a decoder limit the quick read does not have, such as
  an integer of more than 4,300 digits), the next request has already been sent: its answer is
  dropped and the error is the same.
* EC2 (``read_ahead``): boto3 parses each page inside its request, so the paginator's next page is
  fetched on a worker thread while the caller uses this page's items.

A request in flight when the caller stops (an error in an item, Ctrl-C) is left to end on its own
daemon thread (``ekslab.sources.deadline.Background``); its answer is dropped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import msgspec

from ekslab.sources.deadline import Background


def list_head(data: bytes) -> dict[str, Any] | None:
    """The ``metadata`` object of a Kubernetes list answer (``{}`` when it has none or it is not an
    object), or None when the answer is not a JSON object with an ``items`` array, or not one that
    this quick read can follow: then the caller decodes the page in full before anything else."""
    try:
        data.decode("utf-8")  # what the full decode needs first; the quick read checks less
        head = _HEAD.decode(data)
    except (msgspec.MsgspecError, RecursionError, UnicodeDecodeError):
        return None
    if memoryview(head.items)[:1].tobytes() != b"[":
        return None
    return head.metadata if isinstance(head.metadata, dict) else {}


class _ListHead(msgspec.Struct):
    metadata: Any = None
    items: msgspec.Raw = msgspec.Raw()
    """Kept as the bytes it was (checked as JSON, never built into objects)."""


_HEAD = msgspec.json.Decoder(_ListHead)


def read_ahead(pages: Iterator[Any], *, goes_on: Callable[[int, Any], bool]) -> Iterator[Any]:
    """The pages of ``pages``, each next one fetched on a worker thread while the caller uses this one.

    ``goes_on(number, page)`` says whether the caller goes on after ``page``, the ``number``-th (counted
    from 1; False: it is about to raise);
    only then is the next page asked for, and ``pages`` itself decides whether that takes a request
    (a paginator sends none after a page without a token). So every request is one that page-by-page
    reading would have sent.
    """
    upcoming: Background[Any] | None = Background(lambda: next(pages, None), name="ekslab-page")
    number = 0
    while upcoming is not None:
        page = upcoming.result()
        if page is None:
            return
        number += 1
        goes = goes_on(number, page)
        upcoming = Background(lambda: next(pages, None), name="ekslab-page") if goes else None
        yield page
