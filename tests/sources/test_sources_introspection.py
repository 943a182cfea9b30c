"""Fetching ipamd bodies from nodes: bounded concurrency, a hanging node, SSM output, the node proxy."""

from __future__ import annotations

import base64
import gc
import gzip
import threading
import time
from collections.abc import Sequence
from pathlib import Path

import boto3
import pytest

from ekslab.errors import InputError
from ekslab.ipamd import parse_node_bodies
from ekslab.sources.ec2 import AwsSettings, AwsSource
from ekslab.sources.introspection import (
    SSM_OUTPUT_LIMIT,
    NodeFetch,
    ProxyTransport,
    SsmTransport,
    decode_ssm_output,
    fetch_introspection,
    introspection_transport,
    ssm_script,
)
from ekslab.sources.kube import KubeSettings, KubeSource
from ekslab.sources.records import NodeRecord
from tests.sources.fake_kube import FakeCluster, serve
from tests.sources.moto_lab import REGION, make_lab
from tests.verify.cluster_docs import daemonset

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "ipamd"


def node(name: str, instance_id: str | None = "i-0123") -> NodeRecord:
    return NodeRecord(name, f"aws:///us-west-2a/{instance_id}", instance_id, "10.0.0.1", {}, {})


class CountingTransport:
    """A transport that only records how many fetches run at once (the scheduler is under test)."""

    name = "counting"

    def __init__(self) -> None:
        self.running = 0
        self.most = 0
        self.lock = threading.Lock()

    def prepare(self, nodes: Sequence[NodeRecord], timeout: float) -> None:
        return None

    def fetch(self, record: NodeRecord, deadline: float) -> NodeFetch:
        with self.lock:
            self.running += 1
            self.most = max(self.most, self.running)
        time.sleep(0.02)
        with self.lock:
            self.running -= 1
        return NodeFetch(bodies={"enis": b"{}"})


def test_at_most_concurrency_nodes_are_fetched_at_once() -> None:
    transport = CountingTransport()
    results = fetch_introspection(
        transport, [node(f"n{index}") for index in range(40)], concurrency=4, timeout=5
    )
    assert (len(results), transport.most <= 4, transport.most > 1) == (40, True, True)


def test_hanging_node_is_reported_and_the_others_are_fetched(tmp_path: Path) -> None:
    # GIVEN three nodes behind the API server's node proxy, one of which never answers
    enis = (FIXTURES / "enis-g-v1.23.json").read_bytes()
    cluster = FakeCluster(
        hanging_nodes={"n2"}, proxy_bodies={(name, "v1/enis"): (200, enis) for name in ("n1", "n3")}
    )
    with serve(cluster, tmp_path) as kubeconfig:
        kube = KubeSource(KubeSettings(kubeconfig=str(kubeconfig)))
        transport = ProxyTransport(kube, bind_address="0.0.0.0:61679")
        # A full garbage collection of this process (moto's server runs in it) can take half a second:
        # do it now, so that none falls inside the 0.5 s the answering nodes are given.
        gc.collect()
        # WHEN fetched with a 0.5 s per-node timeout
        results = fetch_introspection(
            transport, [node("n1"), node("n2"), node("n3")], concurrency=3, timeout=0.5
        )
    # THEN the hanging node has an error and the two others their bodies
    assert (results["n1"].bodies["enis"], results["n2"].error is not None, results["n3"].bodies["enis"]) == (
        enis,
        True,
        enis,
    )
    assert results["n2"].error and "node proxy" in results["n2"].error


def test_unreachable_loopback_ipamd_through_the_proxy_says_to_use_ssm(tmp_path: Path) -> None:
    with serve(FakeCluster(), tmp_path) as kubeconfig:
        transport = ProxyTransport(KubeSource(KubeSettings(kubeconfig=str(kubeconfig))))
        result = fetch_introspection(transport, [node("n1")], concurrency=1, timeout=5)["n1"]
    assert result.error is not None and result.error.endswith(
        "(ipamd listens on loopback only: use --ipamd-transport ssm)"
    )


def test_proxy_uses_the_port_of_the_bind_address(tmp_path: Path) -> None:
    cluster = FakeCluster(proxy_bodies={("n1", "v1/enis"): (200, b"{}")})
    with serve(cluster, tmp_path) as kubeconfig:
        transport = ProxyTransport(
            KubeSource(KubeSettings(kubeconfig=str(kubeconfig))), bind_address="0.0.0.0:61671"
        )
        fetch_introspection(transport, [node("n1")], concurrency=1, timeout=5)
    assert cluster.requests["/api/v1/nodes/n1:61671/proxy/v1/enis"] == 1


# --- choosing the transport -------------------------------------------------------------------------


def test_proxy_transport_goes_to_the_daemonset_bind_address_and_needs_no_aws() -> None:
    made: list[str] = []
    transport = introspection_transport(
        "proxy",
        daemonset({"INTROSPECTION_BIND_ADDRESS": "0.0.0.0:61671"}),
        kube="kube",
        aws=lambda: made.append("aws"),
    )
    assert (type(transport), transport.port, transport.loopback_only, made) == (
        ProxyTransport,
        61671,
        False,
        [],
    )


@pytest.mark.parametrize("document", [None, daemonset({})], ids=["no DaemonSet", "variable unset"])
def test_without_a_bind_address_ipamd_default_loopback_is_assumed(document: dict | None) -> None:
    transport = introspection_transport("proxy", document, kube="kube", aws=lambda: None)
    assert (transport.port, transport.loopback_only) == (61679, True)


def test_ssm_transport_runs_curl_against_the_bind_address_with_the_aws_source_made_once() -> None:
    made: list[str] = []
    transport = introspection_transport(
        "ssm",
        daemonset({"INTROSPECTION_BIND_ADDRESS": "unix:/var/run/aws-node/ipamd.sock"}),
        kube="kube",
        aws=lambda: made.append("aws") or "aws source",
    )
    assert (type(transport), transport.aws, transport.lines, made) == (
        SsmTransport,
        "aws source",
        ssm_script("unix:/var/run/aws-node/ipamd.sock"),
        ["aws"],
    )


def test_proxy_transport_refuses_a_unix_socket_bind() -> None:
    with pytest.raises(InputError) as raised:
        introspection_transport(
            "proxy",
            daemonset({"INTROSPECTION_BIND_ADDRESS": "unix:/run/ipamd.sock"}),
            kube="k",
            aws=lambda: None,
        )
    assert raised.value.message == (
        "--ipamd-transport proxy: cannot reach ipamd on a unix socket, got 'unix:/run/ipamd.sock' "
        "(use --ipamd-transport ssm)"
    )


def encode(body: bytes) -> str:
    return base64.b64encode(gzip.compress(body)).decode()


def test_ssm_output_decodes_to_the_raw_bodies() -> None:
    enis = (FIXTURES / "enis-g-v1.23.json").read_bytes()
    selected = b'"default"'
    output = f"enis {encode(enis)}\npods {encode(b'')}\neni-configs {encode(selected)}\n"
    bodies = decode_ssm_output(output)
    node_ipamd = parse_node_bodies(bodies, source="ipamd on n1")
    assert (
        bodies["enis"],
        bodies["pods"],
        node_ipamd.enis is not None,
        node_ipamd.eni_config and node_ipamd.eni_config.name,
    ) == (enis, b"", True, "default")


@pytest.mark.parametrize(
    ("output", "message"),
    [
        ("x" * SSM_OUTPUT_LIMIT, "the output reached SSM's 24,000-character inline limit and is cut"),
        ("", "the command printed no introspection output"),
        ("enis H4sIAAAA", "the output for /v1/enis is not base64 of gzip"),
    ],
)
def test_ssm_output_that_is_cut_or_garbled_is_refused(output: str, message: str) -> None:
    with pytest.raises(ValueError) as raised:
        decode_ssm_output(output)
    assert str(raised.value).startswith(message)


@pytest.mark.parametrize(
    ("bind_address", "target"),
    [
        (None, "http://127.0.0.1:61679"),
        ("127.0.0.1:61671", "http://127.0.0.1:61671"),
        ("0.0.0.0:61679", "http://127.0.0.1:61679"),
        (
            "unix:/var/run/aws-node/introspect.sock",
            "--unix-socket /var/run/aws-node/introspect.sock http://localhost",
        ),
    ],
)
def test_ssm_script_reads_the_bind_address_in_force(bind_address: str | None, target: str) -> None:
    # cni-facts.md §1.1: INTROSPECTION_BIND_ADDRESS may be host:port or unix:<path>.
    assert f"{target}/v1/" in "\n".join(ssm_script(bind_address))


def test_ssm_sends_one_command_per_50_nodes(moto_aws: str) -> None:
    # GIVEN 51 EC2 nodes WHEN their introspection is fetched over SSM THEN two SendCommand calls are made
    aws = AwsSource(AwsSettings(region=REGION))
    nodes = [node(f"n{index}", f"i-{index:017x}") for index in range(51)]
    fetch_introspection(SsmTransport(aws, poll_interval=0.01), nodes, concurrency=8, timeout=5)
    commands = boto3.client("ssm", region_name=REGION).list_commands()["Commands"]
    assert sorted(len(command["InstanceIds"]) for command in commands) == [1, 50]


def test_ssm_command_without_output_is_a_node_error(moto_aws: str) -> None:
    # moto runs no command: every invocation succeeds with an empty stdout, which must not pass as data.
    lab = make_lab()
    aws = AwsSource(AwsSettings(region=REGION))
    results = fetch_introspection(
        SsmTransport(aws, poll_interval=0.01), [node("n1", lab.instances[0])], concurrency=1, timeout=5
    )
    assert (
        results["n1"].bodies,
        results["n1"].error and results["n1"].error.endswith("the command printed no introspection output"),
    ) == ({}, True)


def test_node_without_an_instance_is_an_error_not_a_crash() -> None:
    result = fetch_introspection(
        SsmTransport(object(), poll_interval=0.01), [node("n1", None)], concurrency=1, timeout=1
    )["n1"]
    assert result.error == "the node has no EC2 instance id for SSM"
