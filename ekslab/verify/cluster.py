"""Cluster-wide checks: the aws-node DaemonSet's settings against the lab configuration (drift) and,
per ``target-type: ip`` Ingress, the load balancer's targets against the ready pods' IPs."""

from __future__ import annotations

from ekslab.verify.context import VerifyContext
from ekslab.verify.drift import daemonset_drift
from ekslab.verify.results import CheckResult, TargetResult
from ekslab.verify.targets import check_targets


def check_cluster(context: VerifyContext) -> tuple[list[CheckResult], CheckResult | None, list[TargetResult]]:
    """(cluster checks, the end-to-end check's own result, one result per load-balanced backend)."""
    snapshot, expectations = context.snapshot, context.expectations
    targets_check, targets = check_targets(snapshot.targets, snapshot.pods)
    drift = daemonset_drift(snapshot.daemonset_env, expectations.aws_node_env, expectations.init_env)
    return [drift], targets_check, targets
