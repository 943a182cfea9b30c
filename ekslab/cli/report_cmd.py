"""``ekslab report``: one self-contained HTML page of the lab (the pod -> ENI -> subnet map and the
verification), from a live cluster or a bundle. ``ekslab verify --html-file`` writes the same page.

Exit code 0 once the page is written, whatever the verification found (the page says it; use
``ekslab verify --html-file F`` for the verification's exit code too); 2 for bad input.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import click

from ekslab import __version__
from ekslab.cli.inputs import read_snapshot
from ekslab.cli.options import live_options
from ekslab.cli.verify_cmd import expectations_for
from ekslab.files import output_folder

if TYPE_CHECKING:
    from ekslab.verify.results import Report
    from ekslab.sources.snapshot import ClusterSnapshot


def write_report(
    snapshot: ClusterSnapshot,
    report: Report,
    path: str,
    *,
    source: str,
    cluster: str | None = None,
    region: str | None = None,
) -> None:
    """Build the page's model from the snapshot and the verdicts and write it to ``path``."""
    from ekslab.report.html import write_html
    from ekslab.report.model import build_model

    model = build_model(
        snapshot,
        report,
        generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC"),
        tool=f"ekslab {__version__}",
        cluster=cluster,
        region=region,
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


@click.command()
@click.option("--bundle", type=click.Path(file_okay=False), help="Report on a saved bundle folder offline.")
@live_options
@click.option(
    "--expect-config",
    type=click.Path(dir_okay=False),
    help="Lab configuration whose CNI settings the running ones must match (drift). "
    "Default: --config, else the default lab.",
)
@click.option(
    "--out",
    default="report.html",
    show_default=True,
    type=click.Path(dir_okay=False),
    help="HTML file to write (its folder must exist; an existing file is replaced).",
)
@click.option(
    "--cluster-name",
    help="Cluster name for the page's header. Default: --cluster (a bundle does not record it).",
)
def report(
    bundle: str | None, expect_config: str | None, out: str, cluster_name: str | None, **live: Any
) -> None:
    """Write one self-contained HTML page: AZ -> subnet -> node -> ENI -> slots -> pods, and the
    verification (failures with what to do, drift, load balancer targets).

    Give --bundle DIR for a saved snapshot, or --cluster and --region (or --config) for a live
    cluster. The page loads nothing from elsewhere; open it in any browser.
    """
    from ekslab.verify.checks import verify as run_checks
    from ekslab.verify.report import summary_line

    # Refuse an output path whose folder is missing before a live read that may take minutes.
    output_folder(out, source=f"--out {out}")
    expectations = expectations_for(expect_config or live.get("config"), live)
    snapshot = read_snapshot(bundle, live)
    result = run_checks(snapshot, expectations)
    cluster, region = cluster_names(bundle, live)
    write_report(snapshot, result, out, source=f"--out {out}", cluster=cluster_name or cluster, region=region)
    click.echo(f"report written to {out}: {summary_line(result)}")
