"""The lab configuration's schema: typed model (with the CNI settings model), defaults, loading and the
rules that need nothing but the configuration.

This package is the foundation: it imports nothing of ekslab but ``errors``, ``files`` and
``network``. Judging a whole lab, with the ENI limits, add-on schemas and capacity model, is
``ekslab.lab`` (``load_config``, ``check_lab``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ekslab.config.model import LabConfig


def default_config() -> LabConfig:
    """The default lab: the seed workshop's VPC, cluster, node group and 2048 game."""
    from ekslab.config.model import LabConfig

    return LabConfig()
