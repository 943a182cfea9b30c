"""``ekslab report``: one self-contained HTML page of the lab (the pod -> ENI -> subnet map, the
verification and the IP ledger), from a live cluster or a bundle. ``ekslab verify --html-file`` writes the same page.

Exit code 0 once the page is written, whatever the verification found (the page says it; use
``ekslab verify --html-file F`` for the verification's exit code too); 2 for bad input.
"""

from __future__ import annotations

from typing import Any

import click

from ekslab.cli.inputs import ExitKeepingHeap, long_lived, read_snapshot
from ekslab.cli.options import DRAW_ALL_HELP, EXPECT_CONFIG, live_options
from ekslab.cli.report_output import cluster_names, ledger_after_read, start_ledger, write_report
from ekslab.cli.verify_cmd import expectations_for
from ekslab.files import check_output_file


@click.command()
@click.option("--bundle", type=click.Path(file_okay=False), help="Report on a saved bundle folder offline.")
@live_options
@EXPECT_CONFIG
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
@click.option("--draw-all", is_flag=True, help=DRAW_ALL_HELP)
def report(
    bundle: str | None,
    expect_config: str | None,
    out: str,
    cluster_name: str | None,
    draw_all: bool,
    **live: Any,
) -> None:
    """Write one self-contained HTML page: AZ -> subnet -> node -> ENI -> slots -> pods, the
    verification (failures with what to do, drift, load balancer targets) and the IP ledger (each
    subnet's /28 blocks by owner, free blocks, how many more nodes fit).

    Give --bundle DIR for a saved snapshot, or --cluster and --region (or --config) for a live
    cluster. The page loads nothing from elsewhere; open it in any browser.
    """
    from ekslab.verify.checks import verify as run_checks
    from ekslab.verify.report import summary_line

    # Refuse an output path whose folder is missing before a live read that may take minutes.
    check_output_file(out, source=f"--out {out}")
    config_path = expect_config or live.get("config")
    expectations = expectations_for(config_path, live)
    # Verify's read plus each subnet's CIDR reservations, as `ekslab ips` reads them, for the ledger
    # section (verify --html-file reads no reservations: its callers, e.g. the CI role, need not have
    # ec2:GetSubnetCidrReservations; that page says they are missing).
    lab = expectations.lab if config_path else None
    # The ledger section is built on the second CPU (where there is one) while the checks run here:
    # from a bundle, by the child that read part of it, as soon as the read is done.
    after = ledger_after_read(lab)
    snapshot = read_snapshot(bundle, live, cidr_reservations=True, after=after)
    with start_ledger(snapshot, lab, after) as ledger:
        with long_lived():
            result = run_checks(snapshot, expectations)
        cluster, region = cluster_names(bundle, live)
        write_report(
            snapshot,
            result,
            out,
            source=f"--out {out}",
            cluster=cluster_name or cluster,
            region=region,
            lab=lab,
            ledger=ledger,
            draw_all=draw_all,
        )
    click.echo(f"report written to {out}: {summary_line(result)}")
    # The page is written and in place: the process may end without freeing the snapshot and model.
    raise ExitKeepingHeap(0)
