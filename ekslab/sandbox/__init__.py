"""The sandbox: a recorded lab served on loopback, to try the workshop, ``ekslab`` and kubectl
without AWS (``ekslab sandbox up`` / ``down``).

* ``kube_api``: a read-only Kubernetes API server (discovery, lists, Tables for ``kubectl get``,
  the node proxy with the nodes' ipamd bodies).
* ``recorded``: a bundle made live again: its AWS side created in moto through the AWS APIs, its
  Kubernetes documents rewritten with moto's ids.
* ``ssm_nodes``: the nodes' one behaviour over SSM Run Command, ipamd's curl.
* ``service``: both servers in one process (``Sandbox``, ``running``) or in the background
  (``up``, ``down``, ``status``); ``lab/`` is the recorded default lab it serves.

What the sandbox cannot do, and so what the recorded-lab tests still stand in for, is ``LIMITS``.
"""

from __future__ import annotations

from typing import Final

LIMITS: Final = {
    "SSM Run Command beyond ipamd's curl": "moto runs nothing on a node; the sandbox's nodes answer only "
    "`curl -s http://localhost:61679/v1/<endpoint>` (``ssm_nodes``), so ekslab's own SSM script is not "
    "run and ekslab reaches ipamd through the API server's node proxy (EKSLAB_IPAMD_TRANSPORT=proxy)",
    "kubectl exec": "no container runs: a pod exec (the network-policy probes) has nothing to run in",
    "kubectl apply / create / delete, kubectl rollout status": "the API server is read-only and has no "
    "controllers: a Deployment would never get pods, a NetworkPolicy never takes effect",
    "ENI prefixes (aws ec2 describe-network-interfaces ... Ipv4Prefixes)": "moto cannot delegate /28 "
    "prefixes; a recorded prefix's addresses are assigned as secondary IPs",
    "branch ENIs (security groups for pods)": "moto has no trunk or branch ENIs",
}
"""What no local server does, and why: the sandbox's limits, and the recorded-lab tests' stand-ins."""
