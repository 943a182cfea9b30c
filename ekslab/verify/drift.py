"""Configuration drift: the aws-node settings actually running against the settings the lab asks for.

What the lab asks for is every setting its configuration sets, plus, for the few settings that decide
how pods get their IPs (``ADDON_DEFAULTS``) and that it leaves unset, the add-on's default: a lab that
says nothing about prefix delegation wants it off, so a DaemonSet that turned it on has drifted.

Sources of running settings, each compared on its own so a report says where a value came from:

* the aws-node DaemonSet's env (``aws-node`` container) and init env (``aws-vpc-cni-init``): every
  key the lab sets must be there with an equal value; a defaulted key may also be absent (the CNI
  then runs the same default);
* a node's ``/v1/networkutils-env-settings`` and ``/v1/ipamd-env-settings``: only the keys ipamd
  reports are compared (cni-facts.md §1.5, §1.6: e.g. WARM_PREFIX_TARGET is never reported).

Values are compared by meaning (``ekslab.ipamd.env.canonical_setting``): ``"True"`` equals ``true``,
``"0x80"`` equals ``128``, the SNAT enum ``2`` equals ``"prng"``. A check with nothing to compare is
``not_checked``, never a pass.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from ekslab.ipamd.env import canonical_setting
from ekslab.ipamd.models import NodeIpamd
from ekslab.sources.records import AWS_NODE_CONTAINER
from ekslab.verify.results import FAIL, NOT_CHECKED, PASS, UNVERIFIED, CheckResult

SETTINGS_ENDPOINTS: Final = ("networkutils-env-settings", "ipamd-env-settings")

INIT_CONTAINER: Final = "aws-vpc-cni-init"
UNSET: Final = "(unset)"
FROM_VALUE_FROM: Final = "(set by valueFrom)"
CONFIGURED: Final = "configuration"
ADDON_DEFAULT: Final = "add-on default"
"""``basis`` of a difference: the lab sets the key, or leaves it to ``ADDON_DEFAULTS``."""

ADDON_DEFAULTS: Final = {
    "AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG": "false",
    "ENABLE_IPv4": "true",
    "ENABLE_IPv6": "false",
    "ENABLE_POD_ENI": "false",
    "ENABLE_PREFIX_DELEGATION": "false",
}
"""aws-node settings checked against their default when the lab leaves them unset.

These decide where pod IPs come from (secondary IPs or /28 prefixes, the node's subnet or the
ENIConfig's, branch ENIs, the address family), and their default is certain: the CNI's code default
(cni-facts.md §2.1) equals what the Helm chart and add-on put in the DaemonSet (§2.2), so a DaemonSet
without the key runs the same value. Left out on purpose: WARM_PREFIX_TARGET (code default 0, but
the chart and add-on set 1: §2.1), WARM_IP_TARGET, MINIMUM_IP_TARGET and MAX_ENI ("unset" is no value
to compare, and they size the warm pool rather than decide an address), and settings that do not
change IP assignment, such as INTROSPECTION_BIND_ADDRESS (the node-proxy transport moves it off
loopback on purpose). Only the ``aws-node`` container is defaulted; its init container's env is
compared where the lab sets it.
"""


def expected_settings(wanted_env: Mapping[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """(the settings the lab sets, the ``ADDON_DEFAULTS`` of the keys it leaves unset)."""
    defaults = {key: value for key, value in ADDON_DEFAULTS.items() if key not in wanted_env}
    return dict(wanted_env), defaults


def differences(
    wanted: Mapping[str, str],
    actual: Mapping[str, Any],
    *,
    source: str,
    only_reported: bool,
    basis: str = CONFIGURED,
) -> list[dict[str, str]]:
    """Each wanted key whose actual value differs, as ``{"key", "wanted", "actual", "source", "basis"}``.

    With ``only_reported``, keys absent from ``actual`` are skipped (the source does not report them,
    or, for an add-on default, the CNI runs that default); otherwise an absent key is a difference
    with the actual value ``(unset)``. ``basis`` says why the value is wanted (``CONFIGURED`` or
    ``ADDON_DEFAULT``).
    """
    found = []
    for key, value in sorted(wanted.items()):
        if key not in actual:
            if not only_reported:
                found.append(_difference(key, value, UNSET, source, basis))
            continue
        running = actual[key]
        if running is None and not only_reported:
            found.append(_difference(key, value, FROM_VALUE_FROM, source, basis))
        elif canonical_setting(key, value) != canonical_setting(key, running):
            found.append(_difference(key, value, _shown(running), source, basis))
    return found


def _difference(key: str, wanted: str, actual: str, source: str, basis: str) -> dict[str, str]:
    return {"key": key, "wanted": wanted, "actual": actual, "source": source, "basis": basis}


def _counted(configured: int, defaulted: int) -> str:
    return f"{configured} configured, {defaulted} add-on default{'' if defaulted == 1 else 's'}"


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
    running = daemonset_env[AWS_NODE_CONTAINER]
    source = f"daemonset/{AWS_NODE_CONTAINER}"
    configured, defaults = expected_settings(wanted_env)
    # A defaulted key set by valueFrom is resolved on the node: nothing to compare in the spec.
    defaults = {
        key: value for key, value in defaults.items() if not (key in running and running[key] is None)
    }
    found = differences(configured, running, source=source, only_reported=False)
    found += differences(defaults, running, source=source, only_reported=True, basis=ADDON_DEFAULT)
    if wanted_init_env:
        init = daemonset_env.get(INIT_CONTAINER, {})
        found += differences(wanted_init_env, init, source=f"daemonset/{INIT_CONTAINER}", only_reported=False)
    compared = len(configured) + len(wanted_init_env) + len(defaults)
    counted = _counted(len(configured) + len(wanted_init_env), len(defaults))
    if not compared:
        return CheckResult(
            name,
            NOT_CHECKED,
            "no setting to compare: the lab sets none and every add-on default is set by valueFrom",
        )
    if found:
        return CheckResult(name, FAIL, f"{len(found)} of {compared} settings differ ({counted})", found)
    return CheckResult(name, PASS, f"all {compared} settings match ({counted})")


def node_drift(ipamd: NodeIpamd | None, wanted_env: Mapping[str, str]) -> CheckResult:
    """A node's running settings as ipamd reports them, against the lab configuration."""
    name = "drift"
    sources = []
    problems = []
    if ipamd is not None:
        for endpoint in SETTINGS_ENDPOINTS:
            settings = ipamd.part(endpoint)
            if settings is not None:
                sources.append((endpoint, settings))
            elif endpoint in ipamd.problems:
                # A body that is there but unusable (another document, bad JSON...) is not "absent".
                problems.append(ipamd.problems[endpoint])
    if not sources and not problems:
        return CheckResult(
            name, NOT_CHECKED, "the node's running settings (ipamd env settings) are not in the input"
        )
    configured, defaults = expected_settings(wanted_env)
    compared = sorted(
        {key for _, settings in sources for key in settings if key in configured or key in defaults}
    )
    found = []
    for source, settings in sources:
        found += differences(configured, settings, source=source, only_reported=True)
        found += differences(defaults, settings, source=source, only_reported=True, basis=ADDON_DEFAULT)
    if found:
        return CheckResult(name, FAIL, f"{len(found)} of {len(compared)} reported settings differ", found)
    if problems:
        return CheckResult(name, UNVERIFIED, f"not verifiable: {'; '.join(problems)}")
    if not compared:
        return CheckResult(
            name, NOT_CHECKED, "ipamd reports none of the settings the configuration sets or defaults"
        )
    return CheckResult(name, PASS, f"{len(compared)} reported settings match: {', '.join(compared)}")


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, list):
        return ",".join(str(item) for item in value)
    return str(value)
