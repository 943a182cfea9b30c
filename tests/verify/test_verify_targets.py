"""End to end: an ip-target Ingress's target group holds exactly its Service's ready pod IPs, healthy."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from ekslab.verify.results import TargetResult
from tests.verify.cluster_docs import NODE_A, NODE_B, ClusterDocs, baseline, pod, run

ARN = (
    "arn:aws:elasticloadbalancing:us-west-2:123456789012:targetgroup/k8s-game2048-service2-0f1e2d3c4b/"
    "9a8b7c6d5e4f3a2b"
)
TG_NAME = "k8s-game2048-service2-0f1e2d3c4b"


def target(ip: str, state: str = "healthy") -> dict[str, Any]:
    return {
        "Target": {"Id": ip, "Port": 80, "AvailabilityZone": "us-west-2a"},
        "HealthCheckPort": "80",
        "TargetHealth": {"State": state}
        if state == "healthy"
        else {"State": state, "Reason": "Target.FailedHealthChecks", "Description": "Health checks failed"},
    }


def game(*, registered: list[dict[str, Any]] | None = None, target_type: str = "ip") -> ClusterDocs:
    """The workshop's 2048 game (load balancer controller docs/examples/2048): 2 replicas behind an ALB."""
    docs = baseline()
    labels = {"app.kubernetes.io/name": "app-2048", "pod-template-hash": "7df5f9886b"}
    docs.pods += [
        pod(
            "deployment-2048-7df5f9886b-4kq9z",
            node=NODE_A,
            ip="10.0.1.13",
            namespace="game-2048",
            labels=labels,
        ),
        pod(
            "deployment-2048-7df5f9886b-p2wq8",
            node=NODE_B,
            ip="10.0.40.20",
            namespace="game-2048",
            labels=labels,
        ),
    ]
    docs.ipamd = None
    docs.ingresses = [
        {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "Ingress",
            "metadata": {
                "name": "ingress-2048",
                "namespace": "game-2048",
                "annotations": {
                    "alb.ingress.kubernetes.io/scheme": "internet-facing",
                    "alb.ingress.kubernetes.io/target-type": target_type,
                },
            },
            "spec": {
                "ingressClassName": "alb",
                "rules": [
                    {
                        "http": {
                            "paths": [
                                {
                                    "path": "/",
                                    "pathType": "Prefix",
                                    "backend": {"service": {"name": "service-2048", "port": {"number": 80}}},
                                }
                            ]
                        }
                    }
                ],
            },
        }
    ]
    docs.services = [
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"name": "service-2048", "namespace": "game-2048"},
            "spec": {
                "type": "NodePort",
                "selector": {"app.kubernetes.io/name": "app-2048"},
                "ports": [{"port": 80, "targetPort": 80, "protocol": "TCP", "nodePort": 31022}],
            },
        }
    ]
    docs.bindings = [
        {
            "apiVersion": "elbv2.k8s.aws/v1beta1",
            "kind": "TargetGroupBinding",
            "metadata": {"name": "k8s-game2048-service2-0f1e2d3c4b", "namespace": "game-2048"},
            "spec": {
                "serviceRef": {"name": "service-2048", "port": 80},
                "targetGroupARN": ARN,
                "targetType": "ip",
            },
        }
    ]
    docs.target_groups = [
        {
            "TargetGroupArn": ARN,
            "TargetGroupName": TG_NAME,
            "Protocol": "HTTP",
            "Port": 80,
            "VpcId": "vpc-0123456789abcdef0",
            "TargetType": "ip",
        }
    ]
    docs.target_health = {
        TG_NAME: registered if registered is not None else [target("10.0.1.13"), target("10.0.40.20")]
    }
    return docs


def backend(docs: ClusterDocs, tmp_path: Path) -> tuple[TargetResult, int]:
    report = run(docs, tmp_path)
    return report.targets[0], report.exit_code()


def test_ready_pods_registered_and_healthy_pass(tmp_path: Path) -> None:
    found, code = backend(game(), tmp_path)
    assert (found.result, found.ready_pod_ips, found.target_group, code) == (
        "pass",
        ["10.0.1.13", "10.0.40.20"],
        TG_NAME,
        0,
    )


@pytest.mark.parametrize(
    ("registered", "reasons"),
    [
        ([target("10.0.1.13")], ["target_missing"]),
        ([target("10.0.1.13"), target("10.0.40.20"), target("10.0.1.22")], ["target_unexpected"]),
        ([target("10.0.1.13"), target("10.0.40.20", "unhealthy")], ["target_unhealthy"]),
        (
            [target("10.0.1.13", "initial"), target("10.0.1.22", "draining")],
            ["target_missing", "target_unexpected", "target_unhealthy"],
        ),
    ],
)
def test_target_group_differing_from_ready_pods_fails(
    tmp_path: Path, registered: list[dict[str, Any]], reasons: list[str]
) -> None:
    found, code = backend(game(registered=registered), tmp_path)
    assert (found.result, found.reasons, code) == ("fail", reasons, 1)


def test_a_pod_that_is_not_ready_must_not_be_registered(tmp_path: Path) -> None:
    docs = game()
    docs.find_pod("deployment-2048-7df5f9886b-p2wq8")["status"]["conditions"][0]["status"] = "False"
    found, _ = backend(docs, tmp_path)
    assert (found.ready_pod_ips, found.reasons) == (["10.0.1.13"], ["target_unexpected"])


def test_missing_binding_is_no_target_group(tmp_path: Path) -> None:
    docs = game()
    docs.bindings = []
    found, code = backend(docs, tmp_path)
    assert (found.reasons, code) == (["no_target_group"], 1)


def test_missing_health_document_is_unverified(tmp_path: Path) -> None:
    docs = game()
    docs.target_health = {}
    found, code = backend(docs, tmp_path)
    assert (found.result, found.detail, code) == (
        "unverified",
        f"target health of {TG_NAME} not in the input",
        3,
    )


def test_instance_target_ingress_is_not_checked(tmp_path: Path) -> None:
    report = run(game(target_type="instance"), tmp_path)
    assert (report.targets, report.targets_checked and report.targets_checked.result, report.exit_code()) == (
        [],
        "not_checked",
        0,
    )


def test_without_ingresses_in_the_bundle_targets_are_not_checked(tmp_path: Path) -> None:
    report = run(baseline(), tmp_path)
    assert (
        report.targets_checked is not None
        and report.targets_checked.detail == "ingresses.json not in the input"
    )


def test_service_port_given_by_name_matches_the_binding_number(tmp_path: Path) -> None:
    docs = game()
    assert docs.services is not None and docs.ingresses is not None
    docs.services[0]["spec"]["ports"][0]["name"] = "http"
    docs.ingresses[0]["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]["port"] = {"name": "http"}
    assert backend(docs, tmp_path)[0].result == "pass"


def test_a_pod_with_the_same_labels_in_another_namespace_is_no_backend(tmp_path: Path) -> None:
    # GIVEN a second copy of the game in namespace "staging" (Ingress, Service, a ready running pod)
    docs = game()
    assert docs.ingresses is not None and docs.services is not None
    for documents in (docs.ingresses, docs.services):
        staged = copy.deepcopy(documents[0])
        staged["metadata"]["namespace"] = "staging"
        documents.append(staged)
    docs.pods.append(
        pod(
            "deployment-2048-7df5f9886b-zz9zz",
            node=NODE_A,
            ip="10.0.1.22",
            namespace="staging",
            labels={"app.kubernetes.io/name": "app-2048"},
        )
    )
    # WHEN checked
    report = run(docs, tmp_path)
    found = next(item for item in report.targets if item.namespace == "game-2048")
    # THEN a Service selects pods of its own namespace only: game-2048's target group is exact
    assert (found.result, found.ready_pod_ips) == ("pass", ["10.0.1.13", "10.0.40.20"])


def test_a_finished_pod_must_not_be_registered(tmp_path: Path) -> None:
    # GIVEN one of the game's pods Succeeded (its Ready condition left true, its IP kept in the status)
    docs = game()
    docs.find_pod("deployment-2048-7df5f9886b-p2wq8")["status"]["phase"] = "Succeeded"
    # WHEN checked THEN only the running pod is a ready backend; the finished one's target is unexpected
    found, _ = backend(docs, tmp_path)
    assert (found.ready_pod_ips, found.reasons) == (["10.0.1.13"], ["target_unexpected"])


def test_an_unverified_backend_makes_the_whole_check_unverified(tmp_path: Path) -> None:
    docs = game()
    docs.target_health = {}
    report = run(docs, tmp_path)
    assert report.targets_checked is not None and report.targets_checked.result == "unverified"
