"""Workload stack: the 2048 game behind an ALB, and the AWS Load Balancer Controller that makes the ALB."""

from __future__ import annotations

from typing import Any

from aws_cdk import CfnOutput, Stack
from constructs import Construct

from ekslab.config import defaults
from ekslab.config.model import LabConfig
from ekslab_constructs.game_2048 import Game2048
from ekslab_constructs.load_balancer_controller import LoadBalancerController
from stacks.cluster_stack import ClusterStack


class WorkloadStack(Stack):
    """The 2048 game and the load balancer controller, in their own stack after the cluster stack.

    The controller lives here, not in the cluster stack: it exists only for this workload (one switch,
    ``workload.game2048.enabled``, removes both), and keeping both in one template makes the teardown
    order one CloudFormation graph: the Ingress depends on the controller's chart, so ``cdk destroy``
    deletes the Ingress (and the controller deletes the ALB) before it uninstalls the controller. The
    whole stack depends on the cluster stack (node groups, CoreDNS), so the nodes outlive both.
    """

    def __init__(
        self, scope: Construct, id_: str, *, config: LabConfig, cluster_stack: ClusterStack, **kwargs: Any
    ) -> None:
        super().__init__(scope, id_, **kwargs)
        cluster = cluster_stack.lab_cluster.cluster
        self.controller = LoadBalancerController(
            self,
            "LoadBalancerController",
            cluster=cluster,
            vpc=cluster.vpc,
            mode=config.cluster.workload_identity,
            default_tags={defaults.TAG_LAB: config.lab.name, **config.lab.tags},
        )
        # The controller's pods need nodes, and DNS for the AWS APIs. Across stacks these become a
        # stack dependency: CloudFormation deletes this stack before the cluster stack.
        for group in cluster_stack.node_groups:
            self.controller.node.add_dependency(group.nodegroup)
        self.controller.node.add_dependency(cluster_stack.core_addons.coredns)
        self.game = Game2048(
            self,
            "Game2048",
            cluster=cluster,
            settings=config.workload.game2048,
            ip_family=config.cluster.ip_family,
            controller=[self.controller.chart],
        )
        outputs = {
            "GameUrl": (f"http://{self.game.hostname.value}", "Open the 2048 game (the ALB before its pods)"),
            "GameNamespace": (self.game.namespace_name, "Namespace of the 2048 game's pods"),
            "LoadBalancerControllerRoleArn": (
                self.controller.identity.role.role_arn,
                "IAM role of the AWS Load Balancer Controller",
            ),
        }
        for key, (value, description) in outputs.items():
            CfnOutput(self, key, value=value, description=description).override_logical_id(key)
