"""Issue 20: lists read with the next page in flight make the same requests, read the same items and
end with the same errors as lists read page by page (``prefetch=False``), counted by the loopback
servers themselves."""

from __future__ import annotations

import itertools
import math
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import parse_qs

import pytest

from ekslab.errors import InputError
from ekslab.sources import ec2, kube
from ekslab.sources.deadline import Background
from ekslab.sources.ec2 import AwsSettings, AwsSource
from ekslab.sources.kube import KubeSettings, KubeSource
from ekslab.sources.pages import list_head
from tests.conftest import aws_environment
from tests.sources.fake_kube import FakeCluster, serve
from tests.sources.loopback import serving
from tests.verify.cluster_docs import pod


def pods(count: int) -> list[dict[str, Any]]:
    return [
        pod(f"web-{index}", node="n1", ip=f"10.0.{index // 250}.{index % 250 + 1}") for index in range(count)
    ]


def settle() -> None:
    """Wait for any request still in flight (a page read ahead), so that the server has counted it."""
    for thread in threading.enumerate():
        if thread.name == "ekslab-page":
            thread.join(10)


def read_pods(cluster: FakeCluster, tmp_path: Path, prefetch: bool, **settings: Any) -> dict[str, Any]:
    """Every page the list gave before it ended, how it ended, and the requests the server counted."""
    pages: list[list[dict[str, Any]]] = []
    ended = "end"
    with serve(cluster, tmp_path) as kubeconfig:
        source = KubeSource(
            KubeSettings(
                kubeconfig=str(kubeconfig), backoff=0, prefetch=prefetch, **{"request_timeout": 5, **settings}
            )
        )
        try:
            for page in source.pods():
                pages.append(page)
        except InputError as error:
            ended = error.message.replace(source.host, "HOST")
        settle()
    return {"pages": pages, "ended": ended, "requests": cluster.requests["/api/v1/pods"]}


def both(make: Any, tmp_path: Path, **settings: Any) -> dict[str, Any]:
    """The reading with the next page in flight, after checking that page by page reads the same."""
    ahead = read_pods(make(), tmp_path / "ahead", True, **settings)
    by_page = read_pods(make(), tmp_path / "by-page", False, **settings)
    assert ahead == by_page
    return ahead


def with_pods(count: int, **faults: Any) -> Any:
    def make() -> FakeCluster:
        cluster = FakeCluster(**faults)
        cluster.objects["pods"] = pods(count)
        return cluster

    return make


@pytest.mark.parametrize(("count", "page_size"), [(0, 500), (1, 500), (500, 500), (1201, 500), (37, 10)])
def test_the_next_page_in_flight_takes_the_same_requests_and_reads_the_same_pods(
    tmp_path: Path, count: int, page_size: int
) -> None:
    (tmp_path / "ahead").mkdir(), (tmp_path / "by-page").mkdir()
    # GIVEN `count` pods WHEN listed both ways THEN the same pages and requests (both() compares them)
    read = both(with_pods(count), tmp_path, page_size=page_size)
    # AND they are every pod in order, in ceil(count / page_size) requests
    assert ([item for page in read["pages"] for item in page], read["ended"], read["requests"]) == (
        pods(count),
        "end",
        max(1, math.ceil(count / page_size)),
    )


@pytest.mark.parametrize(
    ("faults", "requests", "ended"),
    [
        (
            {"endless_continue": True, "endless_remaining": 3},
            5,
            "Kubernetes API list pods (HOST): kept sending continue tokens: stopped after 5 pages of 2, more "
            "than the first page's remainingItemCount (3) justifies",
        ),
        (
            {"endless_continue": True},
            12,
            "Kubernetes API list pods (HOST): kept sending continue tokens: stopped after 12 pages of 2, more "
            "than any cluster justifies",
        ),
        (
            {"same_continue": True},
            2,
            "Kubernetes API list pods (HOST): sent a continue token it had sent before (page 2); the list "
            "would never end",
        ),
    ],
    ids=["remaining-item-count", "absolute-cap", "repeated-token"],
)
def test_endless_paging_is_refused_after_the_same_requests(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, faults: dict[str, Any], requests: int, ended: str
) -> None:
    (tmp_path / "ahead").mkdir(), (tmp_path / "by-page").mkdir()
    monkeypatch.setattr(kube, "MAX_LIST_PAGES", 12)
    # GIVEN a server whose continue tokens never end WHEN pods are listed 2 a page, both ways
    read = both(with_pods(1, **faults), tmp_path, page_size=2)
    # THEN every page the bound allows is read, then the same one line; no request beyond the bound
    assert (len(read["pages"]), read["requests"], read["ended"]) == (requests, requests, ended)


@pytest.mark.parametrize(
    ("faults", "ended"),
    [
        (
            {"drip_seconds": 0.05, "drip_after": 1},
            "Kubernetes API list pods (HOST): did not send its whole answer within 1 s",
        ),
        (
            {"expire_continue": True},
            "Kubernetes API list pods (HOST): failed: HTTP 410 Gone, the list's continue token expired while it "
            "was read page by page (run the command again; a larger --page-size reads it in fewer pages)",
        ),
        (
            {"bad_page": (2, b"<html>Service Unavailable</html>")},
            "Kubernetes API list pods (HOST): answered with invalid JSON (Expecting value: line 1 column 1 "
            "(char 0))",
        ),
        (
            {"bad_page": (2, b'{"kind": "PodList", "metadata": {"continue": "x"}, "items": null}')},
            "Kubernetes API list pods: answered without an items list",
        ),
    ],
    ids=["deadline", "expired-token", "not-json", "no-items"],
)
def test_a_second_page_that_fails_ends_the_list_with_one_line_after_the_first(
    tmp_path: Path, faults: dict[str, Any], ended: str
) -> None:
    (tmp_path / "ahead").mkdir(), (tmp_path / "by-page").mkdir()
    # GIVEN a 5-pod list whose second page fails (dripped past the deadline, expired, not JSON, no items)
    read = both(with_pods(5, **faults), tmp_path, page_size=2, request_timeout=1)
    # WHEN listed 2 a page, both ways THEN the first page arrives, then the one line, after 2 requests
    assert ([len(page) for page in read["pages"]], read["ended"], read["requests"]) == ([2], ended, 2)


def test_a_page_the_quick_read_cannot_follow_is_read_in_full_first(tmp_path: Path) -> None:
    (tmp_path / "ahead").mkdir(), (tmp_path / "by-page").mkdir()

    # GIVEN pods whose names hold a lone surrogate escape: Python's JSON reads it, msgspec refuses it
    def make() -> FakeCluster:
        cluster = FakeCluster()
        cluster.objects["pods"] = [
            pod(f"web-\ud800{index}", node="n1", ip=f"10.0.0.{index + 1}") for index in range(5)
        ]
        return cluster

    assert list_head(b'{"items": ["\\ud800"]}') is None
    # WHEN listed 2 a page, both ways THEN every pod is read, in the same 3 requests
    read = both(make, tmp_path, page_size=2)
    assert ([item["metadata"]["name"] for page in read["pages"] for item in page], read["requests"]) == (
        [f"web-\ud800{index}" for index in range(5)],
        3,
    )


@pytest.mark.parametrize(
    ("body", "head"),
    [
        (
            b'{"kind": "PodList", "metadata": {"continue": "abc", "remainingItemCount": 7}, "items": [1]}',
            {"continue": "abc", "remainingItemCount": 7},
        ),
        (b'{"items": [], "metadata": {"continue": ""}}', {"continue": ""}),
        (b'{"items": []}', {}),
        (b'{"metadata": "odd", "items": []}', {}),
        (b'{"metadata": {}}', None),
        (b'{"metadata": {}, "items": null}', None),
        (b'[{"items": []}]', None),
        (b'{"items": [1, 2', None),
        (b'{"items": ["\xff"]}', None),
        (b'{"items": [' + b"[" * 5000 + b"]" * 5000 + b"]}", None),
    ],
    ids=[
        "token",
        "empty-token",
        "no-metadata",
        "odd-metadata",
        "no-items",
        "null-items",
        "array",
        "cut",
        "not-utf8",
        "deep",
    ],
)
def test_the_quick_read_gives_the_metadata_of_a_list_or_none(
    body: bytes, head: dict[str, Any] | None
) -> None:
    assert list_head(body) == head


def test_background_hands_back_the_value_or_the_error_in_the_caller_thread() -> None:
    def fail() -> None:
        raise InputError("somewhere", "failed")

    with pytest.raises(InputError) as raised:
        Background(fail).result()
    assert (Background(lambda: 42).result(), raised.value.message) == (42, "somewhere: failed")


# --- EC2 ---------------------------------------------------------------------------------------------


class _Ec2Pages(BaseHTTPRequestHandler):
    """DescribeNetworkInterfaces over ``count`` ENIs, MaxResults a page; ``fail_call`` answers 403."""

    count = 12
    fail_call = 0
    endless = False
    calls: Iterator[int] = itertools.count(1)
    log: ClassVar[list[str]] = []

    def log_message(self, *_: Any) -> None:
        return

    def do_POST(self) -> None:
        form = parse_qs(self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode())
        number = next(self.calls)
        self.log.append(form.get("NextToken", [""])[0])
        if number == self.fail_call:
            return self._send(
                403,
                b"<Response><Errors><Error><Code>UnauthorizedOperation</Code><Message>You are not authorized"
                b"</Message></Error></Errors><RequestID>1</RequestID></Response>",
            )
        start = int(form.get("NextToken", ["0"])[0])
        end = min(self.count, start + int(form["MaxResults"][0]))
        items = "".join(
            f"<item><networkInterfaceId>eni-{index:04d}</networkInterfaceId></item>"
            for index in range(start, end)
        )
        token = str(end) if end < self.count or self.endless else ""
        if self.endless:
            token = str(number * 1000)
        self._send(
            200,
            (
                '<DescribeNetworkInterfacesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">'
                f"<networkInterfaceSet>{items}</networkInterfaceSet>"
                + (f"<nextToken>{token}</nextToken>" if token else "")
                + "</DescribeNetworkInterfacesResponse>"
            ).encode(),
        )

    def _send(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "text/xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def read_enis(monkeypatch: pytest.MonkeyPatch, prefetch: bool, **server: Any) -> dict[str, Any]:
    handler = type("Ec2", (_Ec2Pages,), {"calls": itertools.count(1), "log": [], **server})
    ids: list[str] = []
    ended = "end"
    with serving(handler) as url:
        for key, value in aws_environment(url).items():
            monkeypatch.setenv(key, value)
        aws = AwsSource(AwsSettings(region="us-west-2", max_attempts=1, prefetch=prefetch))
        try:
            ids.extend(item["NetworkInterfaceId"] for item in aws.network_interfaces("vpc-1"))
        except InputError as error:
            ended = error.message
        settle()
    return {"ids": ids, "ended": ended, "calls": aws.calls, "tokens": handler.log}


@pytest.mark.parametrize(
    ("server", "ids", "ended", "tokens"),
    [
        ({}, [f"eni-{index:04d}" for index in range(12)], "end", ["", "5", "10"]),
        (
            {"fail_call": 2},
            [f"eni-{index:04d}" for index in range(5)],
            "AWS ec2 DescribeNetworkInterfaces (us-west-2): failed: UnauthorizedOperation: You are not authorized",
            ["", "5"],
        ),
        (
            {"endless": True},
            [f"eni-{index:04d}" for index in range(5)],
            "AWS ec2 DescribeNetworkInterfaces (us-west-2): kept sending a NextToken: stopped after 3 pages, "
            "more than this list can have",
            ["", "1000", "2000"],
        ),
    ],
    ids=["pages", "error-on-page-2", "endless-tokens"],
)
def test_ec2_pages_with_the_next_in_flight_make_the_same_calls(
    monkeypatch: pytest.MonkeyPatch, server: dict[str, Any], ids: list[str], ended: str, tokens: list[str]
) -> None:
    # GIVEN 12 ENIs at 5 a page, DescribeNetworkInterfaces' smallest MaxResults (an EC2 that fails on
    # page 2, or one that never stops sending tokens: 3 pages at most)
    monkeypatch.setattr(ec2, "ENI_PAGE_SIZE", 5)
    monkeypatch.setattr(ec2, "MAX_PAGES", 3)
    # WHEN listed both ways THEN the same ENIs, the same ending, the same calls with the same tokens
    ahead, by_page = (read_enis(monkeypatch, prefetch, **server) for prefetch in (True, False))
    assert ahead == by_page
    assert (ahead["ids"], ahead["ended"], ahead["tokens"], ahead["calls"]) == (
        ids,
        ended,
        tokens,
        len(tokens),
    )
