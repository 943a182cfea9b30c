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

A missing required file, or one that is not the expected document, is an ``InputError`` (exit 2)
naming the file and the command that makes it. Large lists are streamed, never loaded whole.
``BundleWriter`` writes the same layout for ``ekslab collect``, into a temporary folder renamed into
place at the end, so a failed collection leaves nothing half-written.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from ekslab.errors import InputError
from ekslab.ipamd.models import ENDPOINTS
from ekslab.ipamd.node import read_node_directory
from ekslab.sources.jsondoc import JsonListReader, read_single_document, read_text
from ekslab.sources.records import (
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
from ekslab.verify.snapshot import ClusterSnapshot, TargetInputs


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
TARGET_HEALTH_DIR: Final = "elbv2/target-health"
TARGET_HEALTH_COMMAND: Final = "aws elbv2 describe-target-health --target-group-arn <ARN> --output json"
IPAMD_DIR: Final = "ipamd"
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
)


# --- reading ---------------------------------------------------------------------------------------


def read_bundle(directory: str | os.PathLike[str]) -> ClusterSnapshot:
    """Read a bundle folder into a snapshot; bad or missing required documents raise InputError."""
    root = Path(directory)
    if not root.is_dir():
        raise InputError(
            str(directory),
            "must be a bundle folder (see docs/verification.md)",
            hint="make one with `ekslab collect` or by hand",
        )
    for spec in BUNDLE_FILES:
        if spec.required and not (root / spec.path).is_file():
            raise InputError(f"{root / spec.path}", f"missing; expected {spec.expected}")
    snapshot = ClusterSnapshot(source=f"bundle {root}")
    label = _Labeller(root)

    # Optional documents first: the pods pass needs to know which namespaces' labels to keep.
    if (root / ENICONFIGS.path).is_file():
        snapshot.eniconfigs = {
            record.name: record for record in _records(root, ENICONFIGS, eniconfig_record, label)
        }
    if (root / DAEMONSET.path).is_file():
        document = read_single_document(
            root / DAEMONSET.path, source=label(DAEMONSET.path), expected=DAEMONSET.expected
        )
        snapshot.daemonset_env = daemonset_env(document, source=label(DAEMONSET.path))
    snapshot.targets = _read_target_inputs(root, label)

    for record in _records(root, NODES, node_record, label):
        snapshot.nodes[record.name] = record
    reader = _list_reader(root, PODS, label)
    snapshot.add_pods(reader, source=f"{label(PODS.path)}: items")
    _check_header(reader, PODS)
    snapshot.vpcs = list(_records(root, VPCS, vpc_record, label))
    if not snapshot.vpcs:
        raise InputError(label(VPCS.path), f"lists no VPC; expected {VPCS.expected}")
    snapshot.subnets = {record.subnet_id: record for record in _records(root, SUBNETS, subnet_record, label)}
    snapshot.enis = {
        record.eni_id: record for record in _records(root, NETWORK_INTERFACES, eni_record, label)
    }
    _read_ipamd(root, snapshot, label)
    return snapshot


class _Labeller:
    """Names files relative to the bundle in messages (``pods.json``), as a person would say them."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def __call__(self, relative: str) -> str:
        return str(self.root / relative)


def _list_reader(root: Path, spec: BundleFile, label: _Labeller) -> JsonListReader:
    assert spec.list_key is not None
    return JsonListReader(root / spec.path, spec.list_key, source=label(spec.path), expected=spec.expected)


def _records(root: Path, spec: BundleFile, make: Callable[..., Any], label: _Labeller) -> Iterable[Any]:
    reader = _list_reader(root, spec, label)
    source = f"{label(spec.path)}: {spec.list_key}"
    for position, item in enumerate(reader):
        yield make(item, position=position, source=source)
    _check_header(reader, spec)


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


def _read_target_inputs(root: Path, label: _Labeller) -> TargetInputs | None:
    if not (root / INGRESSES.path).is_file():
        return None
    ingresses = list(_records(root, INGRESSES, ingress_record, label))
    services = (
        list(_records(root, SERVICES, service_record, label)) if (root / SERVICES.path).is_file() else []
    )
    bindings = (
        list(_records(root, TARGET_GROUP_BINDINGS, target_group_binding_record, label))
        if (root / TARGET_GROUP_BINDINGS.path).is_file()
        else None
    )
    inputs = TargetInputs(ingresses=ingresses, services=services, bindings=bindings)
    if (root / TARGET_GROUPS.path).is_file():
        inputs.target_groups = {
            record.arn: record for record in _records(root, TARGET_GROUPS, target_group_record, label)
        }
        for group in inputs.target_groups.values():
            path = root / TARGET_HEALTH_DIR / f"{group.name}.json"
            if not path.is_file():
                inputs.target_health[group.arn] = None
                continue
            relative = f"{TARGET_HEALTH_DIR}/{group.name}.json"
            reader = JsonListReader(
                path,
                "TargetHealthDescriptions",
                source=label(relative),
                expected=f"the output of `{TARGET_HEALTH_COMMAND}`",
            )
            source = f"{label(relative)}: TargetHealthDescriptions"
            inputs.target_health[group.arn] = [
                target_health_record(item, position=position, source=source)
                for position, item in enumerate(reader)
            ]
    return inputs


def _read_ipamd(root: Path, snapshot: ClusterSnapshot, label: _Labeller) -> None:
    folder = root / IPAMD_DIR
    if not folder.is_dir():
        return
    snapshot.ipamd_collected = True
    for entry in sorted(folder.iterdir()):
        if not entry.is_dir():
            continue
        relative = f"{IPAMD_DIR}/{entry.name}"
        if entry.name not in snapshot.nodes:
            snapshot.notes.append(f"{label(relative)}: no node of that name in {NODES.path}, ignored")
            continue
        node = read_node_directory(entry, source=label(relative))
        error_file = entry / FETCH_ERROR_FILE
        if error_file.is_file():
            reason = read_text(error_file, source=label(f"{relative}/{FETCH_ERROR_FILE}")).strip()
            node.problems["enis"] = f"{label(relative)}: introspection could not be fetched ({reason})"
        snapshot.ipamd[entry.name] = node


# --- writing ---------------------------------------------------------------------------------------


class BundleWriter:
    """Writes a bundle into a temporary sibling folder; ``commit`` renames it to its final name.

    Use as a context manager: leaving the block with an exception removes the temporary folder.
    """

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.final = Path(directory)
        if self.final.exists() and (not self.final.is_dir() or any(self.final.iterdir())):
            raise InputError(str(self.final), "already exists; collect into a new or empty folder")
        self.final.parent.mkdir(parents=True, exist_ok=True)
        self.root = Path(tempfile.mkdtemp(prefix=f".{self.final.name}.partial-", dir=self.final.parent))

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
        """Raw introspection bodies of one node, exactly as received; ``error`` when none could be fetched."""
        folder = self.root / IPAMD_DIR / node
        folder.mkdir(parents=True, exist_ok=True)
        for endpoint in ENDPOINTS:
            body = bodies.get(endpoint)
            if body is not None:
                (folder / f"{endpoint}.json").write_bytes(body)
        if error:
            (folder / FETCH_ERROR_FILE).write_text(error + "\n", encoding="utf-8")

    def commit(self) -> Path:
        if self.final.exists():
            self.final.rmdir()  # empty, checked in __init__
        os.replace(self.root, self.final)
        return self.final

    def _path(self, relative: str) -> Path:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        return path
