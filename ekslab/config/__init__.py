"""The lab configuration: typed model, defaults, loading and cross-field validation.

    from ekslab.config import load_config
    config = load_config("lab.yaml")      # or None for the default lab (the seed workshop's)

Names are resolved lazily (PEP 562) so that ``ekslab.config.types`` and ``ekslab.config.defaults``
can be imported by the CNI settings model without importing the loader first.
"""

from __future__ import annotations

import importlib
import os
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ekslab.config.loader import ConfigError
    from ekslab.config.model import LabConfig
    from ekslab.config.validation import Findings, check_lab

__all__ = ["ConfigError", "Findings", "LabConfig", "check_lab", "default_config", "load_config"]

_LAZY = {
    "ConfigError": "ekslab.config.loader",
    "LabConfig": "ekslab.config.model",
    "Findings": "ekslab.config.validation",
    "check_lab": "ekslab.config.validation",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def default_config() -> LabConfig:
    """The default lab: the seed workshop's VPC, cluster, node group and 2048 game."""
    from ekslab.config.model import LabConfig

    return LabConfig()


def load_config(path: str | os.PathLike[str] | None, *, capacity: bool = True) -> LabConfig:
    """Read, type-check and cross-check a configuration file (None = the default lab).

    Raises ConfigError (an InputError) listing every problem, one line each; warnings are not
    raised: get them from ``check_lab(config)``.
    """
    from ekslab.config.loader import ConfigError, parse_config, read_config_document
    from ekslab.config.validation import check_lab

    source = "default lab" if path is None else os.fspath(path)
    config = default_config() if path is None else parse_config(read_config_document(path), source=source)
    findings = check_lab(config, capacity=capacity)
    if findings.errors:
        raise ConfigError([error.located(source) for error in findings.errors])
    return config
