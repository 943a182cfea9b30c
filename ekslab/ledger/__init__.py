"""The IP ledger of a lab's VPC (``ekslab ips``): who holds every address, free /28 blocks, forecast.

    from ekslab.ledger import build_ledger
    ledger = build_ledger(read_bundle("bundle/"), config=lab)      # subnets, forecast, plan vs reality
    ledger_document(ledger)                                       # the --output json document
    render_svg(ledger)                                            # the --output svg picture

Pure: records in (``ekslab.sources``), figures out; the CLI (``ekslab.cli.ips_cmd``) reads and prints.
See docs/ips.md for every figure and the attribution rules with their sources.
"""

from __future__ import annotations

from ekslab.ledger.build import Ledger, build_ledger
from ekslab.ledger.document import ledger_document
from ekslab.ledger.owners import OWNERS
from ekslab.ledger.svg import render_svg

__all__ = ["OWNERS", "Ledger", "build_ledger", "ledger_document", "render_svg"]
