"""The 2048 game: the plain YAML of ``manifests/2048/``, set from the lab configuration and applied in order.

The manifests stay usable with ``kubectl apply -f manifests/2048/``; this module reads the same files,
sets the replicas and the ALB scheme from ``workload.game2048`` (and the ALB's IP address type on IPv6
clusters), and creates one Kubernetes resource per object through the cluster's kubectl provider.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import yaml
from aws_cdk import Duration
from aws_cdk import aws_eks_v2 as eks
from constructs import Construct, IConstruct

from ekslab.config.model import Game2048 as Game2048Settings
from ekslab.config.model import IpFamily

MANIFESTS_DIR: Final = Path(__file__).resolve().parent.parent / "manifests" / "2048"
KINDS: Final = ("Namespace", "Deployment", "Service", "Ingress")
"""Creation order. ``cdk destroy`` deletes in the reverse order: the Ingress (and so the ALB) first."""

SCHEME_ANNOTATION: Final = "alb.ingress.kubernetes.io/scheme"
TARGET_TYPE_ANNOTATION: Final = "alb.ingress.kubernetes.io/target-type"
IP_ADDRESS_TYPE_ANNOTATION: Final = "alb.ingress.kubernetes.io/ip-address-type"
DUALSTACK: Final = "dualstack"
"""For IPv6 pods: without it the ALB balances over IPv4 (and IPv6 works with IP targets only).
See https://docs.aws.amazon.com/eks/latest/userguide/alb-ingress.html"""

HOSTNAME_JSON_PATH: Final = ".status.loadBalancer.ingress[0].hostname"
"""Where the controller writes the ALB's DNS name once the ALB exists."""
HOSTNAME_TIMEOUT: Final = Duration.minutes(10)
"""How long the deploy waits for the ALB's DNS name (the ALB usually takes two to three minutes)."""


class ManifestError(ValueError):
    """``manifests/2048/`` does not hold what this module expects: a broken edit of the YAML."""


@dataclass(frozen=True)
class GameManifests:
    """One object of each kind, as plain dicts (each a fresh copy: callers may change them)."""

    namespace: dict[str, Any]
    deployment: dict[str, Any]
    service: dict[str, Any]
    ingress: dict[str, Any]

    def in_order(self) -> list[dict[str, Any]]:
        """The objects in creation order (``KINDS``)."""
        return [self.namespace, self.deployment, self.service, self.ingress]


def load_manifests(directory: Path = MANIFESTS_DIR) -> GameManifests:
    """Read every ``*.yaml`` of ``directory``: exactly one object per file, one file per kind."""
    by_kind: dict[str, dict[str, Any]] = {}
    for path in sorted(directory.glob("*.yaml")):
        objects = [o for o in yaml.safe_load_all(path.read_text()) if o is not None]
        if len(objects) != 1 or not isinstance(objects[0], dict):
            raise ManifestError(f"{path}: must hold exactly one Kubernetes object, got {len(objects)}")
        kind = objects[0].get("kind")
        if kind not in KINDS:
            raise ManifestError(f"{path}: kind must be one of {', '.join(KINDS)}, got {kind!r}")
        if kind in by_kind:
            raise ManifestError(f"{path}: a second {kind}; {directory} holds one object of each kind")
        by_kind[kind] = objects[0]
    missing = [kind for kind in KINDS if kind not in by_kind]
    if missing:
        raise ManifestError(f"{directory}: no {', '.join(missing)} manifest")
    return GameManifests(*(copy.deepcopy(by_kind[kind]) for kind in KINDS))


def render_manifests(
    settings: Game2048Settings,
    *,
    ip_family: IpFamily,
    directory: Path = MANIFESTS_DIR,
) -> GameManifests:
    """The manifests with the configured replicas, image and ALB scheme (and a dualstack ALB on IPv6)."""
    manifests = load_manifests(directory)
    manifests.deployment["spec"]["replicas"] = settings.replicas
    if settings.image:
        for container in manifests.deployment["spec"]["template"]["spec"]["containers"]:
            container["image"] = settings.image
    annotations = manifests.ingress["metadata"].setdefault("annotations", {})
    annotations[SCHEME_ANNOTATION] = settings.scheme
    if ip_family is IpFamily.IPV6:
        annotations[IP_ADDRESS_TYPE_ANNOTATION] = DUALSTACK
    return manifests


class Game2048(Construct):
    """Namespace, Deployment, Service and Ingress of the 2048 game, each its own Kubernetes resource.

    Every object waits for ``controller`` (the load balancer controller's chart: its webhooks check
    Ingresses and Services when they are created); the Deployment and Service wait for the Namespace;
    the Ingress waits for both. CloudFormation deletes in reverse dependency order, so ``cdk destroy``
    deletes the Ingress first, while the controller still runs to delete the ALB, its target group
    and its security groups. ``hostname`` is the ALB's DNS name, read from the Ingress status.
    """

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        cluster: eks.ICluster,
        settings: Game2048Settings,
        ip_family: IpFamily,
        controller: Sequence[IConstruct],
        directory: Path = MANIFESTS_DIR,
    ) -> None:
        super().__init__(scope, id_)
        self.manifests = render_manifests(settings, ip_family=ip_family, directory=directory)
        self.namespace_name: str = self.manifests.namespace["metadata"]["name"]
        resources = {
            kind: eks.KubernetesManifest(
                # A copy: aws_eks_v2 adds its prune label to the dict it is given.
                self,
                kind,
                cluster=cluster,
                manifest=[copy.deepcopy(obj)],
                # apply, not create: a rollback whose delete failed (the provider only logs delete
                # errors) must not block the next deploy with AlreadyExists.
                overwrite=True,
            )
            for kind, obj in zip(KINDS, self.manifests.in_order(), strict=True)
        }
        for resource in resources.values():
            resource.node.add_dependency(*controller)
        resources["Deployment"].node.add_dependency(resources["Namespace"])
        resources["Service"].node.add_dependency(resources["Namespace"])
        resources["Ingress"].node.add_dependency(resources["Deployment"], resources["Service"])
        self.namespace = resources["Namespace"]
        self.deployment = resources["Deployment"]
        self.service = resources["Service"]
        self.ingress = resources["Ingress"]

        ingress_meta = self.manifests.ingress["metadata"]
        self.hostname = eks.KubernetesObjectValue(
            self,
            "AlbHostname",
            cluster=cluster,
            object_type="ingress",
            object_name=ingress_meta["name"],
            object_namespace=ingress_meta["namespace"],
            json_path=HOSTNAME_JSON_PATH,
            timeout=HOSTNAME_TIMEOUT,
        )
        self.hostname.node.add_dependency(self.ingress)
