"""The bundle: a folder of the documents verification reads, each one a person can save by hand.

Layout (``BUNDLE_FILES``; docs/verification.md shows the commands)::

    pods.json                    kubectl get pods -A -o json                           required
    nodes.json                   kubectl get nodes -o json                             required
    vpcs.json                    aws ec2 describe-vpcs --vpc-ids VPC                   required
    subnets.json                 aws ec2 describe-subnets --filters Name=vpc-id,...    required
    network-interfaces.json      aws ec2 describe-network-interfaces --filters ...     required
    eniconfigs.json              kubectl get eniconfigs.crd.k8s.amazonaws.com -o json
    aws-node-daemonset.json      kubectl get ds aws-node -n kube-system -o json
    ingresses.json, services.json, targetgroupbindings.json       (end-to-end check)
    elbv2/target-groups.json, elbv2/target-health/<target group name>.json
    ipamd/<node name>/{enis,pods,networkutils-env-settings,ipamd-env-settings,eni-configs}.json
    autoscaling-instances.json   aws autoscaling describe-auto-scaling-instances       (replacement plan)
    subnet-cidr-reservations/<subnet id>.json   aws ec2 get-subnet-cidr-reservations (ekslab ips)

A missing required file, or one that is not the expected document, is an ``InputError`` (exit 2)
naming the file and the command that makes it. Large lists are streamed, never loaded whole.
``BundleWriter`` writes the same layout for ``ekslab collect``, into a temporary folder renamed into
place at the end, so a failed collection leaves nothing half-written.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, NamedTuple

from ekslab.errors import InputError
from ekslab.files import output_folder, read_text
from ekslab.ipamd.models import ENDPOINTS, NodeIpamd
from ekslab.jsondoc import JsonListReader, StructListReader, read_single_document
from ekslab.sources import forked
from ekslab.sources.bundle_paths import confined, node_folder_name, target_group_file_name
from ekslab.sources.forked import ForkedRead
from ekslab.sources.ipamd_files import read_node_directory
from ekslab.sources.records import (
    CidrReservationRecord,
    EniRecord,
    PodRecord,
    SubnetRecord,
    VpcRecord,
    auto_scaling_instance_record,
    cidr_reservation_record,
    daemonset_env,
    eni_record,
    eniconfig_record,
    ingress_record,
    node_record,
    service_record,
    subnet_record,
    target_group_binding_record,
    target_group_record,
    target_health_record,
    vpc_record,
)
from ekslab.sources.snapshot import ClusterSnapshot, TargetInputs


@dataclass(frozen=True)
class BundleFile:
    """One document of the bundle: where it lives, how to make it by hand, and how it is read."""

    path: str
    command: str
    list_key: str | None
    """The streamed list member; ``None`` for a single document (the DaemonSet)."""
    kind: str | None = None
    """Kubernetes kind of the items, or ``None`` for AWS documents."""
    required: bool = False

    @property
    def expected(self) -> str:
        return f"the output of `{self.command}`"


PODS: Final = BundleFile("pods.json", "kubectl get pods -A -o json", "items", "Pod", required=True)
NODES: Final = BundleFile("nodes.json", "kubectl get nodes -o json", "items", "Node", required=True)
VPCS: Final = BundleFile(
    "vpcs.json", "aws ec2 describe-vpcs --vpc-ids <cluster VPC> --output json", "Vpcs", required=True
)
SUBNETS: Final = BundleFile(
    "subnets.json",
    "aws ec2 describe-subnets --filters Name=vpc-id,Values=<cluster VPC> --output json",
    "Subnets",
    required=True,
)
NETWORK_INTERFACES: Final = BundleFile(
    "network-interfaces.json",
    "aws ec2 describe-network-interfaces --filters Name=vpc-id,Values=<cluster VPC> --output json",
    "NetworkInterfaces",
    required=True,
)
ENICONFIGS: Final = BundleFile(
    "eniconfigs.json", "kubectl get eniconfigs.crd.k8s.amazonaws.com -o json", "items", "ENIConfig"
)
DAEMONSET: Final = BundleFile(
    "aws-node-daemonset.json", "kubectl get ds aws-node -n kube-system -o json", None
)
INGRESSES: Final = BundleFile("ingresses.json", "kubectl get ingress -A -o json", "items", "Ingress")
SERVICES: Final = BundleFile("services.json", "kubectl get services -A -o json", "items", "Service")
TARGET_GROUP_BINDINGS: Final = BundleFile(
    "targetgroupbindings.json",
    "kubectl get targetgroupbindings.elbv2.k8s.aws -A -o json",
    "items",
    "TargetGroupBinding",
)
TARGET_GROUPS: Final = BundleFile(
    "elbv2/target-groups.json", "aws elbv2 describe-target-groups --output json", "TargetGroups"
)
AUTOSCALING_INSTANCES: Final = BundleFile(
    "autoscaling-instances.json",
    "aws autoscaling describe-auto-scaling-instances --instance-ids <instances of nodes without the "
    "eks.amazonaws.com/nodegroup label> --output json",
    "AutoScalingInstances",
)
TARGET_HEALTH_DIR: Final = "elbv2/target-health"
TARGET_HEALTH_COMMAND: Final = "aws elbv2 describe-target-health --target-group-arn <ARN> --output json"
IPAMD_DIR: Final = "ipamd"
CIDR_RESERVATIONS_DIR: Final = "subnet-cidr-reservations"
CIDR_RESERVATIONS_KEY: Final = "SubnetIpv4CidrReservations"
CIDR_RESERVATIONS_COMMAND: Final = (
    "aws ec2 get-subnet-cidr-reservations --subnet-id <subnet id> --output json"
)
SUBNET_ID_PATTERN: Final = re.compile(r"subnet-[0-9A-Za-z]+")
"""A subnet id that is safe as a file name (the reservations file is named after it)."""
FETCH_ERROR_FILE: Final = "fetch-error.txt"
"""Written by ``ekslab collect`` in a node's ipamd folder when its introspection could not be fetched."""

BUNDLE_FILES: Final = (
    PODS,
    NODES,
    VPCS,
    SUBNETS,
    NETWORK_INTERFACES,
    ENICONFIGS,
    DAEMONSET,
    INGRESSES,
    SERVICES,
    TARGET_GROUP_BINDINGS,
    TARGET_GROUPS,
    AUTOSCALING_INSTANCES,
)
_RECORDS: Final[Mapping[BundleFile, Callable[..., Any]]] = {
    NODES: node_record,
    VPCS: vpc_record,
    SUBNETS: subnet_record,
    NETWORK_INTERFACES: eni_record,
    ENICONFIGS: eniconfig_record,
    INGRESSES: ingress_record,
    SERVICES: service_record,
    TARGET_GROUP_BINDINGS: target_group_binding_record,
    TARGET_GROUPS: target_group_record,
    AUTOSCALING_INSTANCES: auto_scaling_instance_record,
}


# --- documents into a snapshot ---------------------------------------------------------------------


def add_items(snapshot: ClusterSnapshot, spec: BundleFile, items: Iterable[Any], *, source: str) -> None:
    """Turn the items of one list document into records and put them where the checks read them.

    The bundle reader (files) and the live reader (API pages) both come through here, so that the
    same list verifies the same way from either. ``source`` names the list in errors, e.g.
    ``bundle/pods.json: items``. Services, TargetGroupBindings and target groups are kept only
    once Ingresses are (the end-to-end check needs nothing else).
    """
    if spec is PODS:
        snapshot.add_pods(items, source=source)
        return
    make = _RECORDS[spec]
    records = (make(item, position=position, source=source) for position, item in enumerate(items))
    if spec is NODES:
        snapshot.nodes.update((record.name, record) for record in records)
    elif spec is VPCS:
        snapshot.vpcs = list(records)
    elif spec is SUBNETS:
        snapshot.subnets = {record.subnet_id: record for record in records}
    elif spec is NETWORK_INTERFACES:
        snapshot.enis = {record.eni_id: record for record in records}
    elif spec is ENICONFIGS:
        snapshot.eniconfigs = {record.name: record for record in records}
    elif spec is AUTOSCALING_INSTANCES:
        snapshot.auto_scaling_groups = {record.instance_id: record.group for record in records}
    elif spec is INGRESSES:
        snapshot.targets = TargetInputs(ingresses=list(records), services=[], bindings=None)
    elif snapshot.targets is not None:
        if spec is SERVICES:
            snapshot.targets.services = list(records)
        elif spec is TARGET_GROUP_BINDINGS:
            snapshot.targets.bindings = list(records)
        elif spec is TARGET_GROUPS:
            snapshot.targets.target_groups = {record.arn: record for record in records}


def add_cidr_reservations(
    snapshot: ClusterSnapshot, subnet_id: str, items: Iterable[Any], *, source: str
) -> None:
    """The IPv4 CIDR reservations of one subnet, as ``add_items`` does for lists."""
    if snapshot.cidr_reservations is None:
        snapshot.cidr_reservations = {}
    snapshot.cidr_reservations[subnet_id] = [
        cidr_reservation_record(item, position=position, source=source) for position, item in enumerate(items)
    ]


def add_target_health(
    snapshot: ClusterSnapshot, target_group_arn: str, items: Iterable[Any], *, source: str
) -> None:
    """The registered targets of one target group (``describe-target-health``), as ``add_items`` does."""
    if snapshot.targets is not None:
        snapshot.targets.target_health[target_group_arn] = [
            target_health_record(item, position=position, source=source)
            for position, item in enumerate(items)
        ]


# --- reading ---------------------------------------------------------------------------------------


ProgressCallback = Callable[[str, int, int | None], None]
"""The shape of ``ekslab.sources.live.Progress``: told what is being read (``pods.json``), how many
of its items so far (0 when it starts, then every ``PROGRESS_EVERY`` items) and the total when known
(ipamd node folders). The CLI shows it on a terminal; the reader never prints."""
PROGRESS_EVERY: Final = 5000


@dataclass
class AfterRead:
    """Work on the whole snapshot for ``read_bundle``'s child to do once the bundle is read (the
    report's IP-ledger section, say): ``work`` runs there on the child's own snapshot, made equal to
    this process's by sending it what this process read (``ParentReads``), so that neither process
    shares the pages of the other's records (a forked child that shares them costs this process a
    copy-on-write fault on each page it then writes, 0.15-0.2 s of the checks on 150,000 pods).
    ``pending`` is then its answer to come (``ForkedRead.result``), None where there is no child."""

    work: Callable[[ClusterSnapshot], Any]
    result_type: Any
    pending: ForkedRead[Any] | None = None


class ParentReads(NamedTuple):
    """What ``read_bundle`` reads in this process after forking its child: sent to the child for
    ``AfterRead``. Each field is the ``ClusterSnapshot`` field of its name."""

    pods: list[PodRecord]
    vpcs: list[VpcRecord]
    subnets: dict[str, SubnetRecord]
    auto_scaling_groups: dict[str, str]
    cidr_reservations: dict[str, list[CidrReservationRecord]] | None
    notes: list[str]


def read_bundle(
    directory: str | os.PathLike[str],
    *,
    progress: ProgressCallback | None = None,
    pod_columns: bool = True,
    fork: bool = False,
    after: AfterRead | None = None,
) -> ClusterSnapshot:
    """Read a bundle folder into a snapshot; bad or missing required documents raise InputError.

    ``progress`` (optional) follows the long lists (nodes, pods, ENIs) and the ipamd folders;
    ``pod_columns``: see ``ClusterSnapshot.pod_columns``. ``fork``: read the ipamd folders and the
    ENI list in a child process on another CPU where that is safe (``ekslab.sources.forked``; the
    commands do, for a program that may fork), while this one reads the pod list; the snapshot and
    the errors are the same either way. ``after``: work that child then does on the whole
    snapshot (see ``AfterRead``); its ``pending`` is set when there is such a child."""
    root = Path(directory)
    if not root.is_dir():
        problem = "is not a folder" if root.exists() else "no such folder"
        raise InputError(
            str(directory),
            f"{problem}; expected a bundle folder",
            hint="make one with `ekslab collect` or by hand, see docs/verification.md",
        )
    present = {spec: _present(root, spec) for spec in BUNDLE_FILES}
    for spec in BUNDLE_FILES:
        if spec.required and not present[spec]:
            raise InputError(f"{root / spec.path}", f"missing; expected {spec.expected}")
    snapshot = ClusterSnapshot(source=f"bundle {root}", pod_columns=pod_columns)
    label = _Labeller(root)

    # Optional documents first: the pods pass needs to know which namespaces' labels to keep.
    if present[ENICONFIGS]:
        _read_list(root, ENICONFIGS, snapshot, label)
    if present[DAEMONSET]:
        document = read_single_document(
            root / DAEMONSET.path, source=label(DAEMONSET.path), expected=DAEMONSET.expected
        )
        snapshot.daemonset_env = daemonset_env(document, source=label(DAEMONSET.path))
    _read_target_inputs(root, snapshot, label)

    _read_list(root, NODES, snapshot, label, progress)
    # The ipamd folders need only the node names, the ENI list nothing: a child reads them while
    # this process reads the pods (on the 150,000-pod benchmark bundle, 1.2 s of work beside 1.6 s).
    names = frozenset(snapshot.nodes)
    ahead = (
        forked.start(
            lambda: _read_ahead(root, names, snapshot, label),
            AheadReads,
            then=None if after is None else lambda reads: _work_after(snapshot, reads, after.work),
            then_type=ParentReads,
        )
        if fork
        else None
    )
    try:
        _read_list(root, PODS, snapshot, label, progress)
        _read_list(root, VPCS, snapshot, label, progress)
        if not snapshot.vpcs:
            raise InputError(label(VPCS.path), f"lists no VPC; expected {VPCS.expected}")
        _read_list(root, SUBNETS, snapshot, label, progress)
        read = ahead.result() if ahead is not None else None  # None: no child, or no answer from it
        _read_enis(root, snapshot, label, progress, read)
        if present[AUTOSCALING_INSTANCES]:
            _read_list(root, AUTOSCALING_INSTANCES, snapshot, label)
        _read_ipamd(root, snapshot, label, progress, read)
        _read_cidr_reservations(root, snapshot, label)
    except BaseException:
        if ahead is not None:
            ahead.cancel()
        raise
    if ahead is not None and after is not None and read is not None:
        reads = ParentReads(*(getattr(snapshot, name) for name in ParentReads._fields))
        after.pending = ahead.follow(reads, after.result_type)
    elif ahead is not None:
        ahead.cancel()
    return snapshot


def _present(root: Path, spec: BundleFile) -> bool:
    """Whether the bundle has ``spec``'s file; a folder (or other non-file) in its place, or a
    symlink out of the bundle, is refused."""
    path = confined(root, spec.path, source=str(root / spec.path))
    if path.is_file():
        return True
    if path.is_dir():
        raise InputError(str(path), f"is a directory, expected {spec.expected}")
    if path.exists():
        raise InputError(str(path), f"is not a regular file, expected {spec.expected}")
    return False


class _Labeller:
    """Names files relative to the bundle in messages (``pods.json``), as a person would say them."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def __call__(self, relative: str) -> str:
        return str(self.root / relative)


def _list_reader(root: Path, spec: BundleFile, label: _Labeller, *, pod_columns: bool) -> JsonListReader:
    assert spec.list_key is not None
    options = {"source": label(spec.path), "expected": spec.expected}
    if spec is PODS:
        # 150,000 pods are most of a large bundle: decode only the fields the records keep.
        from ekslab.sources.pod_fields import PodColumnFields, PodFields

        fields = PodColumnFields if pod_columns else PodFields
        return StructListReader(root / spec.path, spec.list_key, fields, **options)
    if spec in (NODES, NETWORK_INTERFACES):
        # 5,000 nodes and 20,000 ENIs: the same JSON objects, decoded by msgspec in batches.
        return StructListReader(root / spec.path, spec.list_key, dict[str, Any], **options)
    return JsonListReader(root / spec.path, spec.list_key, **options)


def _read_list(
    root: Path,
    spec: BundleFile,
    snapshot: ClusterSnapshot,
    label: _Labeller,
    progress: ProgressCallback | None = None,
) -> None:
    reader = _list_reader(root, spec, label, pod_columns=snapshot.pod_columns)
    items: Iterable[Any] = reader if progress is None else _counted(reader, spec.path, progress)
    add_items(snapshot, spec, items, source=f"{label(spec.path)}: {spec.list_key}")
    _check_header(reader, spec)


def _counted(items: Iterable[Any], what: str, progress: ProgressCallback) -> Iterator[Any]:
    progress(what, 0, None)
    for count, item in enumerate(items, 1):
        if count % PROGRESS_EVERY == 0:
            progress(what, count, None)
        yield item


def _check_header(reader: JsonListReader, spec: BundleFile) -> None:
    """The list must be whole: not one page of a longer one, and of the expected kind."""
    header = reader.header
    if spec.kind is not None:
        kind = header.get("kind")
        if kind not in (None, "List", f"{spec.kind}List"):
            raise InputError(reader.source, f"must be a list of {spec.kind} objects ({spec.expected})", kind)
        token = (
            (header.get("metadata") or {}).get("continue")
            if isinstance(header.get("metadata"), dict)
            else None
        )
        if token:
            raise InputError(
                reader.source,
                "is one page of a longer list (metadata.continue is set); "
                f"save the whole list with `{spec.command}`",
            )
    elif header.get("NextToken"):
        raise InputError(
            reader.source,
            "is one page of a longer list (NextToken is set); "
            f"save the whole list with `{spec.command}` (without --no-paginate)",
        )


def _read_target_inputs(root: Path, snapshot: ClusterSnapshot, label: _Labeller) -> None:
    if not (root / INGRESSES.path).is_file():
        return
    for spec in (INGRESSES, SERVICES, TARGET_GROUP_BINDINGS, TARGET_GROUPS):
        if (root / spec.path).is_file():
            _read_list(root, spec, snapshot, label)
    assert snapshot.targets is not None
    for group in (snapshot.targets.target_groups or {}).values():
        # The record reader refused any name ELBv2 would not allow (TARGET_GROUP_NAME), so the name
        # is one path component; confined() below still holds the path inside the bundle.
        relative = f"{TARGET_HEALTH_DIR}/{group.name}.json"
        path = confined(root, relative, source=label(relative))
        if not path.is_file():
            snapshot.targets.target_health[group.arn] = None
            continue
        reader = JsonListReader(
            path,
            "TargetHealthDescriptions",
            source=label(relative),
            expected=f"the output of `{TARGET_HEALTH_COMMAND}`",
        )
        add_target_health(snapshot, group.arn, reader, source=f"{label(relative)}: TargetHealthDescriptions")


def _read_cidr_reservations(root: Path, snapshot: ClusterSnapshot, label: _Labeller) -> None:
    """``subnet-cidr-reservations/<subnet id>.json`` of each subnet, where the folder exists."""
    folder = root / CIDR_RESERVATIONS_DIR
    if not folder.is_dir():
        return
    snapshot.cidr_reservations = {}
    for subnet_id in snapshot.subnets:
        if not SUBNET_ID_PATTERN.fullmatch(subnet_id):
            continue  # never a path: the ledger names its reservations as not in the input
        relative = f"{CIDR_RESERVATIONS_DIR}/{subnet_id}.json"
        if not (root / relative).is_file():
            continue
        reader = JsonListReader(
            root / relative,
            CIDR_RESERVATIONS_KEY,
            source=label(relative),
            expected=f"the output of `{CIDR_RESERVATIONS_COMMAND}`",
        )
        add_cidr_reservations(
            snapshot, subnet_id, reader, source=f"{label(relative)}: {CIDR_RESERVATIONS_KEY}"
        )
        if reader.header.get("NextToken"):
            raise InputError(
                reader.source,
                f"is one page of a longer list (NextToken is set); save the whole list with "
                f"`{CIDR_RESERVATIONS_COMMAND}`",
            )
    for entry in sorted(folder.iterdir()):
        if entry.suffix == ".json" and entry.stem not in snapshot.subnets:
            snapshot.notes.append(
                f"{label(f'{CIDR_RESERVATIONS_DIR}/{entry.name}')}: no subnet of that id in "
                f"{SUBNETS.path}, ignored"
            )


class IpamdFolders(NamedTuple):
    """What the ``ipamd/`` folder of a bundle holds: whether there is one, each known node's data,
    and the notes on folders of unknown nodes."""

    collected: bool
    nodes: dict[str, NodeIpamd]
    notes: list[str]


class AheadReads(NamedTuple):
    """What ``read_bundle``'s child reads while this process reads the pod list: the ipamd folders
    and the ENI list (``ClusterSnapshot.enis``), each as read or as the one line its read was
    refused with, raised by this process where its own read of that document would have been."""

    ipamd: IpamdFolders | str
    enis: dict[str, EniRecord] | str


def _read_ahead(
    root: Path, node_names: frozenset[str], snapshot: ClusterSnapshot, label: _Labeller
) -> AheadReads:
    """In the child: the ipamd folders of ``node_names``, then the ENI list, into ``snapshot`` (the
    child's copy of the parent's) and the answer, each read on its own so that a refusal of one
    keeps its place."""
    try:
        ipamd: IpamdFolders | str = _ipamd_folders(root, node_names, label)
        _put_ipamd(snapshot, ipamd)
    except InputError as error:
        ipamd = error.message
    try:
        _read_list(root, NETWORK_INTERFACES, snapshot, label)
        enis: dict[str, EniRecord] | str = snapshot.enis
    except InputError as error:
        enis = error.message
    return AheadReads(ipamd, enis)


def _work_after(snapshot: ClusterSnapshot, reads: ParentReads, work: Callable[[ClusterSnapshot], Any]) -> Any:
    """In the child, after ``_read_ahead``: ``work`` on ``snapshot`` once it holds what the parent
    read (its notes are the parent's, which include the ipamd folders')."""
    for name, value in zip(ParentReads._fields, reads, strict=True):
        setattr(snapshot, name, value)
    return work(snapshot)


def _read_enis(
    root: Path,
    snapshot: ClusterSnapshot,
    label: _Labeller,
    progress: ProgressCallback | None,
    ahead: AheadReads | None,
) -> None:
    """The ENI list into the snapshot: the child's (``ahead``) when there is one, else read here."""
    if ahead is None:
        _read_list(root, NETWORK_INTERFACES, snapshot, label, progress)
        return
    if isinstance(ahead.enis, str):
        raise InputError("", ahead.enis)
    snapshot.enis = ahead.enis
    if progress is not None:
        progress(NETWORK_INTERFACES.path, len(snapshot.enis), None)


def _read_ipamd(
    root: Path,
    snapshot: ClusterSnapshot,
    label: _Labeller,
    progress: ProgressCallback | None = None,
    ahead: AheadReads | None = None,
) -> None:
    """The ipamd folders into the snapshot: the child's (``ahead``) when there is one, else read here."""
    if ahead is None:
        folders = _ipamd_folders(root, frozenset(snapshot.nodes), label, progress)
    elif isinstance(ahead.ipamd, str):
        raise InputError("", ahead.ipamd)
    else:
        folders = ahead.ipamd
        if progress is not None:
            progress(f"{IPAMD_DIR}/ node folders", len(folders.nodes), len(folders.nodes))
    _put_ipamd(snapshot, folders)


def _put_ipamd(snapshot: ClusterSnapshot, folders: IpamdFolders) -> None:
    snapshot.ipamd_collected = folders.collected
    snapshot.ipamd.update(folders.nodes)
    snapshot.notes.extend(folders.notes)


def _ipamd_folders(
    root: Path, node_names: frozenset[str], label: _Labeller, progress: ProgressCallback | None = None
) -> IpamdFolders:
    """Read the ipamd folder of the nodes named ``node_names`` (in ``nodes.json``); ``progress`` as
    ``read_bundle``'s. Reads only: a forked child can run it (``ekslab.sources.forked``)."""
    folders = IpamdFolders(False, {}, [])
    folder = confined(root, IPAMD_DIR, source=label(IPAMD_DIR))
    if not folder.is_dir():
        return folders
    folders = folders._replace(collected=True)
    with os.scandir(folder) as listing:
        entries = sorted(listing, key=lambda entry: entry.name)
    for count, entry in enumerate(entries):
        if progress is not None and count % (PROGRESS_EVERY // 50) == 0:
            progress(f"{IPAMD_DIR}/ node folders", count, len(entries))
        relative = f"{IPAMD_DIR}/{entry.name}"
        # Only a symlink can lead out of the (confined) ipamd folder: resolve those, not 30,000 paths.
        if entry.is_symlink():
            confined(root, relative, source=label(relative))
        if not entry.is_dir():
            continue
        with os.scandir(entry.path) as files:  # the node's files must not lead out of the bundle either
            for file in files:
                if file.is_symlink():
                    confined(root, f"{relative}/{file.name}", source=label(f"{relative}/{file.name}"))
        if entry.name not in node_names:
            folders.notes.append(f"{label(relative)}: no node of that name in {NODES.path}, ignored")
            continue
        node = read_node_directory(entry.path, source=label(relative))
        error_file = Path(entry.path, FETCH_ERROR_FILE)
        if error_file.is_file():
            reason = read_text(error_file, source=label(f"{relative}/{FETCH_ERROR_FILE}")).strip()
            node.problems["enis"] = f"{label(relative)}: introspection could not be fetched ({reason})"
        folders.nodes[entry.name] = node
    return folders


# --- writing ---------------------------------------------------------------------------------------


class BundleWriter:
    """Writes a bundle into a temporary sibling folder; ``commit`` renames it to its final name.

    Use as a context manager: leaving the block with an exception removes the temporary folder.
    """

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.final = Path(directory)
        if self.final.is_symlink():
            raise InputError(str(self.final), "is a symlink; collect into a new or empty folder")
        if self.final.exists() and (not self.final.is_dir() or any(self.final.iterdir())):
            raise InputError(str(self.final), "already exists; collect into a new or empty folder")
        folder = output_folder(self.final, source=str(self.final))
        try:
            self.root = Path(tempfile.mkdtemp(prefix=f".{self.final.name}.partial-", dir=folder))
        except OSError as error:
            raise InputError(str(self.final), f"cannot be written ({error.strerror})") from None

    def __enter__(self) -> BundleWriter:
        return self

    def __exit__(self, kind: Any, error: Any, trace: Any) -> None:
        if kind is not None:
            shutil.rmtree(self.root, ignore_errors=True)

    def write_list(
        self,
        spec: BundleFile | str,
        list_key: str,
        items: Iterable[Any],
        header: Mapping[str, Any] | None = None,
    ) -> int:
        """Write ``{**header, list_key: [items...]}`` one item at a time; returns the number of items."""
        path = self._path(spec.path if isinstance(spec, BundleFile) else spec)
        count = 0
        with open(path, "w", encoding="utf-8") as handle:
            handle.write("{")
            for key, value in (header or {}).items():
                handle.write(f"{json.dumps(key)}: {json.dumps(value, default=str)}, ")
            handle.write(f"{json.dumps(list_key)}: [")
            for item in items:
                handle.write(",\n" if count else "\n")
                handle.write(json.dumps(item, default=str, separators=(",", ":")))
                count += 1
            handle.write("\n]}\n")
        return count

    def write_document(self, spec: BundleFile | str, document: Any) -> None:
        path = self._path(spec.path if isinstance(spec, BundleFile) else spec)
        path.write_text(json.dumps(document, default=str, indent=2) + "\n", encoding="utf-8")

    def write_ipamd(self, node: str, bodies: Mapping[str, bytes | None], error: str | None = None) -> None:
        """Raw introspection bodies of one node, exactly as received; ``error`` when none could be fetched.

        The node's name names its folder: anything but a DNS-1123 name is refused (``InputError``).
        """
        name = node_folder_name(node, where="Kubernetes API node list: metadata.name")
        folder = self._path(f"{IPAMD_DIR}/{name}/")
        folder.mkdir(exist_ok=True)
        for endpoint in ENDPOINTS:
            body = bodies.get(endpoint)
            if body is not None:
                (folder / f"{endpoint}.json").write_bytes(body)
        if error:
            (folder / FETCH_ERROR_FILE).write_text(error + "\n", encoding="utf-8")

    def write_target_health(self, group_name: str, items: Iterable[Any]) -> int:
        """``describe-target-health`` of one group, in the file named after it (a name ELBv2 allows)."""
        name = target_group_file_name(group_name, where="AWS DescribeTargetGroups: TargetGroupName")
        return self.write_list(f"{TARGET_HEALTH_DIR}/{name}", "TargetHealthDescriptions", items)

    def commit(self) -> Path:
        # mkdtemp made the folder 0700; give it the mode `mkdir` would, as its files have open()'s.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(self.root, 0o777 & ~umask)
        if self.final.exists():
            self.final.rmdir()  # empty, checked in __init__
        os.replace(self.root, self.final)
        return self.final

    def _path(self, relative: str) -> Path:
        path = confined(self.root, relative, source=str(self.final / relative))
        path.parent.mkdir(parents=True, exist_ok=True)
        return path
