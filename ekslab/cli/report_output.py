"""Writing the HTML report for ``ekslab report`` and ``ekslab verify --html-file`` (one code path)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from ekslab import __version__

if TYPE_CHECKING:
    from ekslab.config.model import LabConfig
    from ekslab.sources.snapshot import ClusterSnapshot
    from ekslab.verify.results import Report


def write_report(
    snapshot: ClusterSnapshot,
    report: Report,
    path: str,
    *,
    source: str,
    cluster: str | None = None,
    region: str | None = None,
    lab: LabConfig | None = None,
) -> None:
    """Build the page's model from the snapshot and the verdicts and write it to ``path``.

    The IP ledger (``ekslab ips``) is built from the same snapshot; ``lab``, the configuration the
    lab was deployed with when one was given, adds its subnets' roles and its groups' max sizes.
    """
    from ekslab.cli.inputs import long_lived
    from ekslab.ledger import build_ledger
    from ekslab.report.html import write_html
    from ekslab.report.ledger_view import ledger_notes, ledger_subnets
    from ekslab.report.model import build_model

    # The ledger and the model (a slot per address of the cluster) live until the page is written.
    with long_lived():
        ledger = build_ledger(snapshot, config=lab)
        model = build_model(
            snapshot,
            report,
            generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC"),
            tool=f"ekslab {__version__}",
            cluster=cluster,
            region=region,
            ledger=ledger_subnets(ledger, snapshot),
            ledger_notes=ledger_notes(ledger, snapshot),
        )
    write_html(model, path, source=source)


def cluster_names(bundle: str | None, live: dict[str, Any]) -> tuple[str | None, str | None]:
    """(cluster, region) for the page's header: the live cluster's, as --config defaults them; for a
    bundle, what was given (a bundle records neither; the page derives the region from its subnets)."""
    if bundle is not None:
        return live.get("cluster"), live.get("region")
    from ekslab.cli.options import live_settings

    settings = live_settings(live)
    return settings.cluster, settings.region
