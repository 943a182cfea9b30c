"""The whole lab: a configuration loaded and judged by every rule family.

    from ekslab.lab import load_config, check_lab
    config = load_config("lab.yaml")      # or None for the default lab (the seed workshop's)
    check_lab(config).warnings

This package sits above the configuration schema (``ekslab.config``), the CNI (``ekslab.cni``), the
ENI limits (``ekslab.limits``) and the capacity model (``ekslab.capacity``): it is where they meet.
"""

from ekslab.lab.check import check_lab, load_config, require_valid

__all__ = ["check_lab", "load_config", "require_valid"]
