"""``ekslab ipamd enis|pods|env|eni-configs``: one node's ipamd introspection, for every CNI version.

The workshop logs into a node and runs ``curl http://localhost:61679/v1/<endpoint> | python -m json.tool``.
These commands fetch the same bodies through the transport ``ekslab verify`` uses
(``ekslab.sources.introspection``: SSM Run Command, or the API server's node proxy), or read a saved
body (``--file``: one body, or a node folder as eks-log-collector or ``ekslab collect`` writes it), and
show them normalised by the parsers of ``ekslab.ipamd``. Exit codes: 0 shown; 1 the node could not
give the data (fetch failed, introspection disabled...); 2 bad usage or an unreadable file.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import click

from ekslab.cli.options import CONFIG, CONTEXT, KUBECONFIG, PROFILE, REGION, FiniteFloatRange, ipamd_transport
from ekslab.cli.output import echo_json, print_table
from ekslab.cli.progress import Spinner
from ekslab.errors import EXIT_FAILED, InputError

if TYPE_CHECKING:
    from ekslab.ipamd import NodeIpamd

TRANSPORTS: Final = ("ssm", "proxy")
_ALTERNATIVE_BODY: Final = {
    "pods": "enis",
    "networkutils-env-settings": "ipamd-env-settings",
    "ipamd-env-settings": "networkutils-env-settings",
}
"""For a single saved body of an endpoint, the other endpoint whose body is accepted in its place."""


@click.group()
def ipamd() -> None:
    """Show one node's ipamd introspection (the workshop's curl localhost:61679/v1/...), any CNI version.

    Give --node NODE to fetch it from a live node (over SSM by default, like `ekslab verify`), or
    --file F for a saved body or a node folder of saved bodies (eks-log-collector's ipamd/ folder,
    or ipamd/<node>/ of an `ekslab collect` bundle).
    """


def _source_options(command: Callable[..., Any]) -> Callable[..., Any]:
    options = [
        click.option("--node", help="Node name (kubectl get nodes) whose ipamd to fetch."),
        click.option(
            "--file",
            "file",
            type=click.Path(exists=True),
            help="A saved body of this endpoint, or a folder of <endpoint>.json files, instead of --node.",
        ),
        ipamd_transport(TRANSPORTS),
        REGION,
        CONFIG,
        PROFILE,
        KUBECONFIG,
        CONTEXT,
        click.option(
            "--timeout",
            type=FiniteFloatRange(0.1, 600),
            default=30.0,
            show_default=True,
            help="Seconds allowed for the node's answer.",
        ),
        click.option("--raw", is_flag=True, help="Print the body exactly as ipamd served it (or as saved)."),
        click.option(
            "--output",
            "-o",
            type=click.Choice(["table", "json"]),
            default="table",
            show_default=True,
            help="table (rich on a terminal, aligned text otherwise) or json (the normalised form).",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


@ipamd.command("enis")
@_source_options
def enis_command(**params: Any) -> None:
    """ENIs, their secondary IPs and prefixes, and which pod holds each address (/v1/enis).

    One row per address; KIND says whether it is a secondary IP (/32) or comes from a delegated
    prefix (/28, or /80 for IPv6). The ENI's primary IP is never in ipamd's datastore. POD is known
    from CNI v1.11 on.
    """
    from ekslab.views import ipamd_view as view

    shown = _load_part("enis", params)
    if shown is None:
        return
    loaded, enis = shown
    _show(
        params,
        {"node": loaded.where, **view.enis_json(enis)},
        view.ENI_COLUMNS,
        view.eni_rows(enis),
        title=f"{loaded.where}: {view.eni_summary(enis)}",
        right=("CARD", "DEV"),
        fold=view.ENI_FOLD,
    )


@ipamd.command("pods")
@_source_options
def pods_command(**params: Any) -> None:
    """Which pod holds which IP, on which ENI (/v1/pods; derived from /v1/enis on CNI v1.7+).

    /v1/pods exists only up to CNI v1.6; on later versions the map is derived from the assigned
    addresses of /v1/enis, with pod names from CNI v1.11 on (before that, container ids), and a note
    says so. With --file, give a /v1/pods or /v1/enis body, or the node folder.
    """
    from ekslab.views import ipamd_view as view

    loaded = _load("pods", params)
    # Without /v1/pods data the note on pods.json is said again, better, by the derived view.
    loaded.print_notes(*(("pods", "enis") if loaded.node.pods is not None else ("enis",)))
    if _raw(loaded, params):
        if loaded.node.pods is None and loaded.node.enis is None:
            click.echo(
                "note: this CNI version (v1.7+) does not serve /v1/pods; the body above is ipamd's list "
                "of commands",
                err=True,
            )
        return
    pods = view.pod_view(loaded.node.pods, loaded.node.enis)
    if pods is None:
        loaded.require("pods", None)
        return
    for note in pods.notes:
        click.echo(f"note: {note}", err=True)
    _show(
        params,
        {"node": loaded.where, **pods.as_json()},
        view.POD_COLUMNS,
        [pod.row() for pod in pods.pods],
        title=f"{loaded.where}: pod IPs from {pods.source}",
        right=("DEV",),
        fold=view.POD_FOLD,
    )


@ipamd.command("env")
@click.option(
    "--ipamd",
    "ipamd_settings",
    is_flag=True,
    help="Show /v1/ipamd-env-settings (warm targets, custom networking) instead.",
)
@_source_options
def env_command(ipamd_settings: bool, **params: Any) -> None:
    """The VPC CNI settings ipamd runs with (/v1/networkutils-env-settings).

    VALUE is as ipamd serves it (Go types: true, 9001, null); MEANS gives the aws-node env spelling
    where it differs (e.g. AWS_VPC_K8S_CNI_RANDOMIZESNAT 2 means prng). A single saved body (--file
    F) is shown as whichever of the two endpoints its keys say it is; a body with neither's keys is
    refused.
    """
    from ekslab.views import ipamd_view as view

    requested = "ipamd-env-settings" if ipamd_settings else "networkutils-env-settings"
    loaded = _load(requested, params)
    # One saved body is shown as the endpoint its keys say it is, whichever of the two was asked for.
    other = _ALTERNATIVE_BODY[requested]
    endpoint = other if loaded.single_file and loaded.node.part(other) is not None else requested
    loaded.print_notes(endpoint)
    if _raw(loaded, params):
        return
    settings = loaded.require(endpoint, loaded.node.part(endpoint))
    _show(
        params,
        {"node": loaded.where, "endpoint": f"/v1/{endpoint}", "settings": settings},
        view.ENV_COLUMNS,
        view.env_rows(settings),
        title=f"{loaded.where}: /v1/{endpoint}",
        fold=view.ENV_FOLD,
    )


@ipamd.command("eni-configs")
@_source_options
def eni_configs_command(**params: Any) -> None:
    """The ENIConfig ipamd selected for the node, for custom networking (/v1/eni-configs).

    CNI v1.8+ serves only the name ("default" when no label or annotation names one); v1.0-v1.7 also
    lists each ENIConfig's subnet and security groups.
    """
    from ekslab.views import ipamd_view as view

    shown = _load_part("eni-configs", params)
    if shown is None:
        return
    loaded, config = shown
    _show(
        params,
        {"node": loaded.where, **view.eni_config_json(config)},
        view.ENI_CONFIG_COLUMNS,
        view.eni_config_rows(config),
        title=f"{loaded.where}: {view.eni_config_summary(config)}",
        fold=view.ENI_CONFIG_FOLD,
    )


# --- loading ---------------------------------------------------------------------------------------


@dataclass
class _Loaded:
    """One node's parsed introspection, the raw body of the endpoint asked for, and where it came from."""

    node: NodeIpamd
    raw: bytes | None
    where: str
    live: bool
    endpoint: str
    notes: list[str] = field(default_factory=list)

    @property
    def single_file(self) -> bool:
        """Whether the data is one saved body (``--file`` naming a file, not a node folder)."""
        return not self.live and Path(self.where).is_file()

    def print_notes(self, *endpoints: str) -> None:
        """The parser's notes (e.g. concatenated bodies) about these endpoints' bodies, on stderr."""
        single_file = self.single_file
        for note in self.node.notes:
            if single_file or any(f"/{name}.json:" in note for name in endpoints):
                click.echo(f"note: {note}", err=True)

    def require(self, endpoint: str, value: Any) -> Any:
        """``value``, or the reason it is missing as one line (exit 1 for a live node, 2 for a file)."""
        if value is not None:
            return value
        problem = self.node.problems.get(endpoint) or f"{self.where}: has no /v1/{endpoint} data"
        if self.live:
            click.echo(f"ekslab: error: {problem}", err=True)
            sys.exit(EXIT_FAILED)
        raise InputError("", problem)


def _load_part(endpoint: str, params: dict[str, Any]) -> tuple[_Loaded, Any] | None:
    """The node's parsed ``endpoint`` data and where it came from, after the parser's notes on it;
    ``None`` when --raw printed the body instead. Exits when the node has no such data."""
    loaded = _load(endpoint, params)
    loaded.print_notes(endpoint)
    if _raw(loaded, params):
        return None
    return loaded, loaded.require(endpoint, loaded.node.part(endpoint))


def _load(endpoint: str, params: dict[str, Any]) -> _Loaded:
    node, file = params["node"], params["file"]
    if (node is None) == (file is None):
        raise click.UsageError("give either --node NODE (a live node) or --file F (saved bodies)")
    return _load_file(endpoint, Path(file)) if file is not None else _load_live(endpoint, node, params)


def _load_file(endpoint: str, path: Path) -> _Loaded:
    from ekslab.files import read_bytes
    from ekslab.sources.ipamd_files import read_node_directory

    expected = f"ipamd's /v1/{endpoint} body"
    if path.is_dir():
        node = read_node_directory(path, source=str(path))
        raw = next(
            (
                read_bytes(file, source=str(file), expected=expected)
                for file in (path / f"{endpoint}.json", path / f"{endpoint}.txt")
                if file.is_file()
            ),
            None,
        )
        return _Loaded(node, raw, str(path), live=False, endpoint=endpoint)
    raw = read_bytes(path, source=str(path), expected=expected)
    return _Loaded(
        _parse_saved_body(endpoint, raw, source=str(path)), raw, str(path), live=False, endpoint=endpoint
    )


def _parse_saved_body(endpoint: str, raw: bytes, *, source: str) -> NodeIpamd:
    """One saved body, parsed by ``ekslab.ipamd.parse_body``; the body of ``_ALTERNATIVE_BODY`` is
    accepted too (for ``pods`` a ``/v1/enis`` body, pods are then derived from it; for one settings
    endpoint, the other), and CNI v1.7+'s answer to /v1/pods is refused."""
    from ekslab.ipamd import parse_body

    try:
        node = parse_body(endpoint, raw, source=source)
    except InputError as error:
        alternative = _ALTERNATIVE_BODY.get(endpoint)
        if alternative is None:
            raise
        try:
            return parse_body(alternative, raw, source=source)
        except InputError:
            raise error from None
    if endpoint == "pods" and node.pods is None:
        raise InputError(
            source,
            "is ipamd's list of commands: CNI v1.7+ does not serve /v1/pods",
            hint="give the node's enis.json, or its folder, to derive pods from /v1/enis",
        )
    return node


def _load_live(endpoint: str, node_name: str, params: dict[str, Any]) -> _Loaded:
    import time

    from ekslab.ipamd import parse_node_bodies
    from ekslab.sources.deadline import run_within
    from ekslab.sources.introspection import fetch_introspection, introspection_transport
    from ekslab.sources.kube import KubeSettings, KubeSource

    # --timeout is the time for the whole fetch (the node, the DaemonSet, then the bodies), so a
    # server that answers one byte at a time cannot stretch it.
    timeout = params["timeout"]
    deadline = time.monotonic() + timeout

    def fetch() -> Any:
        kube = KubeSource(
            KubeSettings(kubeconfig=params["kubeconfig"], context=params["context"], region=params["region"])
        )
        node = _find_node(kube, node_name)
        if node.is_fargate:
            raise InputError("--node", "is a Fargate node, which runs no ipamd", node_name)
        transport = introspection_transport(
            params["ipamd_transport"], kube.aws_node_daemonset(), kube=kube, aws=lambda: _aws(params)
        )
        left = max(0.1, deadline - time.monotonic())
        return fetch_introspection(transport, [node], concurrency=1, timeout=left)[node.name]

    with Spinner(f"fetching ipamd introspection from {node_name}"):
        fetched = run_within(timeout, fetch, where=f"ipamd on {node_name}", limit=f"--timeout {timeout:g} s")
    where = f"ipamd on {node_name}"
    if fetched.error:
        click.echo(f"ekslab: error: {where}: could not be fetched ({fetched.error})", err=True)
        sys.exit(EXIT_FAILED)
    parsed = parse_node_bodies(fetched.bodies, source=where)
    return _Loaded(parsed, fetched.bodies.get(endpoint), where, live=True, endpoint=endpoint)


def _find_node(kube: Any, name: str) -> Any:
    from ekslab.sources.records import node_record

    item = kube.node(name)
    if item is None:
        raise InputError("--node", "is not a node of the cluster (see kubectl get nodes)", name)
    return node_record(item, position=0, source=f"Kubernetes API read node {name}")


def _aws(params: dict[str, Any]) -> Any:
    from ekslab.sources.ec2 import AwsSettings, AwsSource

    region = params["region"]
    if region is None and params["config"]:
        from ekslab.lab import load_config

        region = load_config(params["config"]).region
    if not region:
        raise InputError("--region", "is required to reach ipamd over SSM (or --config)")
    return AwsSource(AwsSettings(region=region, profile=params["profile"]))


# --- printing --------------------------------------------------------------------------------------


def _show(
    params: dict[str, Any],
    document: dict[str, Any],
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    title: str,
    right: Sequence[str] = (),
    fold: Sequence[str] = (),
) -> None:
    """``document`` with --output json, else the table (``fold``: see ``print_table``)."""
    if params["output"] == "json":
        echo_json(document)
    else:
        print_table(columns, rows, title=title, right=right, fold=fold)


def _raw(loaded: _Loaded, params: dict[str, Any]) -> bool:
    """Print the body as served when --raw was given; True when done."""
    if not params["raw"]:
        return False
    if loaded.raw is None:
        loaded.require(loaded.endpoint, None)
    sys.stdout.flush()
    sys.stdout.buffer.write(loaded.raw or b"")
    if loaded.raw and not loaded.raw.endswith(b"\n"):
        sys.stdout.buffer.write(b"\n")
    sys.stdout.buffer.flush()
    return True
