"""Parser of ipamd's ``/v1/pods`` body (CNI v1.0-v1.6 only; cni-facts.md §1.4).

The body maps ``"<pod>_<namespace>_<sandbox>"`` (v1.0-v1.4: ``<container>`` for the third part,
which may be empty) to ``{"IP": ..., "DeviceNumber": ...}``. Pod and namespace names cannot hold
``_``, so splitting on the first two underscores is safe. The endpoint was removed in v1.7.0; from
then on the request falls through to ipamd's root handler, which answers ``{"AvailableCommands": [...]}``.
"""

from __future__ import annotations

from typing import Any

from ekslab.ipamd.enis import IpamdFormatError
from ekslab.ipamd.models import IpamdPod
from ekslab.network.addresses import canonical_ip


def parse_pods(document: Any) -> list[IpamdPod] | None:
    """The pods of one ``/v1/pods`` body, or ``None`` when the CNI (v1.7+) does not serve the endpoint."""
    if not isinstance(document, dict):
        raise IpamdFormatError("", "must be a JSON object of pods by '<name>_<namespace>_<sandbox>'")
    if "AvailableCommands" in document and len(document) == 1:
        return None
    pods: list[IpamdPod] = []
    for key, info in sorted(document.items()):
        parts = key.split("_", 2)
        if len(parts) < 2 or not parts[0] or not parts[1]:
            raise IpamdFormatError(key, "must be a pod key '<name>_<namespace>_<sandbox>'")
        if not isinstance(info, dict) or not isinstance(info.get("IP"), str):
            raise IpamdFormatError(key, "must be an object with the pod's IP")
        device = info.get("DeviceNumber")
        pods.append(
            IpamdPod(
                name=parts[0],
                namespace=parts[1],
                sandbox=parts[2] if len(parts) == 3 else "",
                ip=canonical_ip(info["IP"]),
                device_number=device if isinstance(device, int) and not isinstance(device, bool) else None,
            )
        )
    return pods
