"""End to end: an ip-target Ingress's target group holds exactly the ready pods behind its Service, healthy.

With ``alb.ingress.kubernetes.io/target-type: ip`` the AWS Load Balancer Controller registers pod IPs
(VPC IPs) in the target group, through a TargetGroupBinding per Service port. So for each backend
Service of such an Ingress: the binding names the target group, and the target group's registered
targets must be exactly the IPs of the Service's ready pods (selector match, Ready condition true),
each ``healthy``. The workshop's 2048 game is the example: the ALB reaches pods by their VPC IPs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from ekslab.sources.records import PodRecord, ServiceRecord, TargetGroupBindingRecord
from ekslab.sources.snapshot import TargetInputs
from ekslab.verify.results import (
    FAIL,
    NO_TARGET_GROUP,
    NOT_CHECKED,
    PASS,
    TARGET_MISSING,
    TARGET_UNEXPECTED,
    TARGET_UNHEALTHY,
    UNVERIFIED,
    CheckResult,
    TargetResult,
)

CHECK_NAME = "load_balancer_targets"


def check_targets(
    inputs: TargetInputs | None, pods: Iterable[PodRecord]
) -> tuple[CheckResult, list[TargetResult]]:
    """Check every backend of every ip-target Ingress: the overall check and one result per backend."""
    if inputs is None:
        return CheckResult(CHECK_NAME, NOT_CHECKED, "ingresses.json not in the input"), []
    ingresses = [ingress for ingress in inputs.ingresses if ingress.target_type == "ip"]
    if not ingresses:
        return CheckResult(CHECK_NAME, NOT_CHECKED, "no Ingress with target-type ip"), []
    if inputs.bindings is None:
        return CheckResult(CHECK_NAME, NOT_CHECKED, "TargetGroupBindings not in the input"), []
    services = {(service.namespace, service.name): service for service in inputs.services}
    ready_ips = _ready_ips(pods, services)
    results = []
    for ingress in ingresses:
        for service_name, port in ingress.backends:
            results.append(
                _check_backend(
                    ingress.namespace,
                    ingress.name,
                    service_name,
                    port,
                    inputs,
                    services.get((ingress.namespace, service_name)),
                    ready_ips,
                )
            )
    verdicts = {result.result for result in results}
    overall = FAIL if FAIL in verdicts else UNVERIFIED if UNVERIFIED in verdicts else PASS
    return CheckResult(CHECK_NAME, overall, f"{len(results)} Ingress backend(s) with ip targets"), results


def _ready_ips(
    pods: Iterable[PodRecord], services: Mapping[tuple[str, str], ServiceRecord]
) -> dict[tuple[str, str], list[str]]:
    by_namespace: dict[str, list[ServiceRecord]] = {}
    for service in services.values():
        if service.selector:
            by_namespace.setdefault(service.namespace, []).append(service)
    ready: dict[tuple[str, str], list[str]] = {key: [] for key in services}
    for pod in pods:
        if pod.labels is None or not pod.ready or not pod.ip or pod.phase != "Running":
            continue
        for service in by_namespace.get(pod.namespace, ()):
            if all(pod.labels.get(key) == value for key, value in service.selector.items()):
                ready[(service.namespace, service.name)].append(pod.ip)
    return ready


def _service_port(service: ServiceRecord | None, port: str | None) -> str | None:
    """A port given by name or number, as the Service's port number (text)."""
    if port is None or service is None:
        return port
    for name, number, _ in service.ports:
        if port in (name, str(number)):
            return str(number)
    return port


def _check_backend(
    namespace: str,
    ingress: str,
    service_name: str,
    port: str | None,
    inputs: TargetInputs,
    service: ServiceRecord | None,
    ready_ips: Mapping[tuple[str, str], list[str]],
) -> TargetResult:
    result = TargetResult(
        namespace=namespace, ingress=ingress, service=service_name, port=port, target_group=None, result=PASS
    )
    if service is None:
        result.result, result.reasons = FAIL, [NO_TARGET_GROUP]
        result.detail = f"Service {namespace}/{service_name} does not exist"
        return result
    wanted_port = _service_port(service, port)
    bindings = [
        binding for binding in inputs.bindings or () if _binds(binding, namespace, service, wanted_port)
    ]
    if not bindings:
        result.result, result.reasons = FAIL, [NO_TARGET_GROUP]
        result.detail = (
            f"no TargetGroupBinding for Service {namespace}/{service_name}"
            f"{' port ' + port if port else ''}: the load balancer controller bound no target group"
        )
        return result
    binding = bindings[0]
    group = (inputs.target_groups or {}).get(binding.target_group_arn)
    result.target_group = group.name if group else binding.target_group_arn
    if inputs.target_groups is None or group is None:
        result.result = UNVERIFIED
        result.detail = f"target group {binding.target_group_arn} not in the input"
        return result
    health = inputs.target_health.get(group.arn)
    if health is None:
        result.result = UNVERIFIED
        result.detail = f"target health of {group.name} not in the input"
        return result
    if not service.selector:
        result.result = UNVERIFIED
        result.detail = f"Service {namespace}/{service_name} has no selector: its pods cannot be known"
        return result
    ready = sorted(set(ready_ips.get((namespace, service_name), ())))
    registered = {target.target_id for target in health}
    result.ready_pod_ips = ready
    result.registered = [
        {"ip": target.target_id, "port": target.port, "state": target.state, "reason": target.reason}
        for target in sorted(health, key=lambda item: (item.target_id, item.port or 0))
    ]
    missing = sorted(set(ready) - registered)
    unexpected = sorted(registered - set(ready))
    unhealthy = sorted(f"{target.target_id} {target.state}" for target in health if target.state != "healthy")
    details = []
    if missing:
        result.reasons.append(TARGET_MISSING)
        details.append(f"ready pod IPs not registered: {', '.join(missing)}")
    if unexpected:
        result.reasons.append(TARGET_UNEXPECTED)
        details.append(f"registered IPs that are no ready pod of the Service: {', '.join(unexpected)}")
    if unhealthy:
        result.reasons.append(TARGET_UNHEALTHY)
        details.append(f"not healthy: {', '.join(unhealthy)}")
    if result.reasons:
        result.result = FAIL
        result.detail = "; ".join(details)
    else:
        result.detail = f"{len(ready)} ready pod IP(s) registered and healthy in {group.name}"
    return result


def _binds(
    binding: TargetGroupBindingRecord, namespace: str, service: ServiceRecord, port: str | None
) -> bool:
    if binding.namespace != namespace or binding.service != service.name:
        return False
    if binding.target_type not in (None, "ip"):
        return False
    return port is None or _service_port(service, binding.port) == port
