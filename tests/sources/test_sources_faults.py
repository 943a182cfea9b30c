"""Issue 21 items 5, 6 and 8: servers that misbehave on loopback.

Endless continue tokens or NextTokens stop with one line after the pages the list can justify;
a body dripped one byte at a time is cut at the deadline of the whole request (and of the whole
``ipamd --timeout`` fetch); an EC2 answer that is HTML, or lists no VPC, is "could not verify".
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest

from ekslab.errors import InputError, UnverifiedError
from ekslab.sources import ec2, kube
from ekslab.sources.ec2 import AwsSettings, AwsSource
from ekslab.sources.kube import KubeSettings, KubeSource
from tests.cli_run import run_cli
from tests.conftest import aws_environment
from tests.sources.fake_kube import FakeCluster, serve
from tests.sources.loopback import serving
from tests.verify.cluster_docs import node, pod


def source(kubeconfig: Path, **settings: Any) -> KubeSource:
    return KubeSource(KubeSettings(kubeconfig=str(kubeconfig), backoff=0, **settings))


def endless(**faults: Any) -> FakeCluster:
    cluster = FakeCluster(**faults)
    cluster.objects["pods"] = [pod("web-0", node="n1", ip="10.0.1.5")]
    return cluster


# --- item 5: endless paging ------------------------------------------------------------------------


def test_endless_continue_tokens_stop_at_what_remaining_item_count_justifies(tmp_path: Path) -> None:
    # GIVEN a server that says 3 items remain, then keeps sending new continue tokens
    cluster = endless(endless_continue=True, endless_remaining=3)
    with serve(cluster, tmp_path) as kubeconfig, pytest.raises(InputError) as error:
        # WHEN pods are listed 2 a page
        kube_source = source(kubeconfig, page_size=2)
        for _ in kube_source.pods():
            pass
    # THEN 1 + ceil(3/2) + 2 slack pages are read, then one line
    assert (cluster.requests["/api/v1/pods"], error.value.message) == (
        5,
        f"Kubernetes API list pods ({kube_source.host}): kept sending continue tokens: stopped after 5 "
        "pages of 2, more than the first page's remainingItemCount (3) justifies",
    )


def test_endless_continue_tokens_without_a_count_stop_at_the_absolute_cap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(kube, "MAX_LIST_PAGES", 12)
    cluster = endless(endless_continue=True)
    with serve(cluster, tmp_path) as kubeconfig, pytest.raises(InputError) as error:
        kube_source = source(kubeconfig)
        for _ in kube_source.pods():
            pass
    assert (cluster.requests["/api/v1/pods"], error.value.message) == (
        12,
        f"Kubernetes API list pods ({kube_source.host}): kept sending continue tokens: stopped after 12 "
        "pages of 500, more than any cluster justifies",
    )


def test_a_repeated_continue_token_ends_the_list_at_once(tmp_path: Path) -> None:
    cluster = endless(same_continue=True)
    with serve(cluster, tmp_path) as kubeconfig, pytest.raises(InputError) as error:
        kube_source = source(kubeconfig)
        for _ in kube_source.pods():
            pass
    assert (cluster.requests["/api/v1/pods"], error.value.message) == (
        2,
        f"Kubernetes API list pods ({kube_source.host}): sent a continue token it had sent before "
        "(page 2); the list would never end",
    )


class _Ec2(BaseHTTPRequestHandler):
    """EC2's query protocol, badly: a new NextToken on every page, HTML, or no VPC."""

    mode = "endless"
    calls: Iterator[int] = itertools.count(1)

    def log_message(self, *_: Any) -> None:
        return

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        number = next(self.calls)
        if self.mode == "html":
            body, kind = b"<html><body><h1>Sign in to the captive portal</h1></body></html>", "text/html"
        elif self.mode == "no-vpc":
            body = b'<DescribeVpcsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><vpcSet/></DescribeVpcsResponse>'
            kind = "text/xml"
        else:
            body = (
                '<DescribeNetworkInterfacesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">'
                f"<networkInterfaceSet/><nextToken>token-{number}</nextToken>"
                "</DescribeNetworkInterfacesResponse>"
            ).encode()
            kind = "text/xml"
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def fake_ec2(mode: str) -> type[_Ec2]:
    return type("Ec2", (_Ec2,), {"mode": mode, "calls": itertools.count(1)})


def test_ec2_sending_a_new_next_token_on_every_page_stops_at_the_cap(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # GIVEN EC2 that answers every DescribeNetworkInterfaces page with a new NextToken
    monkeypatch.setattr(ec2, "MAX_PAGES", 7)
    with serving(fake_ec2("endless")) as url:
        for key, value in aws_environment(url).items():
            monkeypatch.setenv(key, value)
        aws = AwsSource(AwsSettings(region="us-west-2"))
        # WHEN the VPC's ENIs are listed THEN it stops after MAX_PAGES calls with one line
        with pytest.raises(InputError) as error:
            list(aws.network_interfaces("vpc-1"))
    assert (aws.calls, error.value.message) == (
        7,
        "AWS ec2 DescribeNetworkInterfaces (us-west-2): kept sending a NextToken: stopped after 7 pages, "
        "more than this list can have",
    )


# --- item 8: an empty or malformed required answer is "could not verify" ----------------------------


@pytest.mark.parametrize(
    ("mode", "message"),
    [
        (
            "no-vpc",
            "AWS ec2 DescribeVpcs (us-west-2): listed no VPC for the cluster's VPC id; could not verify",
        ),
        (
            "html",
            "AWS ec2 DescribeVpcs (us-west-2): answered without a Vpcs list (not an AWS answer?); could "
            "not verify",
        ),
    ],
)
def test_live_vpc_answer_with_no_vpc_or_html_is_unverified_not_a_verdict(
    monkeypatch: pytest.MonkeyPatch, mode: str, message: str
) -> None:
    from ekslab.sources import live

    # GIVEN an EC2 endpoint whose DescribeVpcs lists no VPC, or answers with an HTML page
    def gather(options: Any, sink: Any, bar: Any) -> None:
        aws = AwsSource(AwsSettings(region="us-west-2"))
        sink.aws_items(live.layout.VPCS, aws.vpcs("vpc-1"))

    monkeypatch.setattr(live, "_gather", gather)
    with serving(fake_ec2(mode)) as url:
        for key, value in aws_environment(url).items():
            monkeypatch.setenv(key, value)
        # WHEN the live cluster is read THEN "could not verify", exit 3, never a verdict
        with pytest.raises(UnverifiedError) as error:
            live.read_live(live.LiveOptions(cluster="c", region="us-west-2"))
    assert (error.value.message, error.value.exit_code) == (message, 3)


def test_unverified_is_one_line_and_exit_3_on_the_command_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from ekslab.sources import live

    def read_live(options: Any, **_: Any) -> Any:
        raise UnverifiedError(
            "AWS ec2 DescribeVpcs (us-west-2)", "listed no VPC for the cluster's VPC id; could not verify"
        )

    monkeypatch.setattr(live, "read_live", read_live)
    code, out, err = run_cli(["verify", "--cluster", "c", "--region", "us-west-2", "-o", "json"], capsys)
    assert (code, out, err) == (
        3,
        "",
        "ekslab: error: AWS ec2 DescribeVpcs (us-west-2): listed no VPC for the cluster's VPC id; could not verify\n",
    )


# --- item 6: deadlines for the whole operation ----------------------------------------------------


def test_a_dripped_list_is_cut_at_the_request_deadline(tmp_path: Path) -> None:
    # GIVEN a server that sends the pod list one byte every 50 ms (a body of several hundred bytes)
    cluster = endless(drip_seconds=0.05)
    with serve(cluster, tmp_path) as kubeconfig, pytest.raises(InputError) as error:
        # WHEN listed with a 1 s request timeout
        kube_source = source(kubeconfig, request_timeout=1)
        for _ in kube_source.pods():
            pass
    # THEN it stops at the deadline with one line (before, each byte reset the read timeout)
    assert error.value.message == (
        f"Kubernetes API list pods ({kube_source.host}): did not send its whole answer within 1 s"
    )


def test_a_dripping_node_proxy_is_cut_at_the_node_deadline(tmp_path: Path) -> None:
    body = b'{"0": {"id": "eni-0123456789abcdef0", "IPv4Addresses": {}}}' * 4
    cluster = FakeCluster(proxy_bodies={("n1", "v1/enis"): (200, body)}, drip_seconds=0.05)
    with serve(cluster, tmp_path) as kubeconfig, pytest.raises(ConnectionError) as error:
        source(kubeconfig).node_proxy_get("n1", 61679, "v1/enis", timeout=0.5)
    assert str(error.value) == "did not send its whole answer within 0.5 s"


def test_ipamd_timeout_bounds_the_whole_fetch(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # GIVEN an API server that drips every answer, the node's GET included
    name = "ip-10-0-40-10.us-west-2.compute.internal"
    cluster = FakeCluster(drip_seconds=0.2)
    cluster.objects["nodes"] = [node(name, instance_id="i-0bbbbbbbbbbbbbbb2", internal_ip="10.0.40.10")]
    with serve(cluster, tmp_path) as kubeconfig:
        # WHEN ipamd is asked for the node with --timeout 1
        code, out, err = run_cli(
            [
                "ipamd",
                "enis",
                "--node",
                name,
                "--ipamd-transport",
                "proxy",
                "--timeout",
                "1",
                "--kubeconfig",
                str(kubeconfig),
            ],
            capsys,
        )
    # THEN one line naming --timeout, exit 2
    assert (code, out, err) == (
        2,
        "",
        f"ekslab: error: ipamd on {name}: did not answer in full within --timeout 1 s\n",
    )


def test_a_node_whose_headers_never_end_is_cut_at_the_node_timeout(tmp_path: Path) -> None:
    from ekslab.sources.introspection import ProxyTransport, fetch_introspection
    from ekslab.sources.records import node_record

    # GIVEN a node whose proxied answer sends header bytes forever, each well inside the read timeout
    name = "ip-10-0-40-10.us-west-2.compute.internal"
    cluster = FakeCluster(slow_header_nodes={name})
    record = node_record(node(name, instance_id="i-0b", internal_ip="10.0.40.10"), position=0, source="t")
    with serve(cluster, tmp_path) as kubeconfig:
        transport = ProxyTransport(source(kubeconfig), bind_address="0.0.0.0:61679")
        # WHEN its ipamd is fetched with a 1 s node timeout
        fetched = fetch_introspection(transport, [record], concurrency=1, timeout=1)
    # THEN the node is reported at the deadline (plus the grace), not read for as long as bytes come
    assert fetched[name].error == "did not answer in full within --node-timeout 1 s"
