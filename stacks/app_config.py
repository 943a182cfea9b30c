"""Reading the lab configuration from CDK context (``-c config=...``, ``-c lab=...``)."""

from __future__ import annotations

import sys

from aws_cdk import App

from ekslab.config.loader import parse_config, read_config_document
from ekslab.config.model import LabConfig
from ekslab.config.validation import PolicyFinding, short_policy_line
from ekslab.errors import InputError
from ekslab.lab import check_lab, require_valid
from stacks.cluster_stack import DEPLOYER_CONTEXT_KEY, admin_principal


def config_from_context(app: App) -> LabConfig:
    """The lab configuration named by ``-c config=FILE`` (default lab if absent), ``-c lab=NAME`` applied.

    Also checks ``-c deployerPrincipalArn`` when it names the cluster admin, so app.py reports a bad
    value as one line before building anything.
    """
    path = app.node.try_get_context("config") or None
    source = path or "default lab"
    config = parse_config(read_config_document(path), source=source) if path else LabConfig()
    lab_name = app.node.try_get_context("lab")
    if lab_name and lab_name != config.lab.name:
        document = config.model_dump(mode="json", by_alias=True, exclude_unset=True)
        document.setdefault("lab", {})["name"] = lab_name
        config = parse_config(document, source="-c lab")
    # The one whole-lab check of the synth: the cluster stack's own check finds it done.
    require_valid(config, source=source)
    admin_principal(config, app.node.try_get_context(DEPLOYER_CONTEXT_KEY))
    return config


def print_warnings(config: LabConfig) -> None:
    """The configuration's warnings on stderr, one line each; a policy finding (the open API endpoint
    of the default lab) in its short form, since every synth of such a lab meets it."""
    for warning in check_lab(config).warnings:
        print(f"ekslab: warning: {warning_line(warning)}", file=sys.stderr)


def warning_line(warning: InputError) -> str:
    if isinstance(warning, PolicyFinding):
        return short_policy_line(warning, warning.where)
    return warning.message
