"""Verification of one snapshot: every pod IP is a VPC IP on its node's ENI, cross-checked with ipamd.

The checks live by what they judge: ``nodes.py`` (per node: ``enis``, ``ipamd``, ``eniconfig``,
``drift``), ``pods.py`` (per pod, the reason codes of ``results.py`` in the order they are checked),
``convergence.py`` (per node: did the settings in force reach it; the replacement plan of
``recycle.py``) and ``cluster.py`` (the aws-node DaemonSet's drift, load balancer targets). ``verify``
runs them in that order over one ``VerifyContext``: the pod checks need each node's ENIConfig subnet,
the convergence checks the pods' address kinds.
"""

from __future__ import annotations

from ekslab.sources.snapshot import ClusterSnapshot
from ekslab.verify.cluster import check_cluster
from ekslab.verify.context import Expectations, VerifyContext
from ekslab.verify.convergence import converge
from ekslab.verify.nodes import NodeChecks
from ekslab.verify.pods import PodChecks
from ekslab.verify.results import Report

__all__ = ["Expectations", "verify"]


def verify(snapshot: ClusterSnapshot, expectations: Expectations) -> Report:
    """Run every check on a snapshot."""
    context = VerifyContext(snapshot, expectations)
    node_checks = NodeChecks(context)
    nodes = node_checks.check_all()
    pods = PodChecks(context, node_checks.pod_subnets).check_all()
    idle, plan = converge(
        snapshot, nodes, pods, expectations, context.index.by_instance, node_checks.eniconfig_record
    )
    cluster, targets_check, targets = check_cluster(context)
    return Report(
        source=snapshot.source,
        pods=pods,
        nodes=nodes,
        cluster=cluster,
        targets=targets,
        targets_checked=targets_check,
        notes=list(snapshot.notes),
        idle_addresses=idle,
        recycle=plan,
    )
