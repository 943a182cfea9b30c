"""Fixtures the verification tests share."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.verify.cluster_docs import baseline


@pytest.fixture
def bundle(tmp_path: Path) -> Path:
    """The baseline cluster's documents written as a bundle folder (every pod passes)."""
    return baseline().write(tmp_path / "bundle")
