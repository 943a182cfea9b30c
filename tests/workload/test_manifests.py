"""The 2048 manifests of manifests/2048/: schema-valid, consistent with each other, hardened, and rendered
from the configuration. No CDK here: these are the files `kubectl apply -f manifests/2048/` applies."""

from __future__ import annotations

import copy
import re
import shutil
import typing
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from ekslab.config import defaults
from ekslab.config.model import Cluster, Game2048, IpFamily
from ekslab_constructs.game_2048 import (
    IP_ADDRESS_TYPE_ANNOTATION,
    KINDS,
    MANIFESTS_DIR,
    SCHEME_ANNOTATION,
    TARGET_TYPE_ANNOTATION,
    GameManifests,
    ManifestError,
    load_manifests,
    render_manifests,
)

FILES = sorted(MANIFESTS_DIR.glob("*.yaml"))
SUPPORTED_VERSIONS = typing.get_args(Cluster.model_fields["kubernetes_version"].annotation)
"""Every Kubernetes version a lab may run (the config model's choices): the manifests must suit all."""
GAME_IMAGE_REPOSITORY = "public.ecr.aws/l6m2t8p7/docker-2048"
"""The image of the AWS Load Balancer Controller's 2048 example (docs/examples/2048/2048_full.yaml)."""


@pytest.fixture(scope="module")
def plain() -> GameManifests:
    return load_manifests()


def _pod_spec(manifests: GameManifests) -> dict[str, Any]:
    return manifests.deployment["spec"]["template"]["spec"]


def _container(manifests: GameManifests) -> dict[str, Any]:
    [container] = _pod_spec(manifests)["containers"]
    return container


def _pod_labels(manifests: GameManifests) -> dict[str, str]:
    return manifests.deployment["spec"]["template"]["metadata"]["labels"]


def _resolves_to(port: int | str, container: dict[str, Any]) -> list[int]:
    """The container ports a named or numbered port reference points at."""
    return [p["containerPort"] for p in container["ports"] if port in (p.get("name"), p["containerPort"])]


def _selects(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return bool(selector) and all(labels.get(key) == value for key, value in selector.items())


# --- schema validity -----------------------------------------------------------------------------


@pytest.mark.parametrize("version", SUPPORTED_VERSIONS)
@pytest.mark.parametrize("path", FILES, ids=[f.name for f in FILES])
def test_every_manifest_file_is_valid_for_every_supported_version(path: Path, version: str) -> None:
    # GIVEN a manifest file as kubectl would read it
    for document in yaml.safe_load_all(path.read_text()):
        # WHEN it is checked against that version's OpenAPI schema, unknown fields refused (strict)
        # THEN no error (kubernetes_validate raises ValidationError on the first one)
        kubernetes_validate.validate(document, version, strict=True)


def test_strict_validation_refuses_a_misspelled_field(plain: GameManifests) -> None:
    # The validation above could fail: a typo in a nested field is caught, not ignored.
    broken = copy.deepcopy(plain.deployment)
    broken["spec"]["template"]["spec"]["containers"][0]["securityContext"]["capabilitys"] = {}
    with pytest.raises(kubernetes_validate.ValidationError, match="capabilitys"):
        kubernetes_validate.validate(broken, SUPPORTED_VERSIONS[-1], strict=True)


CONFIG_VARIANTS = {
    "one-replica-internal-ipv4": (Game2048(replicas=1, scheme="internal"), IpFamily.IPV4),
    "hundred-replicas-internet-facing-ipv6": (Game2048(replicas=100), IpFamily.IPV6),
}


@pytest.mark.parametrize("variant", CONFIG_VARIANTS)
def test_rendered_manifests_stay_valid(variant: str) -> None:
    settings, ip_family = CONFIG_VARIANTS[variant]
    for document in render_manifests(settings, ip_family=ip_family).in_order():
        kubernetes_validate.validate(document, defaults.KUBERNETES_VERSION, strict=True)


# --- names, labels and selectors -----------------------------------------------------------------


def test_kubectl_apply_of_the_folder_creates_the_namespace_first() -> None:
    # kubectl applies a folder's files in file-name order; the namespace must exist before the rest.
    kinds = [yaml.safe_load(path.read_text())["kind"] for path in FILES]
    assert kinds == list(KINDS)


@pytest.mark.parametrize(
    ("kind", "name"),
    [
        ("namespace", "2048-game"),
        ("deployment", "2048-deployment"),
        ("service", "service-2048"),
        ("ingress", "2048-ingress"),
    ],
)
def test_names_are_the_seed_workshops(plain: GameManifests, kind: str, name: str) -> None:
    # The workshop's printed output (kubectl get pods -n 2048-game ...) reads the same.
    assert getattr(plain, kind)["metadata"]["name"] == name


@pytest.mark.parametrize("kind", ["deployment", "service", "ingress"])
def test_namespaced_objects_live_in_the_games_namespace(plain: GameManifests, kind: str) -> None:
    assert getattr(plain, kind)["metadata"]["namespace"] == plain.namespace["metadata"]["name"]


def test_namespace_is_the_one_the_toolkit_knows(plain: GameManifests) -> None:
    assert plain.namespace["metadata"]["name"] == defaults.GAME_NAMESPACE


def test_deployment_selector_matches_its_pod_labels(plain: GameManifests) -> None:
    assert _selects(plain.deployment["spec"]["selector"]["matchLabels"], _pod_labels(plain))


def test_service_selects_the_deployments_pods(plain: GameManifests) -> None:
    assert _selects(plain.service["spec"]["selector"], _pod_labels(plain))


def test_service_targets_the_containers_port(plain: GameManifests) -> None:
    [service_port] = plain.service["spec"]["ports"]
    assert _resolves_to(service_port["targetPort"], _container(plain)) == [80]


def test_service_is_a_node_port_service_as_in_the_seed(plain: GameManifests) -> None:
    assert plain.service["spec"]["type"] == "NodePort"


def test_ingress_backend_names_the_service_and_one_of_its_ports(plain: GameManifests) -> None:
    [rule] = plain.ingress["spec"]["rules"]
    [path] = rule["http"]["paths"]
    backend = path["backend"]["service"]
    service_ports = plain.service["spec"]["ports"]
    assert backend["name"] == plain.service["metadata"]["name"]
    assert [
        p
        for p in service_ports
        if backend["port"].get("number") == p["port"] or backend["port"].get("name") == p.get("name")
    ]
    assert (path["path"], path["pathType"]) == ("/", "Prefix")


def test_topology_spread_counts_the_deployments_own_pods_per_zone(plain: GameManifests) -> None:
    constraints = _pod_spec(plain)["topologySpreadConstraints"]
    [zone] = [c for c in constraints if c["topologyKey"] == "topology.kubernetes.io/zone"]
    assert (zone["maxSkew"], zone["whenUnsatisfiable"]) == (1, "DoNotSchedule")
    assert _selects(zone["labelSelector"]["matchLabels"], _pod_labels(plain))


# --- the ALB -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        ("ingressClassName", "alb"),
        (SCHEME_ANNOTATION, "internet-facing"),
        (TARGET_TYPE_ANNOTATION, "ip"),
    ],
)
def test_plain_ingress_asks_for_an_internet_facing_alb_with_ip_targets(
    plain: GameManifests,
    field: str,
    expected: str,
) -> None:
    # The controller's defaults would be an internal ALB with instance targets (cdk-notes.md, anchors).
    ingress = plain.ingress
    annotations = ingress["metadata"]["annotations"]
    actual = ingress["spec"][field] if field == "ingressClassName" else annotations[field]
    assert actual == expected


# --- the pods ------------------------------------------------------------------------------------


def test_image_is_the_examples_repository_with_an_explicit_tag_or_digest(plain: GameManifests) -> None:
    # Only :latest has public evidence (docs/workload.md); an implicit tag would hide that choice.
    image = _container(plain)["image"]
    tag_or_digest = r"(:[\w][\w.-]{0,127}|@sha256:[0-9a-f]{64})"
    assert re.fullmatch(re.escape(GAME_IMAGE_REPOSITORY) + tag_or_digest, image)


def test_every_container_requests_and_limits_cpu_and_memory(plain: GameManifests) -> None:
    resources = _container(plain)["resources"]
    assert set(resources["requests"]) == set(resources["limits"]) == {"cpu", "memory"}


def test_readiness_probe_asks_the_container_on_port_80(plain: GameManifests) -> None:
    container = _container(plain)
    assert _resolves_to(container["readinessProbe"]["httpGet"]["port"], container) == [80]


def test_container_keeps_only_the_capabilities_nginx_needs(plain: GameManifests) -> None:
    # Root nginx master: binds :80, makes and chowns temp dirs in an nginx-owned 0700 directory, then
    # drops its workers to the nginx user (Alpine's nginx APKBUILD; docs/workload.md).
    security = _container(plain)["securityContext"]
    assert security["capabilities"] == {
        "drop": ["ALL"],
        "add": ["CHOWN", "DAC_OVERRIDE", "NET_BIND_SERVICE", "SETGID", "SETUID"],
    }
    assert security["allowPrivilegeEscalation"] is False and security["privileged"] is False


def test_pods_use_the_runtime_default_seccomp_profile_and_no_api_token(plain: GameManifests) -> None:
    pod = _pod_spec(plain)
    assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    assert pod["automountServiceAccountToken"] is False


BASELINE_CAPABILITIES = {
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
}
"""Capabilities the Pod Security "baseline" profile allows to add.
See https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline"""


def test_namespace_enforces_a_pod_security_profile_the_pods_meet(plain: GameManifests) -> None:
    labels = plain.namespace["metadata"]["labels"]
    assert labels["pod-security.kubernetes.io/enforce"] == "baseline"
    assert set(_container(plain)["securityContext"]["capabilities"]["add"]) <= BASELINE_CAPABILITIES


# --- rendering from the configuration ------------------------------------------------------------


@pytest.mark.parametrize("replicas", [1, 5, 100])
def test_replicas_come_from_the_configuration(replicas: int) -> None:
    rendered = render_manifests(Game2048(replicas=replicas), ip_family=IpFamily.IPV4)
    assert rendered.deployment["spec"]["replicas"] == replicas


def test_configured_image_replaces_the_manifest_image() -> None:
    pinned = "public.ecr.aws/l6m2t8p7/docker-2048@sha256:" + "0" * 64
    rendered = render_manifests(Game2048(image=pinned), ip_family=IpFamily.IPV4)
    assert [c["image"] for c in rendered.deployment["spec"]["template"]["spec"]["containers"]] == [pinned]


def test_without_a_configured_image_the_manifest_image_stays(plain: GameManifests) -> None:
    rendered = render_manifests(Game2048(), ip_family=IpFamily.IPV4)
    assert _container(rendered)["image"] == _container(plain)["image"]


@pytest.mark.parametrize("scheme", ["internet-facing", "internal"])
def test_alb_scheme_comes_from_the_configuration(scheme: str) -> None:
    rendered = render_manifests(Game2048(scheme=scheme), ip_family=IpFamily.IPV4)
    assert rendered.ingress["metadata"]["annotations"][SCHEME_ANNOTATION] == scheme


@pytest.mark.parametrize(("ip_family", "address_type"), [(IpFamily.IPV4, None), (IpFamily.IPV6, "dualstack")])
def test_ipv6_pods_get_a_dualstack_alb(ip_family: IpFamily, address_type: str | None) -> None:
    # "If you're load balancing to IPv6 Pods, add ... ip-address-type: dualstack"
    # (https://docs.aws.amazon.com/eks/latest/userguide/alb-ingress.html)
    rendered = render_manifests(Game2048(), ip_family=ip_family)
    assert rendered.ingress["metadata"]["annotations"].get(IP_ADDRESS_TYPE_ANNOTATION) == address_type


def test_rendering_leaves_the_loaded_files_untouched(plain: GameManifests) -> None:
    render_manifests(Game2048(replicas=1, scheme="internal"), ip_family=IpFamily.IPV6)
    again = load_manifests()
    assert again.deployment["spec"]["replicas"] == plain.deployment["spec"]["replicas"] == 5
    assert IP_ADDRESS_TYPE_ANNOTATION not in again.ingress["metadata"]["annotations"]


# --- a broken manifests folder is refused --------------------------------------------------------


def _copy_of_manifests(tmp_path: Path) -> Path:
    folder = tmp_path / "2048"
    shutil.copytree(MANIFESTS_DIR, folder)
    return folder


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: (d / "20-service.yaml").unlink(), r"no Service manifest$"),
        (
            lambda d: (d / "40-extra.yaml").write_text((d / "20-service.yaml").read_text()),
            r"40-extra\.yaml: a second Service;",
        ),
        (
            lambda d: (d / "20-service.yaml").write_text("kind: ConfigMap\n"),
            r"20-service\.yaml: kind must be one of Namespace, Deployment, Service, Ingress, got 'ConfigMap'$",
        ),
        (
            lambda d: (d / "20-service.yaml").write_text("kind: Service\n---\nkind: Service\n"),
            r"20-service\.yaml: must hold exactly one Kubernetes object, got 2$",
        ),
    ],
    ids=["missing", "duplicate", "unknown-kind", "two-objects"],
)
def test_a_broken_manifests_folder_is_refused_with_the_file_and_the_rule(
    tmp_path: Path,
    change: Any,
    message: str,
) -> None:
    folder = _copy_of_manifests(tmp_path)
    change(folder)
    with pytest.raises(ManifestError, match=message):
        load_manifests(folder)
