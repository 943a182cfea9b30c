"""Composing the lab: which stacks exist, their names, environment and tags."""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import App, Environment, Stack, Tags

from ekslab.config import defaults
from ekslab.config.model import LabConfig
from stacks.ci_access_stack import CiAccessStack
from stacks.cluster_stack import ClusterStack
from stacks.network_stack import NetworkStack
from stacks.workload_stack import WorkloadStack


@dataclass(frozen=True)
class LabStacks:
    network: NetworkStack
    cluster: ClusterStack
    ci_access: CiAccessStack | None = None
    """Only with ciAccess.enabled."""
    workload: WorkloadStack | None = None
    """Only with workload.game2048.enabled."""

    def all(self) -> list[Stack]:
        return (
            [self.network, self.cluster]
            + ([self.workload] if self.workload else [])
            + ([self.ci_access] if self.ci_access else [])
        )


def stack_name(config: LabConfig, part: str) -> str:
    """The lab's ``part`` stack name (``ekslab.config.defaults.stack_name``)."""
    return defaults.stack_name(config.lab.name, part)


def build_lab(app: App, config: LabConfig) -> LabStacks:
    """Add every stack of the lab to ``app``."""
    environment = Environment(account=config.account, region=config.region)
    tags = {defaults.TAG_LAB: config.lab.name, **config.lab.tags}
    # Stack tags mark the CloudFormation stacks themselves (with @aws-cdk/core:explicitStackTags they
    # no longer reach resources); Tags.of below marks every taggable resource.
    common = {"env": environment, "analytics_reporting": False, "tags": tags}
    network = NetworkStack(
        app,
        stack_name(config, "network"),
        config=config,
        stack_name=stack_name(config, "network"),
        description=f"ekslab {config.lab.name}: VPC over three AZs with flow logs",
        **common,
    )
    cluster = ClusterStack(
        app,
        stack_name(config, "cluster"),
        config=config,
        network=network,
        stack_name=stack_name(config, "cluster"),
        description=f"ekslab {config.lab.name}: EKS {config.cluster.kubernetes_version} with the VPC CNI add-on "
        "and managed node groups",
        **common,
    )
    ci_access = (
        CiAccessStack(
            app,
            stack_name(config, "ci-access"),
            config=config,
            stack_name=stack_name(config, "ci-access"),
            description=f"ekslab {config.lab.name}: GitHub OIDC role of the live-lab workflow",
            **common,
        )
        if config.ci_access.enabled
        else None
    )
    workload = (
        WorkloadStack(
            app,
            stack_name(config, "workload"),
            config=config,
            cluster_stack=cluster,
            stack_name=stack_name(config, "workload"),
            description=f"ekslab {config.lab.name}: the 2048 game behind an ALB, with the AWS Load Balancer "
            "Controller",
            **common,
        )
        if config.workload.game2048.enabled
        else None
    )
    stacks = LabStacks(network=network, cluster=cluster, ci_access=ci_access, workload=workload)
    for stack in stacks.all():
        for key, value in sorted(tags.items()):
            Tags.of(stack).add(key, value)
    return stacks
