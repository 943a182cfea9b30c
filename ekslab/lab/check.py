"""The whole-lab check: every rule family over one configuration, and loading a file through it.

``check_lab`` is what synth, ``ekslab config check``, ``ekslab plan capacity`` and the cluster
stack judge a lab with, so a lab is judged the same way everywhere. It depends on the configuration
alone (and on today's date, for the EKS support-calendar warning), and synth asks it more than once
(the app for its warnings, the cluster stack before building), so its findings are kept per
configuration content for the life of the process: the capacity plan is computed once.
"""

from __future__ import annotations

import os

from ekslab.capacity.guard import check_capacity
from ekslab.cni.rules import CNI_RULES
from ekslab.config.findings import Findings
from ekslab.config.loader import ConfigError, parse_config, read_config_document
from ekslab.config.model import LabConfig
from ekslab.config.validation import NETWORK_RULES, NODE_GROUP_RULES, POLICY_RULES
from ekslab.lab.node_groups import INSTANCE_TYPE_RULES

RULES = (*NETWORK_RULES, *NODE_GROUP_RULES, *INSTANCE_TYPE_RULES, *POLICY_RULES, *CNI_RULES)
"""Every rule family but capacity, in the order their findings are reported."""
_CACHED_LABS = 16


_checked: dict[tuple[str, str, bool], Findings] = {}


def check_lab(config: LabConfig, *, capacity: bool = True) -> Findings:
    """Run every cross-field rule on a parsed configuration; the IP capacity guard runs last, and only
    when nothing else failed (its numbers assume a valid lab)."""
    # What was written counts too, not only the values: `WARM_ENI_TARGET:` (null, written) and no line
    # at all give the same values, and only the first gets the null warning (cni.rules).
    key = (config.model_dump_json(), config.model_dump_json(exclude_unset=True), capacity)
    found = _checked.get(key)
    if found is None:
        found = Findings()
        for rule in RULES:
            rule(config, found)
        if capacity and not found.errors:
            check_capacity(config, found)
        if len(_checked) >= _CACHED_LABS:
            _checked.pop(next(iter(_checked)))
        _checked[key] = found
    return Findings(errors=list(found.errors), warnings=list(found.warnings))


def require_valid(config: LabConfig, *, source: str | None = None, capacity: bool = True) -> LabConfig:
    """``config`` when ``check_lab`` finds no error; else ConfigError (an InputError) listing every
    error, one line each, located in ``source`` when given. Warnings are not raised: get them from
    ``check_lab``."""
    findings = check_lab(config, capacity=capacity)
    if findings.errors:
        errors = findings.errors if source is None else [error.located(source) for error in findings.errors]
        raise ConfigError(errors)
    return config


def load_config(path: str | os.PathLike[str] | None, *, capacity: bool = True) -> LabConfig:
    """Read, type-check and cross-check a configuration file (None = the default lab).

    Raises ConfigError listing every problem, one line each (see ``require_valid``).
    """
    source = "default lab" if path is None else os.fspath(path)
    config = LabConfig() if path is None else parse_config(read_config_document(path), source=source)
    return require_valid(config, source=source, capacity=capacity)
