"""What the commands that judge or show a cluster read: a saved bundle, or the live cluster."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import click

from ekslab.cli.options import live_settings
from ekslab.cli.progress import ProgressBars

if TYPE_CHECKING:
    from ekslab.sources.bundle import ProgressCallback
    from ekslab.sources.snapshot import ClusterSnapshot


def read_snapshot(
    bundle: str | None,
    live: Mapping[str, Any],
    *,
    bundle_progress: ProgressCallback | None = None,
    cidr_reservations: bool = False,
) -> ClusterSnapshot:
    """The snapshot of the ``--bundle`` folder, or else of the live cluster ``live`` (the values of
    ``ekslab.cli.options.live_options``) names, with progress bars on a terminal (for a bundle,
    through ``bundle_progress`` when given: ``ekslab.cli.progress.BundleProgress.update``).
    ``cidr_reservations``: the live read also fetches each subnet's CIDR reservations (``ekslab ips``)."""
    if bundle is not None:
        if live.get("cluster") or live.get("region"):
            raise click.UsageError("give either --bundle or --cluster/--region, not both")
        from ekslab.sources.bundle import read_bundle

        return read_bundle(bundle, progress=bundle_progress)
    from ekslab.sources.live import read_live

    options = live_settings(live)
    with ProgressBars() as bars:
        # Only ips asks for reservations: verify's read stays the call it always was.
        extra = {"cidr_reservations": True} if cidr_reservations else {}
        return read_live(options, progress=bars.update, **extra)
