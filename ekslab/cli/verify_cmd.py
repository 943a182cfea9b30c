"""``ekslab verify``: prove every pod IP is a VPC IP on its node's ENI, from a live cluster or a bundle.

Exit codes: 0 every check passed, 1 at least one failed, 3 nothing failed but something could not be
verified, 2 bad usage or unreadable input (one line, never a traceback). See docs/verification.md.
"""

from __future__ import annotations

import contextlib
import sys
from typing import Any

import click

from ekslab.cli.inputs import ExitKeepingHeap, long_lived, read_snapshot
from ekslab.cli.options import DRAW_ALL_HELP, EXPECT_CONFIG, live_options
from ekslab.cli.output import PLAIN_WIDTH, terminal_console
from ekslab.cli.progress import BundleProgress
from ekslab.files import check_output_file

OUTPUTS = ("table", "json", "junit", "html")


@click.command()
@click.option("--bundle", type=click.Path(file_okay=False), help="Verify a saved bundle folder offline.")
@live_options
@EXPECT_CONFIG
@click.option(
    "--output",
    "-o",
    type=click.Choice(OUTPUTS),
    help="table (default on a terminal), json (default otherwise), junit (needs --junit-file) "
    "or html (needs --html-file; prints the summary line).",
)
@click.option(
    "--junit-file",
    type=click.Path(dir_okay=False, allow_dash=True),
    help="Write a JUnit XML report here (with any --output); - writes it to standard output "
    "(with --output junit, whose summary lines then go to standard error).",
)
@click.option(
    "--html-file",
    type=click.Path(dir_okay=False),
    help="Write the HTML report (as `ekslab report`) here (with any --output).",
)
@click.option("--html-draw-all", is_flag=True, help=f"With --html-file: {DRAW_ALL_HELP}")
@click.option("--problems-only", is_flag=True, help="Table: list only failed or unverified pods and nodes.")
@click.option(
    "--recycle-plan",
    is_flag=True,
    help="Print only the replacement plan: which nodes to replace, in what order, with what commands "
    "(ekslab runs none of them); as JSON with --output json. The exit code is verify's.",
)
def verify(
    bundle: str | None,
    expect_config: str | None,
    output: str | None,
    junit_file: str | None,
    html_file: str | None,
    html_draw_all: bool,
    problems_only: bool,
    recycle_plan: bool,
    **live: Any,
) -> None:
    """Verify that every pod IP is a VPC IP on the right ENI, cross-checked with ipamd.

    Give --bundle DIR for a saved snapshot (see `ekslab collect`), or --cluster and --region
    (or --config) for a live cluster. The table lists each pod's IP, ENI, result and reason codes;
    a failing pod's details follow on the lines under it (docs/verification.md lists the codes).

    \b
    Exit codes:
      0  every check passed
      1  at least one check failed
      2  bad usage or unreadable input (one line, never a traceback)
      3  nothing failed, but something could not be verified
    """
    from ekslab.verify.checks import verify as run_checks

    stdout_tty = sys.stdout.isatty()
    asked_json = output == "json"
    output = output or ("table" if stdout_tty else "json")
    if output == "junit" and junit_file is None:
        raise click.UsageError("--output junit needs --junit-file FILE")
    if output == "html" and not html_file:
        raise click.UsageError("--output html needs --html-file FILE")
    if html_draw_all and not html_file:
        raise click.UsageError("--html-draw-all needs --html-file FILE")
    to_stdout = False
    if junit_file is not None:
        # Refuse a bad report path (no folder, a device, a FIFO, empty) before a live read that
        # may take minutes.
        to_stdout = check_output_file(junit_file, source=f"--junit-file {junit_file}", stdout_ok=True) is None
        if to_stdout and output != "junit":
            raise click.UsageError(
                f"--junit-file {junit_file} is standard output, which --output {output} writes: "
                "use --output junit with it"
            )
    if html_file:
        check_output_file(html_file, source=f"--html-file {html_file}")
    config_path = expect_config or live.get("config")
    expectations = expectations_for(config_path, live)
    lab = expectations.lab if config_path else None
    after = None
    if html_file:
        from ekslab.cli.report_output import ledger_after_read, start_ledger

        # The page's ledger section, on the second CPU (where there is one) during the checks: from a
        # bundle, by the child that read part of it, as soon as the read is done.
        after = ledger_after_read(lab)
    with contextlib.ExitStack() as page_work:
        with BundleProgress(bundle or "", enabled=bundle is not None and sys.stderr.isatty()) as progress:
            snapshot = read_snapshot(
                bundle, live, bundle_progress=progress.update if progress.enabled else None, after=after
            )
            ledger = page_work.enter_context(start_ledger(snapshot, lab, after)) if html_file else None
            progress.say(f"checking {len(snapshot.pods):,} pods on {len(snapshot.nodes):,} nodes")
            with long_lived():
                report = run_checks(snapshot, expectations)
        if junit_file is not None:
            from ekslab.verify.report import write_junit

            write_junit(report, junit_file, source=f"--junit-file {junit_file}", stdout_ok=True)
        if html_file:
            from ekslab.cli.report_output import cluster_names, write_report

            cluster, region = cluster_names(bundle, live)
            write_report(
                snapshot,
                report,
                html_file,
                source=f"--html-file {html_file}",
                cluster=cluster,
                region=region,
                lab=lab,
                ledger=ledger,
                draw_all=html_draw_all,
            )
    if recycle_plan:
        from ekslab.verify.report import write_recycle_plan

        write_recycle_plan(report, sys.stdout, as_json=asked_json)
    else:
        _print(report, output, problems_only=problems_only, lines_to_stderr=to_stdout)
    raise ExitKeepingHeap(report.exit_code())


def expectations_for(config_path: str | None, live: dict[str, Any]) -> Any:
    """The expectations of a lab configuration (the default lab for ``None``): drift, convergence."""
    from ekslab.cni.render import expected_aws_node_env, expected_init_env
    from ekslab.lab import load_config
    from ekslab.verify.checks import Expectations

    config = load_config(config_path)
    # The lab's cluster and region name the plan's commands only when a configuration was given.
    return Expectations(
        aws_node_env=expected_aws_node_env(config),
        init_env=expected_init_env(config),
        lab=config,
        cluster=live.get("cluster") or (config.cluster_name if config_path else None),
        region=live.get("region") or (config.region if config_path else None),
    )


def _print(report: Any, output: str, *, problems_only: bool, lines_to_stderr: bool = False) -> None:
    from ekslab.verify import report as reports

    if output == "json":
        reports.write_json(report, sys.stdout)
    elif output == "html":
        click.echo(reports.summary_line(report))
    elif output == "table":
        from ekslab.cli.verify_table import render_table

        # Off a terminal (a pipe, a CI log) nothing limits the width: keep ids whole.
        console = terminal_console(width=None if sys.stdout.isatty() else PLAIN_WIDTH)
        render_table(report, console, problems_only=problems_only)
    else:
        for line in reports.iter_lines(report):
            click.echo(line, err=lines_to_stderr)
