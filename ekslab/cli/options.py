"""Command-line options that several commands share, declared once so that their names and help agree.

Each is a click decorator, applied like ``@click.option`` (every use makes its own ``Option``).
``live_options`` is the whole set that reaches a live cluster (``verify``, ``collect``, ``pods``);
``live_settings`` turns the parsed values into the core's ``LiveOptions``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final

import click

from ekslab.sources.live_defaults import DEFAULT_CONCURRENCY

if TYPE_CHECKING:
    from ekslab.sources.live import LiveOptions


class FiniteFloatRange(click.FloatRange):
    """``click.FloatRange`` that also refuses ``nan`` and ``inf``, which compare false with both bounds
    and so pass a plain FloatRange (``--timeout nan`` would reach ``time.sleep``)."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        number = super().convert(value, param, ctx)
        if not math.isfinite(number):
            self.fail(f"{value!r} is not a finite number in the range {self._describe_range()}.", param, ctx)
        return number


PROFILE: Final = click.option("--profile", help="AWS profile (default: the usual AWS credential chain).")
KUBECONFIG: Final = click.option(
    "--kubeconfig",
    type=click.Path(dir_okay=False),
    help="kubeconfig file (default: $KUBECONFIG or ~/.kube/config).",
)
CONTEXT: Final = click.option("--context", help="kubeconfig context (default: the current one).")
CLUSTER: Final = click.option("--cluster", help="EKS cluster name. Default with --config: the lab's cluster.")
REGION: Final = click.option("--region", help="AWS region. Default with --config: the lab's region.")
CONFIG: Final = click.option(
    "--config",
    type=click.Path(dir_okay=False),
    help="Lab configuration: default --cluster/--region (and the drift expectations).",
)
EXPECT_CONFIG: Final = click.option(
    "--expect-config",
    type=click.Path(dir_okay=False),
    help="Lab configuration whose CNI settings the running ones must match (drift). "
    "Default: --config, else the default lab.",
)
LIVE_TRANSPORTS: Final = ("ssm", "proxy", "none")
DRAW_ALL_HELP: Final = (
    "Draw every node's checks, ENIs and slots into the page itself, closed nodes too, so that it "
    "reads without JavaScript (a mail or archive viewer). By default a map of more than 12 nodes "
    "carries its closed nodes' parts as data that the page's script draws when one is opened: "
    "at 5,000 nodes the page is then 20 MB instead of 28 MB, and written in less time."
)


def ipamd_transport(choices: Sequence[str] = LIVE_TRANSPORTS) -> Callable[..., Any]:
    """``--ipamd-transport``: how each node's ipamd is reached (``ekslab.sources.introspection``)."""
    return click.option(
        "--ipamd-transport",
        type=click.Choice(choices),
        default="ssm",
        show_default=True,
        envvar="EKSLAB_IPAMD_TRANSPORT",  # `ekslab sandbox up` sets it: the sandbox's nodes answer by proxy
        help="How to reach each node's ipamd: SSM Run Command (works with the default loopback bind), "
        "the API server's node proxy (needs INTROSPECTION_BIND_ADDRESS off loopback)"
        + (", or none." if "none" in choices else "."),
    )


def live_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Every option that reaches a live cluster (see ``ekslab.sources.live``)."""
    options = [
        CLUSTER,
        REGION,
        CONFIG,
        PROFILE,
        KUBECONFIG,
        CONTEXT,
        ipamd_transport(),
        click.option(
            "--concurrency",
            type=click.IntRange(1, 256),
            default=DEFAULT_CONCURRENCY,
            show_default=True,
            help="Nodes whose ipamd is fetched at the same time.",
        ),
        click.option(
            "--node-timeout",
            type=FiniteFloatRange(0.1, 600),
            default=30.0,
            show_default=True,
            help="Seconds allowed per node for its ipamd data.",
        ),
        click.option(
            "--page-size",
            type=click.IntRange(1, 10000),
            default=500,
            show_default=True,
            help="Kubernetes list page size (limit/continue).",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def live_settings(values: Mapping[str, Any]) -> LiveOptions:
    """The ``LiveOptions`` of ``live_options``' values; --cluster and --region default from --config.

    Raises InputError naming the option when the cluster or region is still unknown.
    """
    from ekslab.errors import InputError
    from ekslab.sources.live import LiveOptions

    cluster, region, config = values.get("cluster"), values.get("region"), values.get("config")
    if config and not (cluster and region):
        from ekslab.lab import load_config

        lab = load_config(config)
        cluster, region = cluster or lab.cluster_name, region or lab.region
    if not cluster:
        raise InputError("--cluster", "is required for a live cluster (or --config, or --bundle DIR)")
    if not region:
        raise InputError("--region", "is required for a live cluster (or --config)")
    fields = set(LiveOptions.__dataclass_fields__) - {"cluster", "region"}
    return LiveOptions(
        cluster=cluster, region=region, **{key: values[key] for key in fields if key in values}
    )
