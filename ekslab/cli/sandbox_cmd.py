"""``ekslab sandbox up|down|status``: the recorded default lab on loopback, to try the workshop,
``ekslab`` and kubectl without AWS (``ekslab.sandbox``; docs/workshop.md, "Without AWS: the sandbox")."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ekslab.errors import EXIT_FAILED, EXIT_OK

_STATE_HELP = (
    "Private folder of the sandbox's state (default: $XDG_RUNTIME_DIR/ekslab-sandbox or ~/.ekslab/sandbox)."
)


@click.group()
def sandbox() -> None:
    """A local lab: the Kubernetes API server and EC2 (moto) with the recorded lab, on 127.0.0.1 only."""


@sandbox.command("up")
@click.option("--state-dir", type=click.Path(file_okay=False), help=_STATE_HELP)
@click.option(
    "--bundle",
    type=click.Path(exists=True, file_okay=False),
    help="Serve this bundle (docs/verification.md) instead of the recorded default lab.",
)
@click.option(
    "--cluster", default="ekslab", show_default=True, help="The EKS cluster name the lab answers to."
)
def up(state_dir: str | None, bundle: str | None, cluster: str) -> None:
    """Start the sandbox in the background and print the `export` lines of a shell on it.

    Run `eval "$(ekslab sandbox up)"`, then `kubectl`, `aws`, `ekslab` and `ekslab workshop run
    docs/workshop.md` work as on a deployed lab. `ekslab sandbox down` stops it.
    """
    from ekslab.sandbox.service import DEFAULT_LAB, default_state_dir
    from ekslab.sandbox.service import up as start

    folder = Path(state_dir) if state_dir else default_state_dir()
    info = start(folder, bundle=Path(bundle) if bundle else DEFAULT_LAB, cluster=cluster)
    click.echo("\n".join(info.export_lines()))
    click.echo(
        f"ekslab sandbox: lab {info.cluster} in {info.region} (pid {info.pid}); Kubernetes API {info.kube_url}, "
        f"AWS {info.aws_url}. Paste the lines above, or eval them; `ekslab sandbox down` stops it.",
        err=True,
    )


@sandbox.command("down")
@click.option("--state-dir", type=click.Path(file_okay=False), help=_STATE_HELP)
def down(state_dir: str | None) -> None:
    """Stop the sandbox (exit 0 also when none was running)."""
    from ekslab.sandbox.service import default_state_dir
    from ekslab.sandbox.service import down as stop

    info = stop(Path(state_dir) if state_dir else default_state_dir())
    click.echo(f"ekslab sandbox: stopped (pid {info.pid})" if info else "ekslab sandbox: none was running")


@sandbox.command("status")
@click.option("--state-dir", type=click.Path(file_okay=False), help=_STATE_HELP)
def status(state_dir: str | None) -> None:
    """Print the running sandbox's `export` lines; exit 1 when none runs."""
    from ekslab.sandbox.service import default_state_dir
    from ekslab.sandbox.service import status as running

    info = running(Path(state_dir) if state_dir else default_state_dir())
    if info is None:
        click.echo("ekslab sandbox: none is running", err=True)
        sys.exit(EXIT_FAILED)
    click.echo("\n".join(info.export_lines()))
    sys.exit(EXIT_OK)
