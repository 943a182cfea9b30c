"""The Kubernetes source through the real client against a loopback API server: pages, retries, proxy."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from ekslab.errors import InputError
from ekslab.sources.kube import KubeSettings, KubeSource
from tests.sources.fake_kube import FakeCluster, serve
from tests.verify.cluster_docs import node, pod


def pods(count: int) -> list[dict[str, object]]:
    return [
        pod(f"web-{index}", node="n1", ip=f"10.0.{index // 250}.{index % 250 + 1}") for index in range(count)
    ]


def source(kubeconfig: Path, **settings: object) -> KubeSource:
    return KubeSource(KubeSettings(kubeconfig=str(kubeconfig), backoff=0, request_timeout=5, **settings))  # type: ignore[arg-type]


@pytest.mark.parametrize(("count", "page_size"), [(0, 500), (1, 500), (500, 500), (1201, 500), (37, 10)])
def test_pods_are_read_in_the_minimum_number_of_pages(tmp_path: Path, count: int, page_size: int) -> None:
    # GIVEN a cluster with `count` pods WHEN listed with limit=page_size THEN ceil(count/page_size) requests
    cluster = FakeCluster()
    cluster.objects["pods"] = pods(count)
    with serve(cluster, tmp_path) as kubeconfig:
        kube = source(kubeconfig, page_size=page_size)
        names = [item["metadata"]["name"] for page in kube.pods() for item in page]
    assert (names, cluster.requests["/api/v1/pods"], set(cluster.limits)) == (
        [f"web-{index}" for index in range(count)],
        max(1, math.ceil(count / page_size)),
        {page_size},
    )


def test_throttled_requests_are_retried_then_served(tmp_path: Path) -> None:
    # GIVEN an API server answering 429 (Retry-After: 0) to the first 3 requests
    cluster = FakeCluster(throttle_first=3)
    cluster.objects["nodes"] = [node("n1", instance_id="i-1", internal_ip="10.0.0.1")]
    with serve(cluster, tmp_path) as kubeconfig:
        items = [item for page in source(kubeconfig, attempts=5).nodes() for item in page]
    assert (len(items), cluster.requests["/api/v1/nodes"]) == (1, 4)


def test_throttling_that_never_ends_is_reported_after_the_attempts(tmp_path: Path) -> None:
    cluster = FakeCluster(throttle_first=100)
    with serve(cluster, tmp_path) as kubeconfig:
        kube = source(kubeconfig, attempts=3)
        with pytest.raises(InputError) as raised:
            list(kube.pods())
    assert (raised.value.message, cluster.requests["/api/v1/pods"]) == (
        f"Kubernetes API list pods ({kube.host}): failed after 3 attempts: HTTP 429 Too Many Requests",
        3,
    )


def test_expired_continue_token_is_one_line_saying_to_run_again(tmp_path: Path) -> None:
    # GIVEN a list of 3 pages whose continue token has expired by the second page
    cluster = FakeCluster(expire_continue=True)
    cluster.objects["pods"] = pods(25)
    with serve(cluster, tmp_path) as kubeconfig:
        kube = source(kubeconfig, page_size=10)
        # WHEN listing THEN the first page arrives, then one line says what happened and what to do
        pages = kube.pods()
        first = next(pages)
        with pytest.raises(InputError) as raised:
            next(pages)
    assert (len(first), raised.value.message, cluster.requests["/api/v1/pods"]) == (
        10,
        f"Kubernetes API list pods ({kube.host}): failed: HTTP 410 Gone, the list's continue token expired "
        "while it was read page by page (run the command again; a larger --page-size reads it in fewer pages)",
        2,
    )


def test_api_that_does_not_answer_is_reported(tmp_path: Path) -> None:
    # A port nothing listens on: every attempt is refused.
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(
        '{"apiVersion": "v1", "kind": "Config", "current-context": "c", "clusters": [{"name": "c", '
        '"cluster": {"server": "http://127.0.0.1:9"}}], "users": [{"name": "u", "user": {"token": '
        '"t"}}], "contexts": [{"name": "c", "context": {"cluster": "c", "user": "u"}}]}'
    )
    kube = source(kubeconfig, attempts=2)
    with pytest.raises(InputError) as raised:
        list(kube.nodes())
    assert raised.value.message == (
        "Kubernetes API list nodes (http://127.0.0.1:9): did not answer after 2 attempts (connection refused)"
    )


def test_missing_crd_reads_as_none(tmp_path: Path) -> None:
    cluster = FakeCluster()  # no ENIConfig CRD installed
    with serve(cluster, tmp_path) as kubeconfig:
        assert source(kubeconfig).eniconfigs() is None


def test_installed_crd_lists_every_item_across_pages(tmp_path: Path) -> None:
    cluster = FakeCluster()
    cluster.objects["eniconfigs"] = [
        {"metadata": {"name": f"us-west-2{zone}"}, "spec": {"subnet": "s"}} for zone in "abc"
    ]
    with serve(cluster, tmp_path) as kubeconfig:
        items = source(kubeconfig, page_size=2).eniconfigs()
    assert (
        [item["metadata"]["name"] for item in items or []],
        cluster.requests["/apis/crd.k8s.amazonaws.com/v1alpha1/eniconfigs"],
    ) == (["us-west-2a", "us-west-2b", "us-west-2c"], 2)


def test_one_node_is_a_single_get_not_a_list(tmp_path: Path) -> None:
    # GIVEN a cluster of three nodes  WHEN one is read by name  THEN one GET of that node, no list
    cluster = FakeCluster()
    cluster.objects["nodes"] = [
        node(f"n{index}", instance_id=f"i-{index}", internal_ip=f"10.0.0.{index}") for index in (1, 2, 3)
    ]
    with serve(cluster, tmp_path) as kubeconfig:
        found = source(kubeconfig).node("n2")
    assert (
        (found or {}).get("metadata", {}).get("name"),
        cluster.requests["/api/v1/nodes/n2"],
        cluster.requests["/api/v1/nodes"],
    ) == ("n2", 1, 0)


def test_unknown_node_reads_as_none(tmp_path: Path) -> None:
    cluster = FakeCluster()
    cluster.objects["nodes"] = [node("n1", instance_id="i-1", internal_ip="10.0.0.1")]
    with serve(cluster, tmp_path) as kubeconfig:
        assert source(kubeconfig).node("n9") is None


def test_missing_aws_node_daemonset_reads_as_none(tmp_path: Path) -> None:
    with serve(FakeCluster(), tmp_path) as kubeconfig:
        assert source(kubeconfig).aws_node_daemonset() is None


def test_unauthorised_is_one_line(tmp_path: Path) -> None:
    cluster = FakeCluster()
    with serve(cluster, tmp_path) as kubeconfig:
        kubeconfig.write_text(kubeconfig.read_text().replace("test-token-7f3a", "wrong"))
        kube = source(kubeconfig)
        with pytest.raises(InputError) as raised:
            list(kube.nodes())
    assert raised.value.message == f"Kubernetes API list nodes ({kube.host}): failed: HTTP 401 Unauthorized"


def test_unusable_kubeconfig_is_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "kubeconfig"
    bad.write_text("apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n")
    with pytest.raises(InputError) as raised:
        KubeSource(KubeSettings(kubeconfig=str(bad)))
    assert raised.value.message.startswith(f"{bad}: cannot be used (")


def test_node_proxy_returns_status_and_body(tmp_path: Path) -> None:
    cluster = FakeCluster(proxy_bodies={("n1", "v1/enis"): (200, b'{"0": {}}')})
    with serve(cluster, tmp_path) as kubeconfig:
        assert source(kubeconfig).node_proxy_get("n1", 61679, "v1/enis", timeout=5) == (200, b'{"0": {}}')
    assert cluster.requests["/api/v1/nodes/n1:61679/proxy/v1/enis"] == 1


def test_node_proxy_that_hangs_raises_connection_error_at_the_timeout(tmp_path: Path) -> None:
    cluster = FakeCluster(hanging_nodes={"n1"})
    with serve(cluster, tmp_path) as kubeconfig, pytest.raises(ConnectionError):
        source(kubeconfig).node_proxy_get("n1", 61679, "v1/enis", timeout=0.3)
    # the proxy is not retried: one request, bounded by the timeout
    assert cluster.requests["/api/v1/nodes/n1:61679/proxy/v1/enis"] == 1
