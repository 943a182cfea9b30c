"""Command-line options that several commands share, declared once so that their names and help agree.

Each is a click decorator, applied like ``@click.option`` (every use makes its own ``Option``).
"""

from __future__ import annotations

from typing import Final

import click

PROFILE: Final = click.option("--profile", help="AWS profile (default: the usual AWS credential chain).")
KUBECONFIG: Final = click.option(
    "--kubeconfig",
    type=click.Path(dir_okay=False),
    help="kubeconfig file (default: $KUBECONFIG or ~/.kube/config).",
)
CONTEXT: Final = click.option("--context", help="kubeconfig context (default: the current one).")
