"""``ekslab workshop run GUIDE``: run an exercise guide's shell blocks in order and check each one.

See docs/workshop.md ("Running the guide" and "Writing steps") for the guide format; the runner is
``ekslab.workshop``. Exit codes: 0 every step run passed (skipped steps do not count), 1 a step
failed or timed out, 2 bad usage or a malformed guide.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import click

from ekslab.cli.options import FiniteFloatRange
from ekslab.cli.output import print_table
from ekslab.errors import EXIT_FAILED, EXIT_OK

if TYPE_CHECKING:
    from ekslab.workshop import Guide, StepResult

_LABELS = {"passed": "PASS", "failed": "FAIL", "error": "ERROR", "skipped": "SKIP"}
_STYLES = {"passed": "green", "failed": "bold red", "error": "bold red", "skipped": "dim"}
_DETAIL_LINES = 40
_SHAPE_HEADING = "\n\nexpected shape:\n"


@click.group()
def workshop() -> None:
    """Run the lab's exercise guide (docs/workshop.md) as a checked script."""


@workshop.command("run")
@click.argument("guide", type=click.Path(dir_okay=False))
@click.option(
    "--junit-file",
    type=click.Path(dir_okay=False, allow_dash=True),
    help="Write a JUnit XML report here; - writes it to standard output (progress then goes to "
    "standard error).",
)
@click.option("--dry-run", is_flag=True, help="Parse the guide and list its steps; run nothing.")
@click.option(
    "--keep-going",
    is_flag=True,
    help="Run the remaining steps after a failure (default: skip them; later steps build on earlier ones).",
)
@click.option(
    "--timeout",
    "default_timeout",
    type=FiniteFloatRange(min=1, max=3600),
    default=300.0,
    show_default=True,
    help="Seconds a step may run, unless it sets its own timeout=.",
)
@click.option(
    "--workdir",
    type=click.Path(file_okay=False, exists=True),
    help="Folder the first step starts in (default: the current one); `cd` in a step carries over.",
)
@click.option("--shell", default="bash", show_default=True, help="The bash to run steps with.")
@click.option(
    "--verbose",
    "-v",
    is_flag=True,
    help="Print each step's output as it runs (a failed step's output is always printed).",
)
def run(
    guide: str,
    junit_file: str | None,
    dry_run: bool,
    keep_going: bool,
    default_timeout: float,
    workdir: str | None,
    shell: str,
    verbose: bool,
) -> None:
    """Run GUIDE's sh/bash blocks in order against the current lab and check each one.

    Each block runs in a fresh bash with `set -euo pipefail`, from the environment and folder the previous block
    left (variables it assigns are exported), and passes when it exits 0 (or its exit=) and its output
    has the shape of the `text` block after it. A live run needs a deployed lab and kubectl/aws
    credentials; see docs/workshop.md.

    Running a guide runs its shell commands as you, with your environment and credentials: only run
    guides you trust (--dry-run lists the steps without running any). Secret variables (*SECRET*,
    *TOKEN*, *PASSWORD*) are redacted from the report; Ctrl-C or SIGTERM stops the running step's
    whole process group.
    """
    from pathlib import Path

    from ekslab.workshop import RunOptions, read_guide, run_guide

    parsed = read_guide(guide)
    to_stdout = False
    if junit_file is not None:
        from ekslab.workshop.junit import check_report_path

        to_stdout = check_report_path(junit_file) is None
    if dry_run:
        _list_steps(parsed)
        return
    options = RunOptions(default_timeout=default_timeout, keep_going=keep_going, shell=shell)
    if workdir is not None:
        options.workdir = Path(workdir)
    printer = _Printer(len(parsed.steps), stderr=to_stdout, verbose=verbose)
    if verbose:
        options.on_output = printer.output
    results = run_guide(parsed, options, on_result=printer.step)
    if junit_file is not None:
        from ekslab.workshop import write_junit

        write_junit(parsed, results, junit_file)
    printer.summary(results, junit_file)
    sys.exit(EXIT_FAILED if any(result.status in ("failed", "error") for result in results) else EXIT_OK)


def _list_steps(guide: Guide) -> None:
    rows = [(step.number, step.line, step.section, step.title, _checks(step)) for step in guide.steps]
    print_table(
        ("#", "LINE", "SECTION", "STEP", "CHECKS"),
        rows,
        right=("#", "LINE"),
        fold=("CHECKS", "LINE", "SECTION"),
        title=f"{guide.title}: {len(guide.steps)} steps ({guide.source})",
    )


def _checks(step: Any) -> str:
    if step.manual is not None:
        return f"manual: {step.manual}"
    parts = [f"exit {step.exit_code}"]
    if step.shape is not None:
        lines = step.shape.checked_lines
        parts.append(f"output shape ({lines} line{'' if lines == 1 else 's'})")
    if step.timeout is not None:
        parts.append(f"timeout {step.timeout:g} s")
    if step.requires:
        parts.append("requires " + ", ".join(f"{name}=true" for name in step.requires))
    return ", ".join(parts)


class _Printer:
    """One line per step as it finishes (colour on a terminal), details of failures, a summary."""

    def __init__(self, total: int, *, stderr: bool = False, verbose: bool = False) -> None:
        from rich.console import Console

        # Off a terminal (CI logs) lines are never wrapped: each step stays on one line.
        self.console = Console(highlight=False, soft_wrap=True, stderr=stderr)
        self.width = len(str(total))
        self.total = total
        self.verbose = verbose
        self.running: Any = None

    def output(self, step: Any, stream: str, line: str) -> None:
        """``--verbose``: a step's output line as it is printed, under the step's heading."""
        from rich.markup import escape

        if self.running is not step:
            self.running = step
            self.console.print(f"RUN   {step.number:>{self.width}}/{self.total}  {escape(step.title)}")
        marker = "|" if stream == "stdout" else "!"
        self.console.print(f"      {marker} {escape(line)}", style=None if stream == "stdout" else "yellow")

    def step(self, result: StepResult) -> None:
        from rich.markup import escape

        step = result.step
        label = _LABELS[result.status]
        timing = f" ({result.seconds:.1f} s)" if result.status != "skipped" else ""
        line = f"{label:<5} {step.number:>{self.width}}/{self.total}  {escape(step.title)}{timing}"
        self.console.print(f"[{_STYLES[result.status]}]{line}[/]" if self.console.is_terminal else line)
        if result.status == "skipped":
            self.console.print(f"      {escape(result.message)}", style="dim")
            return
        if result.status in ("failed", "error"):
            self.console.print(f"      step at line {step.line}: {escape(result.message)}")
            if _SHAPE_HEADING in result.detail:  # the shape the output was matched against
                shape = result.detail.split(_SHAPE_HEADING, 1)[1].split("\n\noutput:\n", 1)[0]
                self._lines("expected shape:", shape, "dim")
            if not self.verbose:  # else it was printed as it ran
                self._lines("stdout:", result.stdout, "dim")
                self._lines("stderr:", result.stderr, "yellow")

    def _lines(self, heading: str, text: str, style: str) -> None:
        """The last ``_DETAIL_LINES`` lines of ``text`` (a failed step's output ends with its error)."""
        from rich.markup import escape

        lines = text.strip("\n").splitlines()
        if not lines:
            return
        if heading:
            self.console.print(f"      {heading}")
        if len(lines) > _DETAIL_LINES:
            self.console.print(f"      | ... ({len(lines) - _DETAIL_LINES} earlier lines)", style=style)
            lines = lines[-_DETAIL_LINES:]
        for text_line in lines:
            self.console.print(f"      | {escape(text_line)}", style=style)

    def summary(self, results: list[StepResult], junit_file: str | None) -> None:
        counts = {status: sum(1 for result in results if result.status == status) for status in _LABELS}
        text = (
            f"{len(results)} step{'' if len(results) == 1 else 's'}: {counts['passed']} passed, "
            f"{counts['failed']} failed, "
            f"{counts['error']} errors, {counts['skipped']} skipped"
        )
        if junit_file:
            text += f"; JUnit report: {junit_file}"
        self.console.print(text)
