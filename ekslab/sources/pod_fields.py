"""The fields of a pod that ``ekslab.sources.records.pod_record`` reads, as msgspec Structs.

A pod in ``kubectl get pods -A -o json`` is about 5 KB of JSON, of which the record keeps a few
hundred bytes. Decoding into these Structs (``ekslab.jsondoc.StructListReader``) builds only these
fields and skips the rest in C. ``pod_record`` reads a Struct as it reads the dict. Leaves the record
checks itself are ``Any``, so that its own checks word the errors; every object it reads into is a
Struct or a ``dict``, so that a shape the Structs do not fit (a string where an object belongs)
makes the reader decode that part in full, and the record then refuses it with the same line as
always. Keep these in step with ``pod_record``: a field it reads that is missing here reads as
absent.
"""

from __future__ import annotations

from typing import Any

import msgspec

from ekslab.sources.records import POD_ENI_ANNOTATION

# gc=False: decoded JSON holds no reference cycles, so the collector need not track 150,000 pods' Structs.


class _Container(msgspec.Struct, gc=False):
    name: Any = None
    restartPolicy: Any = None


class _ContainerStatus(msgspec.Struct, gc=False):
    name: Any = None
    ready: Any = None
    started: Any = None
    restartCount: Any = None
    state: dict[str, msgspec.Raw] | None = None
    """Only which state it is in (``running``...), not what the state says."""


class _Annotations(msgspec.Struct, gc=False):
    pod_eni: Any = msgspec.field(default=None, name=POD_ENI_ANNOTATION)


class _Metadata(msgspec.Struct, gc=False):
    name: Any
    namespace: Any = None
    annotations: _Annotations | None = None
    labels: msgspec.Raw = None  # type: ignore[assignment]
    """Kept undecoded: the record reads labels only in the namespaces of ip-target Ingresses."""

    def labels_value(self) -> Any:
        return None if self.labels is None else msgspec.json.decode(self.labels)


class _ColumnMetadata(_Metadata, gc=False):
    creationTimestamp: Any = None


class _Spec(msgspec.Struct, gc=False):
    nodeName: Any = None
    hostNetwork: Any = None


class _ColumnSpec(_Spec, gc=False):
    containers: list[_Container] | None = None
    initContainers: list[_Container] | None = None


class _Status(msgspec.Struct, gc=False):
    podIP: Any = None
    phase: Any = None
    conditions: msgspec.Raw = None  # type: ignore[assignment]
    """Kept undecoded, as ``labels`` (readiness is read with them)."""

    def conditions_value(self) -> Any:
        return None if self.conditions is None else msgspec.json.decode(self.conditions)


class _ColumnStatus(_Status, gc=False):
    containerStatuses: list[_ContainerStatus] | None = None
    initContainerStatuses: list[_ContainerStatus] | None = None


class PodFields(msgspec.Struct, gc=False):
    """One item of a pod list, only what the record needs to judge the pod (``columns=False``)."""

    metadata: _Metadata
    kind: Any = None
    spec: _Spec | None = None
    status: _Status | None = None


class PodColumnFields(PodFields, gc=False):
    """``PodFields`` and what the record's columns need too (``columns=True``, ``ekslab pods``): the
    containers and their statuses, the creation time."""

    metadata: _ColumnMetadata
    spec: _ColumnSpec | None = None
    status: _ColumnStatus | None = None
