"""Writing the HTML report for ``ekslab report`` and ``ekslab verify --html-file`` (one code path).

The page's IP-ledger section needs the snapshot only, not the verdicts: ``start_ledger`` begins it
in a forked child (``ekslab.sources.forked``), on the second CPU while this process runs the checks,
and ``write_report`` takes the section's HTML from it (0.55-0.65 s of a 150,000-pod report: the
ledger, then its 24,576 blocks rendered). Where no child is
forked (one CPU, other threads, no ``fork``), or the child has no answer, the rows are built here:
the same section and the same errors either way.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from ekslab import __version__

if TYPE_CHECKING:
    from ekslab.config.model import LabConfig
    from ekslab.sources.bundle import AfterRead
    from ekslab.sources.forked import ForkedRead
    from ekslab.sources.snapshot import ClusterSnapshot
    from ekslab.verify.results import Report


def ledger_html(snapshot: ClusterSnapshot, lab: LabConfig | None) -> str:
    """The page's IP-ledger section: the ledger of ``snapshot`` (``ekslab ips``'s), rendered."""
    from ekslab.cli.inputs import long_lived
    from ekslab.ledger import build_ledger
    from ekslab.report.html import ledger_section
    from ekslab.report.ledger_view import ledger_notes, ledger_subnets

    with long_lived():
        ledger = build_ledger(snapshot, config=lab)
        return ledger_section(ledger_subnets(ledger, snapshot), list(ledger_notes(ledger, snapshot)))


class PendingLedger:
    """The ledger section of a page: being built in a child process, or to be built when asked.

    ``child``: the section already being built (``ledger_after_read``); else, with ``fork``, a
    child is forked here for it."""

    def __init__(
        self,
        snapshot: ClusterSnapshot,
        lab: LabConfig | None,
        *,
        fork: bool,
        child: ForkedRead[str] | None = None,
    ) -> None:
        self.snapshot = snapshot
        self.lab = lab
        self._child = child
        if child is None and fork:  # the child imports the ledger: here it is needed only without an answer
            from ekslab.sources import forked

            self._child = forked.start(lambda: ledger_html(snapshot, lab), str)

    def result(self) -> str:
        """The section's HTML: the child's, else (no child, or a child with no answer) built here."""
        child, self._child = self._child, None
        section = child.result() if child is not None else None
        return section if section is not None else ledger_html(self.snapshot, self.lab)

    def cancel(self) -> None:
        """End the child, if any (the page will not be written)."""
        child, self._child = self._child, None
        if child is not None:
            child.cancel()

    def __enter__(self) -> PendingLedger:
        return self

    def __exit__(self, *_: object) -> None:
        self.cancel()


def ledger_after_read(lab: LabConfig | None) -> AfterRead:
    """The ledger section as work for a bundle's reading child (``read_snapshot``'s ``after``): it
    begins as soon as the bundle is read, in a child that shares no page of this process's records."""
    from ekslab.sources.bundle import AfterRead

    return AfterRead(lambda snapshot: ledger_html(snapshot, lab), str)


def start_ledger(
    snapshot: ClusterSnapshot, lab: LabConfig | None, after: AfterRead | None = None
) -> PendingLedger:
    """Begin the ledger section of ``snapshot``'s page on the second CPU, where a child may be forked
    (or take the one ``after``, ``ledger_after_read`` given to the read, began); use it as a context
    manager, so that the child ends with the block whatever happens in it."""
    return PendingLedger(snapshot, lab, fork=True, child=after.pending if after is not None else None)


def write_report(
    snapshot: ClusterSnapshot,
    report: Report,
    path: str,
    *,
    source: str,
    cluster: str | None = None,
    region: str | None = None,
    lab: LabConfig | None = None,
    ledger: PendingLedger | None = None,
    draw_all: bool = False,
) -> None:
    """Build the page's model from the snapshot and the verdicts and write it to ``path``.

    The IP ledger (``ekslab ips``) is built from the same snapshot (``ledger``, begun by
    ``start_ledger``, else here); ``lab``, the configuration the lab was deployed with when one was
    given, adds its subnets' roles and its groups' max sizes. ``draw_all``: every node's parts are
    markup, closed nodes' too (``ekslab.report.model.build_model``).
    """
    from ekslab.cli.inputs import long_lived
    from ekslab.report.html import write_html
    from ekslab.report.model import build_model

    section = (ledger or PendingLedger(snapshot, lab, fork=False)).result()
    # The model (a slot per address of the cluster) lives until the page is written, and so do the
    # page's parts: neither holds a reference cycle for the collector to find.
    with long_lived():
        model = build_model(
            snapshot,
            report,
            generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC"),
            tool=f"ekslab {__version__}",
            cluster=cluster,
            region=region,
            draw_all=draw_all,
        )
        write_html(model, path, source=source, ledger=section)


def cluster_names(bundle: str | None, live: dict[str, Any]) -> tuple[str | None, str | None]:
    """(cluster, region) for the page's header: the live cluster's, as --config defaults them; for a
    bundle, what was given (a bundle records neither; the page derives the region from its subnets)."""
    if bundle is not None:
        return live.get("cluster"), live.get("region")
    from ekslab.cli.options import live_settings

    settings = live_settings(live)
    return settings.cluster, settings.region
