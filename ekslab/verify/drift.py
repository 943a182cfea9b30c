"""Configuration drift: the aws-node settings actually running against the settings the lab asks for.

Sources of running settings, each compared on its own so a report says where a value came from:

* the aws-node DaemonSet's env (``aws-node`` container) and init env (``aws-vpc-cni-init``): every
  key the lab sets must be there with an equal value;
* a node's ``/v1/networkutils-env-settings`` and ``/v1/ipamd-env-settings``: only the keys ipamd
  reports are compared (cni-facts.md §1.5, §1.6: e.g. WARM_PREFIX_TARGET is never reported).

Values are compared by meaning (``ekslab.ipamd.env.canonical_setting``): ``"True"`` equals ``true``,
``"0x80"`` equals ``128``, the SNAT enum ``2`` equals ``"prng"``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from ekslab.ipamd.env import canonical_setting
from ekslab.ipamd.models import NodeIpamd
from ekslab.sources.records import AWS_NODE_CONTAINER
from ekslab.verify.results import FAIL, NOT_CHECKED, PASS, UNVERIFIED, CheckResult

INIT_CONTAINER: Final = "aws-vpc-cni-init"
UNSET: Final = "(unset)"
FROM_VALUE_FROM: Final = "(set by valueFrom)"


def differences(
    wanted: Mapping[str, str], actual: Mapping[str, Any], *, source: str, only_reported: bool
) -> list[dict[str, str]]:
    """Each wanted key whose actual value differs, as ``{"key", "wanted", "actual", "source"}``.

    With ``only_reported``, keys absent from ``actual`` are skipped (the source does not report them);
    otherwise an absent key is a difference with the actual value ``(unset)``.
    """
    found = []
    for key, value in sorted(wanted.items()):
        if key not in actual:
            if not only_reported:
                found.append({"key": key, "wanted": value, "actual": UNSET, "source": source})
            continue
        running = actual[key]
        if running is None and not only_reported:
            found.append({"key": key, "wanted": value, "actual": FROM_VALUE_FROM, "source": source})
        elif canonical_setting(key, value) != canonical_setting(key, running):
            found.append({"key": key, "wanted": value, "actual": _shown(running), "source": source})
    return found


def daemonset_drift(
    daemonset_env: Mapping[str, Mapping[str, str | None]] | None,
    wanted_env: Mapping[str, str],
    wanted_init_env: Mapping[str, str],
) -> CheckResult:
    """The cluster-wide check of the aws-node DaemonSet's env against the lab configuration."""
    name = "aws_node_daemonset_drift"
    if daemonset_env is None:
        return CheckResult(name, NOT_CHECKED, "aws-node DaemonSet not in the input")
    if AWS_NODE_CONTAINER not in daemonset_env:
        return CheckResult(
            name,
            UNVERIFIED,
            f"the DaemonSet has no '{AWS_NODE_CONTAINER}' container "
            f"(containers: {', '.join(sorted(daemonset_env)) or 'none'})",
        )
    found = differences(
        wanted_env,
        daemonset_env[AWS_NODE_CONTAINER],
        source=f"daemonset/{AWS_NODE_CONTAINER}",
        only_reported=False,
    )
    if wanted_init_env:
        init = daemonset_env.get(INIT_CONTAINER, {})
        found += differences(wanted_init_env, init, source=f"daemonset/{INIT_CONTAINER}", only_reported=False)
    compared = len(wanted_env) + len(wanted_init_env)
    if found:
        return CheckResult(name, FAIL, f"{len(found)} of {compared} configured settings differ", found)
    return CheckResult(name, PASS, f"all {compared} configured settings match")


def node_drift(ipamd: NodeIpamd | None, wanted_env: Mapping[str, str]) -> CheckResult:
    """A node's running settings as ipamd reports them, against the lab configuration."""
    name = "drift"
    sources = []
    if ipamd is not None:
        if ipamd.networkutils_env is not None:
            sources.append(("networkutils-env-settings", ipamd.networkutils_env))
        if ipamd.ipamd_env is not None:
            sources.append(("ipamd-env-settings", ipamd.ipamd_env))
    if not sources:
        return CheckResult(
            name, NOT_CHECKED, "the node's running settings (ipamd env settings) are not in the input"
        )
    compared = sorted({key for _, settings in sources for key in settings if key in wanted_env})
    if not compared:
        return CheckResult(name, NOT_CHECKED, "ipamd reports none of the settings the configuration sets")
    found = []
    for source, settings in sources:
        found += differences(wanted_env, settings, source=source, only_reported=True)
    if found:
        return CheckResult(name, FAIL, f"{len(found)} of {len(compared)} reported settings differ", found)
    return CheckResult(name, PASS, f"{len(compared)} reported settings match: {', '.join(compared)}")


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, list):
        return ",".join(str(item) for item in value)
    return str(value)
