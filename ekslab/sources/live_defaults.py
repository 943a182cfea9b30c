"""Defaults of the live options that the CLI declares too (a module of constants only: the CLI imports it
at start-up)."""

from __future__ import annotations

from typing import Final

DEFAULT_CONCURRENCY: Final = 128
"""Nodes whose ipamd is fetched at once (and the connection pool of the API server and AWS clients).
Each node costs five short GETs one after the other (``ENDPOINTS``): at 50 ms each, 1,000 nodes took
16.4-16.8 s at 16 at once and 2.7-6.0 s at 128 (docs/benchmarks.md, issue 20), where the client's own
work per request is the bound and more threads gain nothing. 128 stays far below what one API server
serves at once (its default ``--max-requests-inflight`` is 400, kube-apiserver reference) and is capped
by ``--concurrency``'s 256."""
