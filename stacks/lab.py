"""Composing the lab: which stacks exist, their names, environment and tags."""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import App, Environment, Stack, Tags

from ekslab.config import defaults
from ekslab.config.model import LabConfig
from stacks.network_stack import NetworkStack


@dataclass(frozen=True)
class LabStacks:
    network: NetworkStack

    def all(self) -> list[Stack]:
        return [self.network]


def stack_name(config: LabConfig, part: str) -> str:
    """``<lab>-<part>``: several labs can share one account and region without clashing."""
    return f"{config.lab.name}-{part}"


def build_lab(app: App, config: LabConfig) -> LabStacks:
    """Add every stack of the lab to ``app``."""
    environment = Environment(account=config.account, region=config.region)
    common = {"env": environment, "analytics_reporting": False}
    network = NetworkStack(
        app, stack_name(config, "network"), config=config, stack_name=stack_name(config, "network"),
        description=f"ekslab {config.lab.name}: VPC over three AZs with flow logs", **common,
    )
    stacks = LabStacks(network=network)
    for stack in stacks.all():
        Tags.of(stack).add(defaults.TAG_LAB, config.lab.name)
        for key, value in sorted(config.lab.tags.items()):
            Tags.of(stack).add(key, value)
    return stacks
