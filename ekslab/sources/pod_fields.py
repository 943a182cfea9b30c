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


class _Container(msgspec.Struct):
    name: Any = None
    restartPolicy: Any = None


class _ContainerStatus(msgspec.Struct):
    name: Any = None
    ready: Any = None
    started: Any = None
    restartCount: Any = None
    state: dict[str, Any] | None = None


class _Condition(msgspec.Struct):
    type: Any = None
    status: Any = None


class _Metadata(msgspec.Struct):
    name: Any
    namespace: Any = None
    annotations: dict[str, Any] | None = None
    labels: dict[str, Any] | None = None
    creationTimestamp: Any = None


class _Spec(msgspec.Struct):
    nodeName: Any = None
    hostNetwork: Any = None
    containers: list[_Container] | None = None
    initContainers: list[_Container] | None = None


class _Status(msgspec.Struct):
    podIP: Any = None
    phase: Any = None
    conditions: list[_Condition] | None = None
    containerStatuses: list[_ContainerStatus] | None = None
    initContainerStatuses: list[_ContainerStatus] | None = None


class PodFields(msgspec.Struct):
    """One item of a pod list, only what the record needs."""

    metadata: _Metadata
    kind: Any = None
    spec: _Spec | None = None
    status: _Status | None = None
