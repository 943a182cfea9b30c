"""The ipamd fan-out's machinery (issue 20): one watchdog for every node instead of a thread per node,
and the node proxy's GETs on the kube client's pool without the generated client's per-call work.

The bounds stay those of issue 21: a node that never answers is abandoned alone at its deadline,
at most ``concurrency`` requests reach the API server at once, and the requests are byte for byte
those the official client sends.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from ekslab.ipamd.models import ENDPOINTS
from ekslab.sources.deadline import run_each_within
from ekslab.sources.introspection import ProxyTransport, fetch_introspection
from ekslab.sources.kube import KubeSettings, KubeSource
from ekslab.sources.records import NodeRecord
from tests.sources.fake_kube import FakeCluster, serve

BODY = b'{"0": {"id": "eni-0123456789abcdef0", "IPv4Addresses": {}}}'


def node(name: str) -> NodeRecord:
    return NodeRecord(name, "aws:///us-west-2a/i-0123", "i-0123", "10.0.0.1", {}, {})


def every_endpoint(*names: str) -> dict[tuple[str, str], tuple[int, bytes]]:
    return {(name, f"v1/{endpoint}"): (200, BODY) for name in names for endpoint in ENDPOINTS}


# --- run_each_within ---------------------------------------------------------------------------------


def test_a_call_that_never_returns_is_abandoned_and_its_worker_replaced() -> None:
    # GIVEN one worker and a first item whose call never returns
    release = threading.Event()

    def call(item: str, deadline: float) -> str:
        if item == "hangs":
            release.wait(30)
        return item.upper()

    results: dict[str, str] = {}

    def run() -> None:
        results.update(
            run_each_within(
                ["hangs", "a", "b"], call, workers=1, seconds=0.2, grace=0.1, timed_out=lambda _: "late"
            )
        )

    # WHEN every item is run with a 0.2 s deadline and 0.1 s of grace (on a thread of the test's own,
    # so that a run that never ends fails the test instead of hanging it)
    runner = threading.Thread(target=run, daemon=True)
    runner.start()
    runner.join(10)
    release.set()
    # THEN the hanging item is reported late and the others ran on the worker that replaced it
    assert results == {"hangs": "late", "a": "A", "b": "B"}


def test_what_a_call_raises_is_raised_to_the_caller_and_no_further_call_starts() -> None:
    # GIVEN one worker and a second item whose call raises
    started: list[int] = []

    def call(item: int, deadline: float) -> int:
        started.append(item)
        if item == 1:
            raise RuntimeError("broken")
        return item

    # WHEN the items are run THEN the error reaches the caller, and the items after it never start
    with pytest.raises(RuntimeError, match="broken"):
        list(run_each_within(range(10), call, workers=1, seconds=5, grace=1, timed_out=lambda _: -1))
    time.sleep(0.05)  # a worker that wrongly went on would have started item 2 by now
    assert started == [0, 1]


def test_each_call_gets_its_own_deadline_from_when_it_starts() -> None:
    # GIVEN calls that record the time left to them when they start, two at a time
    def call(item: int, deadline: float) -> float:
        left = deadline - time.monotonic()
        time.sleep(0.05)
        return left

    # WHEN six of them run with a 2 s deadline each
    lefts = [
        left for _, left in run_each_within(range(6), call, workers=2, seconds=2, grace=1, timed_out=float)
    ]
    # THEN even the last ones, started 0.1 s and more after the first, are given (nearly) the full 2 s
    assert (len(lefts), min(lefts) > 1.9, max(lefts) <= 2) == (6, True, True)


# --- the node proxy through the API server --------------------------------------------------------------


def official_proxy_get(kubeconfig: Path, name: str, path: str) -> tuple[int, bytes]:
    """The GET through the official client's ``CoreV1Api.connect_get_node_proxy_with_path``, set up as
    ``KubeSource`` sets up its node-proxy client (no retries, ``:/`` kept in the path)."""
    from kubernetes import client, config
    from kubernetes.client.exceptions import ApiException

    configuration = client.Configuration()
    config.load_kube_config(config_file=str(kubeconfig), client_configuration=configuration)
    configuration.retries = False
    configuration.safe_chars_for_path_param = ":/"
    api = client.CoreV1Api(client.ApiClient(configuration))
    try:
        response = api.connect_get_node_proxy_with_path(
            f"{name}:61679", path, _preload_content=False, _request_timeout=5
        )
        return response.status, response.read()
    except ApiException as error:
        return error.status, error.body or b""


def test_the_proxy_gets_are_the_requests_the_kube_client_sends(tmp_path: Path) -> None:
    # GIVEN an API server that records every node proxy request with its headers
    cluster = FakeCluster(proxy_bodies=every_endpoint("n1"))
    with serve(cluster, tmp_path) as kubeconfig:
        kube = KubeSource(KubeSettings(kubeconfig=str(kubeconfig)))
        # WHEN the node is fetched by the transport, then its GETs sent through the official client
        fetched = fetch_introspection(
            ProxyTransport(kube, bind_address="0.0.0.0:61679"), [node("n1")], concurrency=1, timeout=5
        )
        ours = list(cluster.proxy_seen)
        cluster.proxy_seen.clear()
        answers = [official_proxy_get(kubeconfig, "n1", f"v1/{endpoint}") for endpoint in ENDPOINTS]
    # THEN the same request lines and headers (in order: the bearer token, the client's User-Agent...)
    assert (ours, fetched["n1"].bodies) == (cluster.proxy_seen, {endpoint: BODY for endpoint in ENDPOINTS})
    assert answers == [(200, BODY)] * len(ENDPOINTS)
    assert ours[0][0] == "GET /api/v1/nodes/n1:61679/proxy/v1/enis HTTP/1.1"


def test_a_redirecting_node_proxy_is_answered_as_through_the_kube_client(tmp_path: Path) -> None:
    # GIVEN a node proxy that answers /v1/enis with a redirect to the instance metadata service
    cluster = FakeCluster(proxy_redirects={("n1", "v1/enis"): "http://169.254.169.254/latest/meta-data/"})
    with serve(cluster, tmp_path) as kubeconfig:
        kube = KubeSource(KubeSettings(kubeconfig=str(kubeconfig)))
        transport = ProxyTransport(kube, bind_address="0.0.0.0:61679")
        # WHEN it is fetched by the transport and through the official client
        fetched = fetch_introspection(transport, [node("n1")], concurrency=1, timeout=5)["n1"]
        answer = official_proxy_get(kubeconfig, "n1", "v1/enis")
    # THEN neither follows it: the same HTTP 302, the node's error, and no request but the two GETs
    assert (fetched.error, answer) == ("/v1/enis through the node proxy answered HTTP 302: ", (302, b""))
    assert dict(cluster.requests) == {"/api/v1/nodes/n1:61679/proxy/v1/enis": 2}


def test_at_most_concurrency_requests_reach_the_api_server_at_once(tmp_path: Path) -> None:
    # GIVEN 24 nodes whose proxied answers each take 50 ms
    names = [f"n{index}" for index in range(24)]
    cluster = FakeCluster(proxy_bodies=every_endpoint(*names), proxy_seconds=0.05)
    with serve(cluster, tmp_path) as kubeconfig:
        kube = KubeSource(KubeSettings(kubeconfig=str(kubeconfig), pool_size=4))
        # WHEN they are fetched 4 at a time
        fetched = fetch_introspection(
            ProxyTransport(kube, bind_address="0.0.0.0:61679"),
            [node(name) for name in names],
            concurrency=4,
            timeout=30,
        )
    # THEN every body came, and the server never had more than 4 of the requests at once
    assert {name: result.error for name, result in fetched.items()} == dict.fromkeys(names)
    assert (len(cluster.proxy_seen), 1 < cluster.proxy_most_in_flight <= 4) == (24 * len(ENDPOINTS), True)


def test_a_node_that_never_finishes_its_headers_times_out_alone(tmp_path: Path) -> None:
    # GIVEN one node whose proxied answer sends header bytes forever, and five that answer
    names = [f"n{index}" for index in range(5)]
    cluster = FakeCluster(proxy_bodies=every_endpoint(*names), slow_header_nodes={"stuck"})
    with serve(cluster, tmp_path) as kubeconfig:
        kube = KubeSource(KubeSettings(kubeconfig=str(kubeconfig)))
        # WHEN all six are fetched one at a time with a 0.5 s node timeout, the stuck node first
        fetched = fetch_introspection(
            ProxyTransport(kube, bind_address="0.0.0.0:61679"),
            [node("stuck"), *(node(name) for name in names)],
            concurrency=1,
            timeout=0.5,
        )
    # THEN the stuck node is reported at its deadline and the others, fetched after it, are complete
    assert fetched["stuck"].error == "did not answer in full within --node-timeout 0.5 s"
    assert {name: (fetched[name].error, len(fetched[name].bodies)) for name in names} == dict.fromkeys(
        names, (None, len(ENDPOINTS))
    )
