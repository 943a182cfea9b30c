"""Compact records of the Kubernetes and EC2 objects verification reads, one function per object kind.

The same functions turn items into records whatever their origin: a bundle file written by
``kubectl``/``aws`` or a page from the live APIs. Only the fields the checks need are kept, so
150,000 pods fit in memory (a parsed pod is ~10x its JSON; a record holds only its needed fields).
Unknown fields are ignored and optional fields may be missing; an item that is not the expected
object raises ``InputError`` naming the file, the item's position and the field.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from sys import intern
from typing import Any, Final, NamedTuple

from ekslab.errors import InputError, Verbatim
from ekslab.jsondoc import loads
from ekslab.network.addresses import canonical_cidr, canonical_ip, parse_network
from ekslab.sources.bundle_paths import TARGET_GROUP_NAME, TARGET_GROUP_NAME_RULE

POD_ENI_ANNOTATION: Final = "vpc.amazonaws.com/pod-eni"
"""Security groups for pods: JSON list of the pod's branch ENIs (cni-facts.md §5)."""
COMPUTE_TYPE_LABEL: Final = "eks.amazonaws.com/compute-type"
"""Node label that is ``fargate`` on Fargate nodes."""
TARGET_TYPE_ANNOTATION: Final = "alb.ingress.kubernetes.io/target-type"
"""AWS Load Balancer Controller: ``ip`` registers pod IPs in the target group (default ``instance``)."""
NODEGROUP_LABEL: Final = "eks.amazonaws.com/nodegroup"
"""Node label naming the node's EKS managed node group."""
POD_ENI_RESOURCE: Final = "vpc.amazonaws.com/pod-eni"
"""Extended resource the VPC resource controller advertises on nodes with a trunk ENI (cni-facts.md §5)."""
CNI_ROLE_TAG: Final = "kubernetes.io/role/cni"
"""Subnet tag of enhanced subnet discovery: ``1`` opts a subnet in, ``0`` excludes it (CNI README)."""
_MAX_COUNT_DIGITS: Final = 9
AWS_NODE_CONTAINER: Final = "aws-node"
"""The container of the aws-node DaemonSet that runs ipamd (``daemonset_env`` keys)."""
_EMPTY: Final[Mapping[str, Any]] = {}


# --- Kubernetes --------------------------------------------------------------------------------------


class BranchEni(NamedTuple):
    """One entry of a pod's ``vpc.amazonaws.com/pod-eni`` annotation (security groups for pods)."""

    eni_id: str
    private_ip: str | None
    ipv6_address: str | None


class PodRecord(NamedTuple):
    """What the checks need of a pod.

    ``branch_enis`` is ``None`` without the security-groups-for-pods annotation; ``branch_error``
    says why the annotation could not be read. ``ready`` and ``labels`` are only kept for pods in
    namespaces whose Services back an ip-target Ingress (``None`` otherwise).

    For the ``kubectl get pods`` columns of ``ekslab pods``: ``ready_containers`` of ``containers``
    (READY), ``restarts`` (RESTARTS) and ``created`` (``metadata.creationTimestamp`` in Unix
    seconds, for AGE); small ints, so that 150,000 pods stay light. ``None`` where the pod does not
    say (or says it with the wrong type: these are shown, never checked).
    """

    namespace: str
    name: str
    node: str | None
    ip: str | None
    phase: str | None
    host_network: bool
    branch_enis: tuple[BranchEni, ...] | None = None
    branch_error: str | None = None
    ready: bool | None = None
    labels: Mapping[str, str] | None = None
    ready_containers: int | None = None
    containers: int | None = None
    restarts: int | None = None
    created: int | None = None

    @property
    def key(self) -> str:
        return f"{self.namespace}/{self.name}"


def pod_record(
    item: Any,
    *,
    position: int,
    source: str,
    label_namespaces: frozenset[str] = frozenset(),
    columns: bool = True,
) -> PodRecord:
    """The record of one item of a pod list (``kubectl get pods -A -o json`` or an API page).

    ``item`` is the decoded JSON object, or the ``ekslab.sources.pod_fields`` Struct of it (the same
    members, decoded without the rest); both give the same record and the same errors. ``columns``:
    fill the container counts and creation time, which only ``ekslab pods`` shows (READY, RESTARTS,
    AGE); without them they are ``None``.
    """
    if hasattr(item, "__struct_fields__"):
        return _struct_pod_record(
            item, position=position, source=source, label_namespaces=label_namespaces, columns=columns
        )
    try:
        kind = _member(item, "kind")
        meta = _required(item, "metadata")
        name = _required(meta, "name")
        namespace = _member(meta, "namespace") or "default"
        spec = _member(item, "spec") or _EMPTY
        status = _member(item, "status") or _EMPTY
        ip = _member(status, "podIP") or None
        annotations = _member(meta, "annotations")
        branch_text = annotations.get(POD_ENI_ANNOTATION) if annotations else None
        node = _member(spec, "nodeName") or None
        host_network = _member(spec, "hostNetwork") is True
        phase = _member(status, "phase") or None
    except (KeyError, TypeError, AttributeError):
        raise _item_error(source, position, "must be a Pod object with metadata.name", item) from None
    _check_pod(kind, name, namespace, ip, node, phase, source=source, position=position)
    ready = labels = None
    if namespace in label_namespaces:
        labels = _pod_labels(_member(meta, "labels"), source=source, position=position)
        ready = _pod_ready(_member(status, "conditions"), _member)
    counts, created = _NO_COLUMNS, None
    if columns:
        counts = _container_counts(
            _objects(_member(spec, "containers")),
            _objects(_member(spec, "initContainers")),
            _objects(_member(status, "containerStatuses")),
            _objects(_member(status, "initContainerStatuses")),
            _member,
        )
        created = _unix_seconds(_member(meta, "creationTimestamp"))
    return _pod(namespace, name, node, ip, phase, host_network, branch_text, ready, labels, counts, created)


def _struct_pod_record(
    item: Any, *, position: int, source: str, label_namespaces: frozenset[str], columns: bool
) -> PodRecord:
    """``pod_record`` of a ``PodFields`` Struct: the Struct's types say which members are objects and
    lists of objects (an item of another shape was decoded in full), so its fields are read directly."""
    meta = item.metadata
    spec = item.spec
    status = item.status
    name = meta.name
    namespace = meta.namespace or "default"
    branch_text = meta.annotations.pod_eni if meta.annotations is not None else None
    ip = (status.podIP or None) if status is not None else None
    phase = (status.phase or None) if status is not None else None
    node = (spec.nodeName or None) if spec is not None else None
    host_network = spec is not None and spec.hostNetwork is True
    _check_pod(item.kind, name, namespace, ip, node, phase, source=source, position=position)
    ready = labels = None
    if namespace in label_namespaces:
        labels = _pod_labels(meta.labels_value(), source=source, position=position)
        ready = _pod_ready(status.conditions_value() if status is not None else None, _member)
    counts, created = _NO_COLUMNS, None
    if columns:  # a Struct with the columns' fields (pod_fields.PodColumnFields)
        counts = _container_counts(
            (spec.containers or ()) if spec is not None else (),
            (spec.initContainers or ()) if spec is not None else (),
            (status.containerStatuses or ()) if status is not None else (),
            (status.initContainerStatuses or ()) if status is not None else (),
            getattr,
        )
        created = _unix_seconds(meta.creationTimestamp)
    return _pod(namespace, name, node, ip, phase, host_network, branch_text, ready, labels, counts, created)


def _check_pod(
    kind: Any, name: Any, namespace: Any, ip: Any, node: Any, phase: Any, *, source: str, position: int
) -> None:
    if kind not in (None, "Pod"):
        raise _item_error(source, position, "must be a Pod", kind, field="kind")
    if not isinstance(name, str):
        raise _item_error(source, position, "must be a string", name, field="metadata.name")
    if not isinstance(namespace, str):
        raise _item_error(source, position, "must be a string", namespace, field="metadata.namespace")
    if ip is not None and not isinstance(ip, str):
        raise _item_error(source, position, "must be a string", ip, field="status.podIP")
    if node is not None and not isinstance(node, str):
        raise _item_error(source, position, "must be a string", node, field="spec.nodeName")
    if phase is not None and not isinstance(phase, str):
        raise _item_error(source, position, "must be a string", phase, field="status.phase")


def _pod_labels(value: Any, *, source: str, position: int) -> Mapping[str, Any]:
    labels = value or {}
    if not isinstance(labels, dict):
        raise _item_error(source, position, "must be an object", labels, field="metadata.labels")
    return labels


def _pod_ready(conditions: Any, member: Callable[[Any, str], Any]) -> bool:
    return any(
        _is_object(condition)
        and member(condition, "type") == "Ready"
        and member(condition, "status") == "True"
        for condition in conditions or ()
    )


def _pod(
    namespace: str,
    name: str,
    node: str | None,
    ip: str | None,
    phase: str | None,
    host_network: bool,
    branch_text: Any,
    ready: bool | None,
    labels: Mapping[str, Any] | None,
    counts: tuple[int | None, int | None, int | None],
    created: int | None,
) -> PodRecord:
    if ":" in (ip or ""):
        ip = canonical_ip(ip)  # type: ignore[arg-type]
    branch_enis, branch_error = _branch_enis(branch_text) if branch_text is not None else (None, None)
    # Namespaces, node names and phases repeat across pods: keep one copy of each string.
    return PodRecord(
        intern(namespace),
        name,
        intern(node) if node else None,
        ip,
        intern(phase) if phase else None,
        host_network,
        branch_enis,
        branch_error,
        ready,
        labels,
        *counts,
        created,
    )


_NO_COLUMNS: Final = (None, None, None)


def _container_counts(
    app: Sequence[Any],
    init: Sequence[Any],
    statuses: Sequence[Any],
    init_statuses: Sequence[Any],
    member: Callable[[Any, str], Any],
) -> tuple[int | None, int | None, int | None]:
    """(ready containers, containers, restarts) as ``kubectl get pods`` counts them, from the objects
    of ``spec.containers``, ``spec.initContainers``, ``status.containerStatuses`` and
    ``status.initContainerStatuses``, whose members ``member`` reads.

    Containers are the app containers plus sidecars (init containers with ``restartPolicy: Always``,
    which keep running); a container is ready when its status says ``ready`` while it runs (a sidecar:
    ``started`` and ready); restarts add up every container's ``restartCount``, init containers' too.
    """
    if not app and not statuses:
        return None, None, None
    sidecars = {
        name
        for item in init
        if member(item, "restartPolicy") == "Always" and isinstance(name := member(item, "name"), str)
    }
    ready = 0
    restarts = 0
    for item in statuses:
        if member(item, "ready") is True and _running(member(item, "state")):
            ready += 1
        count = member(item, "restartCount")
        if isinstance(count, int) and not isinstance(count, bool):
            restarts += count
    for item in init_statuses:
        if (
            isinstance(name := member(item, "name"), str)
            and name in sidecars
            and member(item, "started") is True
            and member(item, "ready") is True
        ):
            ready += 1
        count = member(item, "restartCount")
        if isinstance(count, int) and not isinstance(count, bool):
            restarts += count
    return ready, (len(app) or len(statuses)) + len(sidecars), restarts


def _running(state: Any) -> bool:
    return isinstance(state, Mapping) and "running" in state


def _objects(value: Any) -> list[Any]:
    return [item for item in value if _is_object(item)] if isinstance(value, list) else []


# A pod item is a JSON object (dict) or, read through ekslab.sources.pod_fields, a msgspec Struct of
# the same members: these read a member of either the same way.


def _is_object(node: Any) -> bool:
    return isinstance(node, Mapping) or hasattr(node, "__struct_fields__")


def _member(node: Any, key: str) -> Any:
    """``node.get(key)`` of a JSON object, or the Struct's field (None when it was absent)."""
    return node.get(key) if isinstance(node, Mapping) else getattr(node, key)


def _required(node: Any, key: str) -> Any:
    """``node[key]``: KeyError when a JSON object lacks it (a Struct always has its required fields)."""
    return node[key] if isinstance(node, Mapping) else getattr(node, key)


def _unix_seconds(value: Any) -> int | None:
    """An RFC 3339 time (``metadata.creationTimestamp``) in Unix seconds; ``None`` if it is none."""
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return int((parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).timestamp())


def _branch_enis(text: Any) -> tuple[tuple[BranchEni, ...] | None, str | None]:
    try:
        entries = loads(text) if isinstance(text, str) else None
    except json.JSONDecodeError as error:  # JsonLimitError too: nesting, huge numbers, NaN
        return None, f"annotation {POD_ENI_ANNOTATION} is not valid JSON ({error.msg})"
    if not isinstance(entries, list) or not all(isinstance(entry, dict) for entry in entries):
        return None, f"annotation {POD_ENI_ANNOTATION} must be a JSON list of objects"
    branches = []
    for entry in entries:
        eni_id = entry.get("eniId")
        if not isinstance(eni_id, str):
            return None, f"annotation {POD_ENI_ANNOTATION} has an entry without eniId"
        private_ip = entry.get("privateIp") if isinstance(entry.get("privateIp"), str) else None
        ipv6 = entry.get("ipv6Addr") if isinstance(entry.get("ipv6Addr"), str) else None
        branches.append(BranchEni(eni_id, private_ip or None, canonical_ip(ipv6) if ipv6 else None))
    return tuple(branches), None


class NodeRecord(NamedTuple):
    """What the checks need of a node. ``instance_id`` comes from ``spec.providerID``.

    For the convergence checks (``ekslab.verify.convergence``): kubelet's ``status.capacity.pods``
    and ``status.allocatable.pods``, the ``vpc.amazonaws.com/pod-eni`` capacity the VPC resource
    controller advertises (security groups for pods), and ``metadata.creationTimestamp`` in Unix
    seconds; ``None`` where the node does not say.
    """

    name: str
    provider_id: str | None
    instance_id: str | None
    internal_ip: str | None
    labels: Mapping[str, str]
    annotations: Mapping[str, str]
    capacity_pods: int | None = None
    allocatable_pods: int | None = None
    pod_eni_capacity: int | None = None
    created: int | None = None

    @property
    def is_fargate(self) -> bool:
        return self.labels.get(COMPUTE_TYPE_LABEL) == "fargate"


def node_record(item: Any, *, position: int, source: str) -> NodeRecord:
    """The record of one item of a node list (``kubectl get nodes -o json`` or an API page)."""
    try:
        kind = item.get("kind")
        meta = item["metadata"]
        name = meta["name"]
        provider_id = (item.get("spec") or _EMPTY).get("providerID") or None
        addresses = (item.get("status") or _EMPTY).get("addresses") or ()
        internal_ip = next(
            (
                entry.get("address")
                for entry in addresses
                if isinstance(entry, dict) and entry.get("type") == "InternalIP"
            ),
            None,
        )
        labels = meta.get("labels") or {}
        annotations = meta.get("annotations") or {}
        capacity = (item.get("status") or _EMPTY).get("capacity") or _EMPTY
        allocatable = (item.get("status") or _EMPTY).get("allocatable") or _EMPTY
    except (KeyError, TypeError, AttributeError):
        raise _item_error(source, position, "must be a Node object with metadata.name", item) from None
    if kind not in (None, "Node"):
        raise _item_error(source, position, "must be a Node", kind, field="kind")
    if not isinstance(name, str):
        raise _item_error(source, position, "must be a string", name, field="metadata.name")
    for field, value in (("metadata.labels", labels), ("metadata.annotations", annotations)):
        if not isinstance(value, dict):
            raise _item_error(source, position, "must be an object", value, field=field)
    if provider_id is not None and not isinstance(provider_id, str):
        raise _item_error(source, position, "must be a string", provider_id, field="spec.providerID")
    if internal_ip is not None and not isinstance(internal_ip, str):
        internal_ip = None
    counts = []
    for field, resources, key in (
        ("status.capacity.pods", capacity, "pods"),
        ("status.allocatable.pods", allocatable, "pods"),
        (f"status.capacity.{POD_ENI_RESOURCE}", capacity, POD_ENI_RESOURCE),
    ):
        if not isinstance(resources, dict):
            raise _item_error(source, position, "must be an object", resources, field=field.rsplit(".", 1)[0])
        counts.append(_count(resources.get(key), source=source, position=position, field=field))
    return NodeRecord(
        name,
        provider_id,
        instance_id_of(provider_id),
        internal_ip,
        labels,
        annotations,
        *counts,
        _unix_seconds(meta.get("creationTimestamp")),
    )


def _count(value: Any, *, source: str, position: int, field: str) -> int | None:
    """A count resource of a node (``"110"``, as the API serves quantities, or 110); None when absent."""
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= _MAX_COUNT_DIGITS:
        return int(value)
    raise _item_error(source, position, 'must be a whole number such as "110"', value, field=field)


def instance_id_of(provider_id: str | None) -> str | None:
    """``aws:///us-west-2a/i-0abc...`` -> ``i-0abc...``; ``None`` for anything that is not an EC2 instance."""
    if not provider_id or not provider_id.startswith("aws://"):
        return None
    last = provider_id.rsplit("/", 1)[-1]
    return last if last.startswith("i-") else None


class EniConfigRecord(NamedTuple):
    """An ENIConfig custom resource: the pod subnet and security groups for nodes that select it."""

    name: str
    subnet_id: str | None
    security_groups: tuple[str, ...]


def eniconfig_record(item: Any, *, position: int, source: str) -> EniConfigRecord:
    try:
        kind = item.get("kind")
        name = _text(item["metadata"]["name"])
        spec = item.get("spec") or _EMPTY
        subnet = _optional_text(spec.get("subnet") or None)
        groups = tuple(str(group) for group in spec.get("securityGroups") or ())
    except (KeyError, TypeError, AttributeError):
        raise _item_error(source, position, "must be an ENIConfig object with metadata.name", item) from None
    if kind not in (None, "ENIConfig"):
        raise _item_error(source, position, "must be an ENIConfig", kind, field="kind")
    return EniConfigRecord(name, subnet, groups)


def daemonset_env(document: Any, *, source: str) -> dict[str, dict[str, str | None]]:
    """Env of every container (init containers too) of a DaemonSet, by container name.

    A variable set with ``valueFrom`` has the value ``None`` (it is resolved on the node, not in the spec).
    """
    if not isinstance(document, dict) or document.get("kind") not in (None, "DaemonSet"):
        raise InputError(source, "must be a DaemonSet (kubectl get ds aws-node -n kube-system -o json)")
    spec = _member_object(document, "spec", source, "spec")
    template = _member_object(spec, "template", source, "spec.template")
    pod_spec = _member_object(template, "spec", source, "spec.template.spec")
    result: dict[str, dict[str, str | None]] = {}
    for member in ("initContainers", "containers"):
        containers = pod_spec.get(member) or ()
        if not isinstance(containers, list | tuple):
            raise InputError(f"{source}: spec.template.spec.{member}", "must be a list of named containers")
        for index, container in enumerate(containers):
            if not isinstance(container, dict) or not isinstance(container.get("name"), str):
                raise InputError(
                    f"{source}: spec.template.spec.{member}", "must be a list of named containers"
                )
            result[container["name"]] = _container_env(
                container.get("env"), where=f"{source}: spec.template.spec.{member}[{index}].env"
            )
    return result


def _container_env(entries: Any, *, where: str) -> dict[str, str | None]:
    """A container's ``env`` list; a wrong type is refused (ignoring it would let drift pass)."""
    if entries is None:
        return {}
    if not isinstance(entries, list):
        raise InputError(where, "must be a list of {name, value} entries", Verbatim(type(entries).__name__))
    env: dict[str, str | None] = {}
    for position, entry in enumerate(entries):
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            raise InputError(f"{where}[{position}]", "must be an entry with a string name", entry)
        value = entry.get("value")
        if "valueFrom" in entry:
            env[entry["name"]] = None
        elif value is None or isinstance(value, str):
            env[entry["name"]] = value or ""
        else:
            raise InputError(f"{where}[{position}].value", "must be a string", value)
    return env


def _member_object(parent: Mapping[str, Any], key: str, source: str, path: str) -> Mapping[str, Any]:
    """``parent[key]`` when it is an object, ``{}`` when it is missing or null; otherwise an InputError."""
    value = parent.get(key)
    if value is None:
        return _EMPTY
    if not isinstance(value, dict):
        raise InputError(
            f"{source}: {path}", "must be an object", Verbatim("a list") if isinstance(value, list) else value
        )
    return value


class IngressRecord(NamedTuple):
    """An Ingress and the Services (name, port) its rules send traffic to."""

    namespace: str
    name: str
    target_type: str
    backends: tuple[tuple[str, str | None], ...]


def ingress_record(item: Any, *, position: int, source: str) -> IngressRecord:
    try:
        meta = item["metadata"]
        spec = item.get("spec") or _EMPTY
        backends: list[tuple[str, str | None]] = []
        candidates = [spec.get("defaultBackend")]
        for rule in spec.get("rules") or ():
            for path in (rule.get("http") or _EMPTY).get("paths") or ():
                candidates.append(path.get("backend"))
        for backend in candidates:
            service = (backend or _EMPTY).get("service")
            if service and service.get("name"):
                port = service.get("port") or _EMPTY
                number, port_name = port.get("number"), port.get("name")
                entry = (
                    _text(service["name"]),
                    str(number) if number is not None else _optional_text(port_name),
                )
                if entry not in backends:
                    backends.append(entry)
        target_type = _text((meta.get("annotations") or _EMPTY).get(TARGET_TYPE_ANNOTATION, "instance"))
        namespace = _text(meta.get("namespace") or "default")
        return IngressRecord(namespace, _text(meta["name"]), target_type, tuple(backends))
    except (KeyError, TypeError, AttributeError):
        raise _item_error(source, position, "must be an Ingress object with metadata.name", item) from None


class ServiceRecord(NamedTuple):
    namespace: str
    name: str
    selector: Mapping[str, str]
    ports: tuple[tuple[str | None, int | None, str | None], ...]
    """(name, port, targetPort) of each port."""


def service_record(item: Any, *, position: int, source: str) -> ServiceRecord:
    try:
        meta = item["metadata"]
        spec = item.get("spec") or _EMPTY
        ports = tuple(
            (
                _optional_text(port.get("name")),
                port.get("port"),
                str(port["targetPort"]) if "targetPort" in port else None,
            )
            for port in spec.get("ports") or ()
        )
        selector = spec.get("selector") or {}
        if not isinstance(selector, dict):
            raise TypeError("selector")
        return ServiceRecord(_text(meta.get("namespace") or "default"), _text(meta["name"]), selector, ports)
    except (KeyError, TypeError, AttributeError):
        raise _item_error(source, position, "must be a Service object with metadata.name", item) from None


class TargetGroupBindingRecord(NamedTuple):
    """AWS Load Balancer Controller's binding of a target group to a Service port."""

    namespace: str
    name: str
    target_group_arn: str
    target_type: str | None
    service: str
    port: str | None


def target_group_binding_record(item: Any, *, position: int, source: str) -> TargetGroupBindingRecord:
    try:
        meta = item["metadata"]
        spec = item["spec"]
        ref = spec["serviceRef"]
        port = ref.get("port")
        return TargetGroupBindingRecord(
            _text(meta.get("namespace") or "default"),
            _text(meta["name"]),
            _text(spec["targetGroupARN"]),
            _optional_text(spec.get("targetType")),
            _text(ref["name"]),
            str(port) if port is not None else None,
        )
    except (KeyError, TypeError, AttributeError):
        raise _item_error(
            source,
            position,
            "must be a TargetGroupBinding with spec.targetGroupARN and spec.serviceRef",
            item,
        ) from None


# --- EC2 and ELBv2 -----------------------------------------------------------------------------------


class VpcRecord(NamedTuple):
    """A VPC and its CIDR blocks in state ``associated`` (primary and secondary, IPv4 and IPv6)."""

    vpc_id: str
    cidrs: tuple[str, ...]


def vpc_record(item: Any, *, position: int, source: str) -> VpcRecord:
    try:
        vpc_id = _text(item["VpcId"])
        cidrs: list[str] = []
        associations = item.get("CidrBlockAssociationSet")
        if associations is None and item.get("CidrBlock"):
            cidrs.append(_text(item["CidrBlock"]))  # a hand-written document without the association set
        for entry in associations or ():
            if (entry.get("CidrBlockState") or _EMPTY).get("State", "associated") == "associated":
                cidrs.append(_text(entry["CidrBlock"]))
        for entry in item.get("Ipv6CidrBlockAssociationSet") or ():
            if (entry.get("Ipv6CidrBlockState") or _EMPTY).get("State", "associated") == "associated":
                cidrs.append(canonical_cidr(_text(entry["Ipv6CidrBlock"])))
    except (KeyError, TypeError, AttributeError):
        raise _item_error(source, position, "must be a VPC with VpcId and CIDR blocks", item) from None
    _check_cidrs(cidrs, source=source, position=position)
    return VpcRecord(vpc_id, tuple(dict.fromkeys(cidrs)))


class SubnetRecord(NamedTuple):
    """A subnet. ``available_ips`` is EC2's ``AvailableIpAddressCount``; ``cni_role`` the value of its
    ``kubernetes.io/role/cni`` tag (``None`` when untagged)."""

    subnet_id: str
    vpc_id: str | None
    availability_zone: str | None
    cidrs: tuple[str, ...]
    available_ips: int | None = None
    cni_role: str | None = None
    tags: Mapping[str, str] = _EMPTY


def subnet_record(item: Any, *, position: int, source: str) -> SubnetRecord:
    try:
        cidrs = [_text(item["CidrBlock"])] if item.get("CidrBlock") else []
        for entry in item.get("Ipv6CidrBlockAssociationSet") or ():
            if (entry.get("Ipv6CidrBlockState") or _EMPTY).get("State", "associated") == "associated":
                cidrs.append(canonical_cidr(_text(entry["Ipv6CidrBlock"])))
        subnet_id = _text(item["SubnetId"])
        vpc_id = _optional_text(item.get("VpcId"))
        zone = _optional_text(item.get("AvailabilityZone"))
        tags = item.get("Tags") or ()
        cni_role = next(
            (_text(tag["Value"]) for tag in tags if tag.get("Key") == CNI_ROLE_TAG and "Value" in tag), None
        )
        tag_map = _tags(tags)
    except (KeyError, TypeError, AttributeError):
        raise _item_error(source, position, "must be a subnet with SubnetId", item) from None
    available = item.get("AvailableIpAddressCount")
    if available is not None and (
        not isinstance(available, int) or isinstance(available, bool) or available < 0
    ):
        raise _item_error(
            source, position, "must be a whole number", available, field="AvailableIpAddressCount"
        )
    _check_cidrs(cidrs, source=source, position=position)
    return SubnetRecord(subnet_id, vpc_id, zone, tuple(cidrs), available, cni_role, tag_map)


def _check_cidrs(cidrs: list[str], *, source: str, position: int) -> None:
    """Every CIDR block must be one: a garbage block dropped later would fail its pods silently."""
    for cidr in cidrs:
        if parse_network(cidr) is None:
            raise _item_error(source, position, "has a CIDR block that is not one (like 10.0.0.0/16)", cidr)


class EniRecord(NamedTuple):
    """A network interface: where it is attached and every address and prefix it holds.

    ``secondary_ips`` excludes the primary private IP; ``ipv6_addresses`` excludes the primary IPv6.
    """

    eni_id: str
    vpc_id: str | None
    subnet_id: str | None
    interface_type: str | None
    instance_id: str | None
    device_index: int | None
    network_card: int | None
    primary_ip: str | None
    secondary_ips: tuple[str, ...]
    ipv4_prefixes: tuple[str, ...]
    ipv6_addresses: tuple[str, ...]
    ipv6_prefixes: tuple[str, ...]
    description: str | None
    security_groups: tuple[str, ...] = ()
    """``GroupId`` of each of ``Groups``."""
    requester_id: str | None = None
    requester_managed: bool = False
    tags: Mapping[str, str] = _EMPTY
    """``TagSet``: with ``RequesterManaged``, ``RequesterId`` and ``Description``, who made the ENI."""


def eni_record(item: Any, *, position: int, source: str) -> EniRecord:
    """The record of one ``NetworkInterfaces`` item of ``aws ec2 describe-network-interfaces``."""
    try:
        attachment = item.get("Attachment") or _EMPTY
        primary = _optional_text(item.get("PrivateIpAddress"))
        secondary = []
        for entry in item.get("PrivateIpAddresses") or ():
            address = _optional_text(entry.get("PrivateIpAddress"))
            if entry.get("Primary") is True:
                primary = primary or address
            elif address:
                secondary.append(address)
        ipv6 = tuple(
            canonical_ip(_text(entry["Ipv6Address"]))
            for entry in item.get("Ipv6Addresses") or ()
            if entry.get("IsPrimaryIpv6") is not True
        )
        record = EniRecord(
            eni_id=_text(item["NetworkInterfaceId"]),
            vpc_id=_optional_text(item.get("VpcId")),
            subnet_id=_optional_text(item.get("SubnetId")),
            interface_type=_optional_text(item.get("InterfaceType")),
            instance_id=_optional_text(attachment.get("InstanceId") or None),
            device_index=_optional_int(attachment.get("DeviceIndex")),
            network_card=_optional_int(attachment.get("NetworkCardIndex")),
            primary_ip=primary,
            secondary_ips=tuple(secondary),
            ipv4_prefixes=tuple(_text(entry["Ipv4Prefix"]) for entry in item.get("Ipv4Prefixes") or ()),
            ipv6_addresses=ipv6,
            ipv6_prefixes=tuple(
                canonical_cidr(_text(entry["Ipv6Prefix"])) for entry in item.get("Ipv6Prefixes") or ()
            ),
            description=item.get("Description") if isinstance(item.get("Description"), str) else None,
            requester_id=_optional_text(item.get("RequesterId")),
            requester_managed=item.get("RequesterManaged") is True,
            tags=_tags(item.get("TagSet")),
        )
    except (KeyError, TypeError, AttributeError):
        raise _item_error(
            source, position, "must be a network interface with NetworkInterfaceId", item
        ) from None
    try:
        groups = tuple(_text(group["GroupId"]) for group in item.get("Groups") or ())
    except (KeyError, TypeError, AttributeError):
        raise _item_error(
            source,
            position,
            "must be a list of security groups with GroupId",
            item.get("Groups"),
            field="Groups",
        ) from None
    return record._replace(security_groups=groups) if groups else record


class AutoScalingInstanceRecord(NamedTuple):
    """An instance of an Auto Scaling group (``aws autoscaling describe-auto-scaling-instances``)."""

    instance_id: str
    group: str


def auto_scaling_instance_record(item: Any, *, position: int, source: str) -> AutoScalingInstanceRecord:
    try:
        return AutoScalingInstanceRecord(_text(item["InstanceId"]), _text(item["AutoScalingGroupName"]))
    except (KeyError, TypeError, AttributeError):
        raise _item_error(
            source,
            position,
            "must be an Auto Scaling instance with InstanceId and AutoScalingGroupName",
            item,
        ) from None


class CidrReservationRecord(NamedTuple):
    """A subnet CIDR reservation (``aws ec2 get-subnet-cidr-reservations``).

    ``reservation_type`` is ``prefix`` (EC2 assigns the range to network interfaces as prefixes) or
    ``explicit`` (only addresses you assign by hand come from it); see
    https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateSubnetCidrReservation.html
    """

    reservation_id: str
    subnet_id: str | None
    cidr: str
    reservation_type: str
    description: str | None


def cidr_reservation_record(item: Any, *, position: int, source: str) -> CidrReservationRecord:
    try:
        kind = _text(item["ReservationType"])
        record = CidrReservationRecord(
            _text(item["SubnetCidrReservationId"]),
            _optional_text(item.get("SubnetId")),
            canonical_cidr(_text(item["Cidr"])),
            kind,
            _optional_text(item.get("Description")),
        )
    except (KeyError, TypeError, AttributeError, ValueError):
        raise _item_error(
            source,
            position,
            "must be a subnet CIDR reservation with SubnetCidrReservationId, Cidr and ReservationType",
            item,
        ) from None
    if kind not in ("prefix", "explicit"):
        raise _item_error(source, position, "must be prefix or explicit", kind, field="ReservationType")
    return record


class TargetGroupRecord(NamedTuple):
    arn: str
    name: str
    target_type: str | None


def target_group_record(item: Any, *, position: int, source: str) -> TargetGroupRecord:
    try:
        record = TargetGroupRecord(
            _text(item["TargetGroupArn"]),
            _text(item["TargetGroupName"]),
            _optional_text(item.get("TargetType")),
        )
    except (KeyError, TypeError, AttributeError):
        raise _item_error(
            source, position, "must be a target group with TargetGroupArn and TargetGroupName", item
        ) from None
    # The name becomes a file name in a bundle (target-health/<name>.json): hold it to what ELBv2 allows.
    if not TARGET_GROUP_NAME.fullmatch(record.name):
        raise _item_error(source, position, TARGET_GROUP_NAME_RULE, record.name, field="TargetGroupName")
    return record


class TargetHealthRecord(NamedTuple):
    target_id: str
    port: int | None
    state: str
    reason: str | None


def target_health_record(item: Any, *, position: int, source: str) -> TargetHealthRecord:
    try:
        target = item["Target"]
        health = item.get("TargetHealth") or _EMPTY
        return TargetHealthRecord(
            canonical_ip(_text(target["Id"])),
            target.get("Port") if isinstance(target.get("Port"), int) else None,
            _text(health.get("State") or "unknown"),
            _optional_text(health.get("Reason")),
        )
    except (KeyError, TypeError, AttributeError):
        raise _item_error(
            source, position, "must be a target health description with Target.Id", item
        ) from None


# --- field types -------------------------------------------------------------------------------------


def _text(value: Any) -> str:
    """``value`` if it is a string; otherwise TypeError, which the record functions report as a bad item."""
    if not isinstance(value, str):
        raise TypeError(value)
    return value


def _optional_text(value: Any) -> str | None:
    return None if value is None else _text(value)


def _optional_int(value: Any) -> int | None:
    """An integer field (device index...) where a wrong type reads as unknown rather than as an error."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _tags(values: Any) -> Mapping[str, str]:
    """EC2's ``[{"Key": k, "Value": v}, ...]`` as a mapping (``Tags`` of a subnet, ``TagSet`` of an ENI)."""
    if not values:
        return _EMPTY
    return {_text(entry["Key"]): _text(entry.get("Value") or "") for entry in values}


# --- errors ------------------------------------------------------------------------------------------


def _item_error(source: str, position: int, rule: str, given: Any, *, field: str = "") -> InputError:
    # ``source`` names the file and the list, e.g. "pods.json: items" -> "pods.json: items[12].kind".
    where = f"{source}[{position}]" + (f".{field}" if field else "")
    if isinstance(given, dict):
        return InputError(where, f"{rule}, found an object with keys {sorted(given)[:5]}")
    if isinstance(given, list | str | int | float | bool) or given is None:
        return InputError(where, rule, given)
    return InputError(where, rule)
