"""Entry point of the ``ekslab`` command.

Subcommands are registered in ``COMMANDS`` by module path and imported only when used, so that
``ekslab --help`` starts fast and never imports boto3, kubernetes or aws_cdk (a test checks this).
Command modules keep their heavy imports inside the command functions for the same reason.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import signal
import sys
import threading
from typing import NamedTuple

import click

from ekslab import __version__
from ekslab.errors import (
    EXIT_INTERRUPTED,
    EXIT_TERMINATED,
    EXIT_USAGE,
    InputError,
    Terminated,
    UnverifiedError,
)


class _Entry(NamedTuple):
    target: str  # "module:attribute" of a click command or group
    summary: str  # shown by `ekslab --help` without importing the module


COMMANDS: dict[str, _Entry] = {
    "addons": _Entry(
        "ekslab.cli.addons_cmd:addons", "Refresh the pinned add-on versions from eks:DescribeAddonVersions."
    ),
    "azs": _Entry(
        "ekslab.cli.azs_cmd:azs", "Print the lab's AZ1..AZ3 exports; keep them in a shell profile."
    ),
    "config": _Entry("ekslab.cli.config_cmd:config", "Check and show lab configuration files."),
    "collect": _Entry(
        "ekslab.cli.collect_cmd:collect", "Save a live cluster's verification inputs as a bundle."
    ),
    "ipamd": _Entry(
        "ekslab.cli.ipamd_cmd:ipamd",
        "Show a node's ipamd introspection (ENIs, pod IPs, settings), any CNI version.",
    ),
    "ips": _Entry(
        "ekslab.cli.ips_cmd:ips",
        "Show who holds every address of the VPC's subnets, free /28 blocks and a forecast.",
    ),
    "plan": _Entry(
        "ekslab.cli.plan_cmd:plan", "Plan IP capacity: max pods, warm pools, subnet headroom per AZ."
    ),
    "pods": _Entry(
        "ekslab.cli.pods_cmd:pods",
        "List pods with their ENI, device, subnet and IP source (secondary IP or prefix).",
    ),
    "preflight": _Entry(
        "ekslab.cli.preflight_cmd:preflight",
        "Check an account and region before `make deploy` (AZs, instance types, quotas, bootstrap).",
    ),
    "report": _Entry(
        "ekslab.cli.report_cmd:report",
        "Write one self-contained HTML page: the pod -> ENI -> subnet map, verified.",
    ),
    "sandbox": _Entry(
        "ekslab.cli.sandbox_cmd:sandbox",
        "Start or stop a local lab (recorded, on loopback) to try without AWS.",
    ),
    "teardown-check": _Entry("ekslab.cli.teardown_cmd:teardown_check", "List what a destroyed lab left."),
    "verify": _Entry(
        "ekslab.cli.verify_cmd:verify", "Prove every pod IP is a VPC IP on its node's ENI (live or bundle)."
    ),
    "workshop": _Entry(
        "ekslab.cli.workshop_cmd:workshop", "Run the exercise guide (docs/workshop.md) as checked steps."
    ),
}


class _LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        entry = COMMANDS.get(cmd_name)
        if entry is None:
            return None
        module_name, attribute = entry.target.split(":")
        return getattr(importlib.import_module(module_name), attribute)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, COMMANDS[name].summary) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="ekslab")
def cli() -> None:
    """Stand up an Amazon EKS lab with the VPC CNI and prove that every pod IP is a VPC IP.

    The lab itself is deployed with `make synth` / `make deploy` (AWS CDK); this command checks
    configurations, plans IP capacity, and verifies a running cluster or a saved bundle.
    """


def run() -> None:
    """The ``ekslab`` program (the console script, ``python -m ekslab``): ``main`` on ``sys.argv``.

    A command that ends with ``ExitKeepingHeap`` ends the process once its output is flushed, when
    no other thread is left to wait for, instead of freeing its snapshot object by object first.
    """
    from ekslab.cli.inputs import ExitKeepingHeap

    try:
        main()
    except ExitKeepingHeap as exited:
        if threading.active_count() > 1:
            raise
        code = exited.code if isinstance(exited.code, int) else 1
        try:
            sys.stdout.flush()
        except BrokenPipeError:
            code = 1
        with contextlib.suppress(OSError, ValueError):
            sys.stderr.flush()
        os._exit(code)


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; bad input becomes one line on stderr and exit code 2, never a traceback.

    Ctrl-C exits 130 and SIGTERM 143, as shells report them, after the command has cleaned up:
    SIGTERM is raised as ``Terminated`` so that temporary files and child processes go too.
    """
    previous = _on_sigterm(_terminate)
    try:
        code = cli.main(args=argv, prog_name="ekslab", standalone_mode=False)
    except UnverifiedError as error:
        _fail(error.message, code=error.exit_code)
    except InputError as error:
        _fail(error.message)
    except click.exceptions.NoArgsIsHelpError as error:
        click.echo(error.ctx.get_help() if error.ctx else str(error))
        sys.exit(EXIT_USAGE)
    except click.UsageError as error:
        command = error.ctx.command_path if error.ctx else "ekslab"
        message = " ".join(error.format_message().split())
        _fail(f"{command}: {message} (see '{command} --help')")
    except click.ClickException as error:
        _fail(" ".join(error.format_message().split()))
    except (click.exceptions.Abort, KeyboardInterrupt):
        # click turns Ctrl-C into Abort; an Abort from a prompt's EOF is rare enough to share it.
        _fail("interrupted", code=EXIT_INTERRUPTED)
    except Terminated:
        _fail("terminated (SIGTERM)", code=EXIT_TERMINATED)
    except BrokenPipeError:
        sys.stderr.close()
        sys.exit(1)
    except Exception as error:
        problem = _aws_setup_problem(error)
        if problem is None:
            raise
        _fail(problem.message)
    finally:
        _on_sigterm(previous)
    sys.exit(code if isinstance(code, int) else 0)


def _aws_setup_problem(error: Exception) -> InputError | None:
    """A wrong profile, missing credentials or region that a command did not catch: one line too."""
    if "botocore" not in sys.modules:  # then it cannot be botocore's exception
        return None
    from ekslab.aws.problems import setup_problem

    return setup_problem(error)


def _terminate(signum: int, frame: object) -> None:
    raise Terminated


def _on_sigterm(handler: object) -> object:
    """Install ``handler`` for SIGTERM and return the one before; outside the main thread (a test
    calling ``main`` from a worker) signals cannot be handled and nothing changes."""
    try:
        return signal.signal(signal.SIGTERM, handler)  # type: ignore[arg-type]
    except ValueError:
        return handler


def _fail(message: str, *, code: int = EXIT_USAGE) -> None:
    click.echo(f"ekslab: error: {message}", err=True)
    sys.exit(code)
