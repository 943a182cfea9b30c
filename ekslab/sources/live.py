"""Reading a live cluster: for ``ekslab verify`` (into a snapshot) and ``ekslab collect`` (into a bundle).

One gatherer makes the calls, in the order the checks need (optional documents first, so pods keep
labels only where the end-to-end check needs them); a sink either turns the documents into records
(``_SnapshotSink``) or writes them as bundle files (``_BundleSink``). So a collected bundle verifies
exactly like the live cluster it came from.

Calls made: EKS DescribeCluster (the VPC); Kubernetes lists of ENIConfigs, Ingresses, Services,
TargetGroupBindings, nodes and pods (paginated), the aws-node DaemonSet; EC2 DescribeVpcs,
DescribeSubnets and DescribeNetworkInterfaces (paginated, filtered by VPC); with
``cidr_reservations`` (``ekslab ips`` and ``ekslab collect``) GetSubnetCidrReservations per subnet;
Auto Scaling DescribeAutoScalingInstances only for EC2 nodes without the managed node group label
(the replacement plan's grouping); ELBv2 DescribeTargetGroups and DescribeTargetHealth for the bound
target groups; then ipamd per node.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from ekslab.errors import UnverifiedError
from ekslab.ipamd.node import parse_node_bodies
from ekslab.sources import bundle as layout
from ekslab.sources.live_defaults import DEFAULT_CONCURRENCY
from ekslab.sources.records import (
    NODEGROUP_LABEL,
    NodeRecord,
    TargetGroupBindingRecord,
    daemonset_env,
    node_record,
    target_group_binding_record,
    target_group_record,
)
from ekslab.sources.snapshot import ClusterSnapshot


@dataclass
class LiveOptions:
    """How to reach a live cluster: the EKS cluster and region (both required), credentials and the
    kubeconfig, and how ipamd is fetched. The CLI fills it from its shared options."""

    cluster: str
    region: str
    profile: str | None = None
    kubeconfig: str | None = None
    context: str | None = None
    ipamd_transport: str = "ssm"
    concurrency: int = DEFAULT_CONCURRENCY
    node_timeout: float = 30.0
    page_size: int = 500
    prefetch: bool = True
    """Each list's next page requested while this one is used (``ekslab.sources.pages``); False reads
    page by page (the live benchmark's baseline)."""


Progress = Callable[[str, int, int | None], None]
"""Called as ``progress(task, done, total)`` while a live read advances (``total`` None when unknown):
tasks ``nodes``, ``pods`` and ``ipamd``. The CLI draws it; the core never prints."""


def _no_progress(task: str, done: int, total: int | None) -> None:
    return None


class _Sink(Protocol):
    def kube_items(self, spec: layout.BundleFile, items: Iterable[dict[str, Any]]) -> None: ...
    def daemonset(self, document: dict[str, Any] | None) -> None: ...
    def aws_items(self, spec: layout.BundleFile, items: Iterable[dict[str, Any]]) -> None: ...
    def target_health(self, group: dict[str, Any], items: list[dict[str, Any]]) -> None: ...
    def ipamd(self, node: str, bodies: Mapping[str, bytes | None], error: str | None) -> None: ...
    def cidr_reservations(self, subnet_id: str, items: Iterable[dict[str, Any]]) -> None: ...

    wants_cidr_reservations: bool
    """Whether the subnets' CIDR reservations are read (``ekslab ips``, ``ekslab collect``)."""


def read_live(
    options: LiveOptions,
    *,
    progress: Progress = _no_progress,
    cidr_reservations: bool = False,
    pod_columns: bool = True,
) -> ClusterSnapshot:
    """Read a live cluster into a snapshot (see the module docstring for the calls made);
    ``pod_columns``: see ``ClusterSnapshot.pod_columns``."""
    sink = _SnapshotSink(f"cluster {options.cluster} ({options.region})")
    sink.wants_cidr_reservations = cidr_reservations
    sink.snapshot.pod_columns = pod_columns
    _gather(options, sink, _Counter(progress))
    if not sink.snapshot.vpcs:
        # No VPC to judge pod IPs against: a verdict would fail every pod for the answer's fault.
        raise UnverifiedError(
            f"AWS ec2 DescribeVpcs ({options.region})",
            "listed no VPC for the cluster's VPC id; could not verify",
        )
    return sink.snapshot


def collect_bundle(
    options: LiveOptions, directory: str | os.PathLike[str], *, progress: Progress = _no_progress
) -> str:
    """Write a live cluster's documents as a bundle folder; returns its path."""
    with layout.BundleWriter(directory) as writer:
        _gather(options, _BundleSink(writer), _Counter(progress))
        return str(writer.commit())


def _gather(options: LiveOptions, sink: _Sink, bar: _Counter) -> None:
    from ekslab.sources.ec2 import AwsSettings, AwsSource
    from ekslab.sources.kube import KubeSettings, KubeSource

    aws = AwsSource(
        AwsSettings(
            region=options.region,
            profile=options.profile,
            pool_size=options.concurrency,
            prefetch=options.prefetch,
        )
    )
    kube = KubeSource(
        KubeSettings(
            kubeconfig=options.kubeconfig,
            context=options.context,
            page_size=options.page_size,
            pool_size=options.concurrency,
            prefetch=options.prefetch,
            cluster=options.cluster,
            region=options.region,
        )
    )
    vpc_id = aws.cluster_vpc(options.cluster)
    eniconfigs = kube.eniconfigs()
    if eniconfigs is not None:
        sink.kube_items(layout.ENICONFIGS, eniconfigs)
    daemonset = kube.aws_node_daemonset()
    sink.daemonset(daemonset)
    ingresses = kube.ingresses()
    bindings: list[TargetGroupBindingRecord] = []
    if ingresses is not None:
        sink.kube_items(layout.INGRESSES, ingresses)
        sink.kube_items(layout.SERVICES, kube.services())
        raw_bindings = kube.target_group_bindings()
        if raw_bindings is not None:
            sink.kube_items(layout.TARGET_GROUP_BINDINGS, raw_bindings)
            bindings = [
                target_group_binding_record(item, position=position, source="targetgroupbindings")
                for position, item in enumerate(raw_bindings)
            ]
    nodes: list[NodeRecord] = []

    def node_items() -> Iterable[dict[str, Any]]:
        for page in kube.nodes():
            for item in page:
                nodes.append(node_record(item, position=len(nodes), source="nodes"))
                yield item
            bar.advance("nodes", len(page))

    sink.kube_items(layout.NODES, node_items())

    def pod_items() -> Iterable[dict[str, Any]]:
        for page in kube.pods():
            yield from page
            bar.advance("pods", len(page))

    sink.kube_items(layout.PODS, pod_items())
    sink.aws_items(layout.VPCS, aws.vpcs(vpc_id))
    subnet_ids: list[str] = []

    def subnet_items() -> Iterable[dict[str, Any]]:
        for item in aws.subnets(vpc_id):
            if isinstance(item.get("SubnetId"), str):
                subnet_ids.append(item["SubnetId"])
            yield item

    sink.aws_items(layout.SUBNETS, subnet_items())
    sink.aws_items(layout.NETWORK_INTERFACES, aws.network_interfaces(vpc_id))
    # The replacement plan groups a node by its managed node group label, else by its Auto Scaling
    # group: only nodes without the label cost a call (50 instances per call).
    unlabelled = [
        node.instance_id
        for node in nodes
        if node.instance_id and not node.is_fargate and not node.labels.get(NODEGROUP_LABEL)
    ]
    if unlabelled:
        sink.aws_items(layout.AUTOSCALING_INSTANCES, aws.auto_scaling_instances(unlabelled))
    if sink.wants_cidr_reservations:
        for subnet_id in filter(layout.SUBNET_ID_PATTERN.fullmatch, subnet_ids):
            sink.cidr_reservations(subnet_id, aws.subnet_cidr_reservations(subnet_id))
    if bindings:
        groups = aws.target_groups([binding.target_group_arn for binding in bindings])
        for position, group in enumerate(groups):
            # Before any sink sees them: a bundle writes target-health/<name>.json.
            target_group_record(group, position=position, source="AWS TargetGroups")
        sink.aws_items(layout.TARGET_GROUPS, groups)
        for group in groups:
            sink.target_health(group, aws.target_health(group["TargetGroupArn"]))
    _gather_ipamd(options, sink, aws, kube, nodes, daemonset, bar)


def _gather_ipamd(
    options: LiveOptions,
    sink: _Sink,
    aws: Any,
    kube: Any,
    nodes: list[NodeRecord],
    daemonset: dict[str, Any] | None,
    bar: _Counter,
) -> None:
    from ekslab.sources.introspection import fetch_introspection, introspection_transport

    if options.ipamd_transport == "none":
        return
    transport = introspection_transport(options.ipamd_transport, daemonset, kube=kube, aws=lambda: aws)
    targets = [node for node in nodes if not node.is_fargate]
    bar.start("ipamd", len(targets))

    def done(name: str, result: Any) -> None:
        sink.ipamd(name, result.bodies, result.error)
        bar.advance("ipamd", 1)

    fetch_introspection(
        transport, targets, concurrency=options.concurrency, timeout=options.node_timeout, on_done=done
    )


# --- sinks -----------------------------------------------------------------------------------------


class _SnapshotSink:
    """Documents -> records, through the same ``add_items`` as ``read_bundle`` reads files with."""

    wants_cidr_reservations = False

    def __init__(self, source: str) -> None:
        self.snapshot = ClusterSnapshot(source=source)

    def kube_items(self, spec: layout.BundleFile, items: Iterable[dict[str, Any]]) -> None:
        layout.add_items(self.snapshot, spec, items, source=f"Kubernetes API {spec.kind} list: items")

    def daemonset(self, document: dict[str, Any] | None) -> None:
        if document is not None:
            self.snapshot.daemonset_env = daemonset_env(document, source="aws-node DaemonSet")

    def aws_items(self, spec: layout.BundleFile, items: Iterable[dict[str, Any]]) -> None:
        layout.add_items(self.snapshot, spec, items, source=f"AWS {spec.list_key}")

    def target_health(self, group: dict[str, Any], items: list[dict[str, Any]]) -> None:
        source = f"AWS TargetHealthDescriptions of {group.get('TargetGroupName')}"
        layout.add_target_health(self.snapshot, group["TargetGroupArn"], items, source=source)

    def ipamd(self, node: str, bodies: Mapping[str, bytes | None], error: str | None) -> None:
        self.snapshot.ipamd_collected = True
        parsed = parse_node_bodies(bodies, source=f"ipamd on {node}")
        if error:
            parsed.problems["enis"] = f"ipamd on {node}: could not be fetched ({error})"
        self.snapshot.ipamd[node] = parsed

    def cidr_reservations(self, subnet_id: str, items: Iterable[dict[str, Any]]) -> None:
        source = f"AWS {layout.CIDR_RESERVATIONS_KEY} of {subnet_id}"
        layout.add_cidr_reservations(self.snapshot, subnet_id, items, source=source)


class _BundleSink:
    """Documents -> bundle files, in the shapes kubectl and the AWS CLI write."""

    wants_cidr_reservations = True

    def __init__(self, writer: layout.BundleWriter) -> None:
        self.writer = writer

    def kube_items(self, spec: layout.BundleFile, items: Iterable[dict[str, Any]]) -> None:
        self.writer.write_list(
            spec,
            "items",
            items,
            header={"apiVersion": "v1", "kind": "List", "metadata": {"resourceVersion": ""}},
        )

    def daemonset(self, document: dict[str, Any] | None) -> None:
        if document is not None:
            self.writer.write_document(layout.DAEMONSET, document)

    def aws_items(self, spec: layout.BundleFile, items: Iterable[dict[str, Any]]) -> None:
        assert spec.list_key is not None
        self.writer.write_list(spec, spec.list_key, items)

    def target_health(self, group: dict[str, Any], items: list[dict[str, Any]]) -> None:
        self.writer.write_target_health(group.get("TargetGroupName"), items)

    def ipamd(self, node: str, bodies: Mapping[str, bytes | None], error: str | None) -> None:
        self.writer.write_ipamd(node, bodies, error)

    def cidr_reservations(self, subnet_id: str, items: Iterable[dict[str, Any]]) -> None:
        self.writer.write_list(
            f"{layout.CIDR_RESERVATIONS_DIR}/{subnet_id}.json", layout.CIDR_RESERVATIONS_KEY, items
        )


# --- progress ------------------------------------------------------------------------------------


class _Counter:
    """Running totals per task, reported to the caller's ``Progress`` callback."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.done: dict[str, int] = {}
        self.totals: dict[str, int | None] = {}

    def start(self, task: str, total: int | None) -> None:
        self.done[task], self.totals[task] = 0, total
        self.progress(task, 0, total)

    def advance(self, task: str, amount: int) -> None:
        self.done[task] = self.done.get(task, 0) + amount
        self.progress(task, self.done[task], self.totals.get(task))
