"""What the commands that judge or show a cluster read: a saved bundle, or the live cluster."""

from __future__ import annotations

import gc
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import click

from ekslab.cli.options import live_settings
from ekslab.cli.progress import ProgressBars

if TYPE_CHECKING:
    from ekslab.sources.bundle import AfterRead, ProgressCallback
    from ekslab.sources.snapshot import ClusterSnapshot


def read_snapshot(
    bundle: str | None,
    live: Mapping[str, Any],
    *,
    bundle_progress: ProgressCallback | None = None,
    cidr_reservations: bool = False,
    pod_columns: bool = False,
    after: AfterRead | None = None,
) -> ClusterSnapshot:
    """The snapshot of the ``--bundle`` folder, or else of the live cluster ``live`` (the values of
    ``ekslab.cli.options.live_options``) names, with progress bars on a terminal (for a bundle,
    through ``bundle_progress`` when given: ``ekslab.cli.progress.BundleProgress.update``).
    ``cidr_reservations``: the live read also fetches each subnet's CIDR reservations (``ekslab ips``).
    ``pod_columns``: the pod records carry the columns only ``ekslab pods`` shows (READY, RESTARTS, AGE).
    ``after``: work for a bundle's reading child once the read is done (``ekslab.sources.bundle.AfterRead``;
    a live read has no such child and leaves it unstarted)."""
    if bundle is not None:
        if live.get("cluster") or live.get("region"):
            raise click.UsageError("give either --bundle or --cluster/--region, not both")
        from ekslab.sources.bundle import read_bundle

        with long_lived():
            return read_bundle(
                bundle, progress=bundle_progress, pod_columns=pod_columns, fork=True, after=after
            )
    from ekslab.sources.live import read_live

    options = live_settings(live)
    with ProgressBars() as bars:
        # Only ips asks for reservations: verify's read stays the call it always was.
        extra = {"cidr_reservations": True} if cidr_reservations else {}
        return read_live(options, progress=bars.update, pod_columns=pod_columns, **extra)


class ExitKeepingHeap(SystemExit):
    """``sys.exit(code)`` of a command that holds a snapshot until it ends (verify, ips, report). The
    program's entry point (``ekslab.cli.main.run``) then ends the process as soon as the output is
    flushed, without freeing that snapshot object by object: a million records, indexes and verdicts
    on a 150,000-pod bundle take 0.2 s to free, memory the system takes back at once anyway. Inside
    another program (the tests call ``main``) it is a plain ``SystemExit``."""


@contextmanager
def long_lived() -> Iterator[None]:
    """Build what the command keeps without the cyclic garbage collector, then freeze it.

    Around the read of a bundle (a live read waits on the network, and its HTTP clients make cyclic
    garbage) and around the checks or the ledger made from a snapshot. A snapshot of a large cluster
    is millions of objects (records, ipamd addresses), and its verdicts a few hundred thousand more,
    that live until the command ends and hold no reference cycles. While they are being made, Python's
    cyclic collector would walk all of them again each time the heap grew by a quarter (on the
    150,000-pod benchmark bundle, 2.5-3.0 s of a 12-16 s CPU read and check; docs/benchmarks.md);
    ``gc.freeze`` then keeps later collections from walking them. Objects are still freed by reference
    counting as usual; only cycles made inside the block wait for the end of the process.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()
