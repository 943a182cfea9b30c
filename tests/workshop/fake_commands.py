"""Stub ``kubectl`` and ``aws``, and the ``ekslab`` shim, for running docs/workshop.md offline.

Run as ``python fake_commands.py <kubectl|aws|ekslab> ARGS...`` by the wrappers ``fake_lab.py``
installs; ``FAKE_LAB`` is the folder ``fake_lab.write_lab`` wrote. Every answer comes from that lab's
documents; a command the guide does not use is refused loudly (exit 1), so a new step needs a new
answer here rather than passing by accident.
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path
from typing import Any

import yaml

LAB = Path(os.environ.get("FAKE_LAB", "."))
BUNDLE = LAB / "bundle"
STATE = LAB / "state.json"
RESOURCES = {
    "Namespace": "namespace",
    "Deployment": "deployment.apps",
    "Service": "service",
    "NetworkPolicy": "networkpolicy.networking.k8s.io",
    "SecurityGroupPolicy": "securitygrouppolicy.vpcresources.k8s.aws",
}


def main(argv: list[str]) -> int:
    name, args = argv[0], argv[1:]
    handler = {"kubectl": kubectl, "aws": aws, "ekslab": ekslab}[name]
    return handler(args)


def refuse(name: str, args: list[str]) -> int:
    print(f"fake {name}: no answer for: {' '.join(args)}", file=sys.stderr)
    return 1


def items(file: str) -> list[dict[str, Any]]:
    return json.loads((BUNDLE / file).read_text())["items"]


def extra() -> dict[str, Any]:
    return json.loads((LAB / "extra.json").read_text())


def option(args: list[str], name: str) -> str | None:
    for index, arg in enumerate(args):
        if arg == name and index + 1 < len(args):
            return args[index + 1]
        if arg.startswith(name + "="):
            return arg.split("=", 1)[1]
    return None


def table(rows: list[list[str]]) -> str:
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    return "".join(
        "   ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() + "\n"
        for row in rows
    )


# --- kubectl ---------------------------------------------------------------------------------------


def kubectl(args: list[str]) -> int:
    words = [arg for arg in args if not arg.startswith("-")]
    jsonpath = _jsonpath(args)
    namespace = option(args, "-n")
    if words[:2] == ["get", "nodes"] and option(args, "-o") == "wide":
        return _print(
            table(
                [
                    [
                        "NAME",
                        "STATUS",
                        "ROLES",
                        "AGE",
                        "VERSION",
                        "INTERNAL-IP",
                        "EXTERNAL-IP",
                        "OS-IMAGE",
                        "KERNEL-VERSION",
                        "CONTAINER-RUNTIME",
                    ]
                ]
                + [
                    [
                        item["metadata"]["name"],
                        "Ready",
                        "<none>",
                        "3d19h",
                        "v1.36.0-eks-5a8f1c2",
                        item["status"]["addresses"][0]["address"],
                        "<none>",
                        "Amazon Linux 2023.8.20250915",
                        "6.1.147-172.266.amzn2023.x86_64",
                        "containerd://1.7.27",
                    ]
                    for item in items("nodes.json")
                ]
            )
        )
    if words[:3] == ["get", "daemonset", "aws-node"] and jsonpath:
        wanted = re.search(r"@\.name=='([A-Za-z0-9_]+)'\)\]\.value", jsonpath)
        env = json.loads((BUNDLE / "aws-node-daemonset.json").read_text())["spec"]["template"]["spec"][
            "containers"
        ][0]
        values = {entry["name"]: entry.get("value", "") for entry in env["env"]}
        return _print(values.get(wanted.group(1), "") if wanted else "", newline=False)
    if words[:3] == ["get", "configmap", "amazon-vpc-cni"]:
        data = extra()["configmap"]
        if data is None and "--ignore-not-found" in args:
            return 0
        if data is None:
            print('Error from server (NotFound): configmaps "amazon-vpc-cni" not found', file=sys.stderr)
            return 1
        return _print(data.get("enable-network-policy-controller", ""), newline=False)
    if words[:2] == ["get", "pods"] and "--all-namespaces" in args and option(args, "-o") == "wide":
        rows = [
            [
                "NAMESPACE",
                "NAME",
                "READY",
                "STATUS",
                "RESTARTS",
                "AGE",
                "IP",
                "NODE",
                "NOMINATED NODE",
                "READINESS GATES",
            ]
        ]
        for item in sorted(
            items("pods.json"), key=lambda pod: (pod["metadata"]["namespace"], pod["metadata"]["name"])
        ):
            rows.append(
                [
                    item["metadata"]["namespace"],
                    item["metadata"]["name"],
                    "1/1",
                    item["status"]["phase"],
                    "0",
                    "3d19h",
                    item["status"].get("podIP", "<none>"),
                    item["spec"].get("nodeName", "<none>"),
                    "<none>",
                    "<none>",
                ]
            )
        return _print(table(rows))
    if words[:2] == ["get", "pods"] and namespace and jsonpath:
        pods = [item for item in items("pods.json") if item["metadata"]["namespace"] == namespace]
        if jsonpath == "{.items[0].spec.nodeName}":
            return _print(pods[0]["spec"]["nodeName"], newline=False)
        if "pod-eni" in jsonpath:
            return _print(pods[0]["metadata"]["annotations"]["vpc.amazonaws.com/pod-eni"], newline=False)
    if words[:2] == ["get", "node"] and jsonpath:
        found = next(item for item in items("nodes.json") if item["metadata"]["name"] == words[2])
        answers = {
            "{.spec.providerID}": found["spec"]["providerID"],
            "{.status.capacity.pods}": extra()["capacity_pods"],
            r"{.metadata.labels.node\.kubernetes\.io/instance-type}": found["metadata"]["labels"][
                "node.kubernetes.io/instance-type"
            ],
        }
        if jsonpath in answers:
            return _print(answers[jsonpath], newline=False)
    if words[:2] == ["get", "eniconfigs.crd.k8s.amazonaws.com"]:
        return _print(
            table(
                [["NAME", "AGE"]] + [[item["metadata"]["name"], "3d19h"] for item in items("eniconfigs.json")]
            )
        )
    if words[:1] in (["create"], ["expose"]) and "--dry-run=client" in args:
        return _print(_manifest(words, args, namespace))
    if words[:1] == ["apply"]:
        return _apply(namespace)
    if words[:2] == ["rollout", "status"]:
        name = words[2].split("/", 1)[1]
        return _print(
            f'Waiting for deployment "{name}" rollout to finish: 0 of 1 updated replicas are available...\n'
            f'deployment "{name}" successfully rolled out\n'
        )
    if words[:1] == ["exec"] and "wget" in args:
        policies = set(_state().get("policies", {}).get(namespace or "default", []))
        if "deny-ingress" in policies and "allow-client" not in policies:
            print("wget: download timed out\ncommand terminated with exit code 1", file=sys.stderr)
            return 1
        return 0
    if words[:2] == ["delete", "namespace"]:
        state = _state()
        state.get("policies", {}).pop(words[2], None)
        STATE.write_text(json.dumps(state))
        return _print(f'namespace "{words[2]}" deleted\n')
    return refuse("kubectl", args)


def _jsonpath(args: list[str]) -> str | None:
    value = option(args, "-o")
    return value.split("=", 1)[1] if value and value.startswith("jsonpath=") else None


def _manifest(words: list[str], args: list[str], namespace: str | None) -> str:
    kind = (
        "Service"
        if words[0] == "expose"
        else {"namespace": "Namespace", "deployment": "Deployment"}[words[1]]
    )
    document: dict[str, Any] = {
        "apiVersion": "apps/v1" if kind == "Deployment" else "v1",
        "kind": kind,
        "metadata": {"name": words[2]},
    }
    if namespace:
        document["metadata"]["namespace"] = namespace
    return yaml.safe_dump(document)


def _apply(namespace: str | None) -> int:
    state = _state()
    for document in yaml.safe_load_all(sys.stdin.read()):
        if not document:
            continue
        kind, name = document["kind"], document["metadata"]["name"]
        where = document["metadata"].get("namespace") or namespace or "default"
        if kind == "NetworkPolicy":
            state.setdefault("policies", {}).setdefault(where, []).append(name)
        print(f"{RESOURCES[kind]}/{name} created")
    STATE.write_text(json.dumps(state))
    return 0


def _state() -> dict[str, Any]:
    return json.loads(STATE.read_text()) if STATE.exists() else {}


def _print(text: str, *, newline: bool = True) -> int:
    sys.stdout.write(text if not newline or text.endswith("\n") else text + "\n")
    return 0


# --- aws ---------------------------------------------------------------------------------------------

COMMAND_ID = "8d2c7f5e-1b3a-4c6d-9e8f-0a1b2c3d4e5f"


def aws(args: list[str]) -> int:
    words = [arg for arg in args if not arg.startswith("-")]
    if words[:2] == ["eks", "update-kubeconfig"]:
        return _print(
            f"Updated context arn:aws:eks:us-west-2:123456789012:cluster/{option(args, '--name')} in "
            "~/.kube/config"
        )
    if (
        words[:2] == ["eks", "describe-cluster"]
        and option(args, "--query") == "cluster.resourcesVpcConfig.clusterSecurityGroupId"
    ):
        return _print(extra()["cluster_security_group"])
    if words[:2] == ["ssm", "send-command"]:
        parameters = option(args, "--parameters") or ""
        if option(args, "--document-name") != "AWS-RunShellScript" or "localhost:61679/v1/" not in parameters:
            return refuse("aws", args)
        _instance_node(option(args, "--instance-ids") or "")
        return _print(COMMAND_ID)
    if words[:3] == ["ssm", "wait", "command-executed"]:
        return 0 if option(args, "--command-id") == COMMAND_ID else 255
    if words[:2] == ["ssm", "get-command-invocation"] and option(args, "--query") == "StandardOutputContent":
        node = _instance_node(option(args, "--instance-id") or "")
        body = json.loads((BUNDLE / "ipamd" / node / "networkutils-env-settings.json").read_text())
        return _print(json.dumps(body, indent=4, sort_keys=True))  # what `python3 -m json.tool` prints
    if words[:2] == ["ec2", "describe-network-interfaces"] and "Ipv4Prefixes" in (
        option(args, "--query") or ""
    ):
        instance = (option(args, "--filters") or "").rsplit("=", 1)[-1]
        enis = json.loads((BUNDLE / "network-interfaces.json").read_text())["NetworkInterfaces"]
        prefixes = [
            prefix["Ipv4Prefix"]
            for item in enis
            if (item.get("Attachment") or {}).get("InstanceId") == instance
            for prefix in item.get("Ipv4Prefixes", [])
        ]
        return _print("\t".join(prefixes))
    return refuse("aws", args)


def _instance_node(instance: str) -> str:
    for item in items("nodes.json"):
        if item["spec"]["providerID"].endswith("/" + instance):
            return item["metadata"]["name"]
    raise SystemExit(f"fake aws: no node for instance {instance!r}")


# --- ekslab --------------------------------------------------------------------------------------------


def ekslab(args: list[str]) -> int:
    """The real ekslab; live sources of `pods`, `verify` and `ipamd` are pointed at the lab's bundle."""
    if args[:1] in (["pods"], ["verify"]):
        args = [*_without(args, "--cluster", "--region", "--ipamd-transport"), "--bundle", str(BUNDLE)]
    elif args[:1] == ["ipamd"]:
        node = option(args, "--node") or ""
        args = [
            *_without(args, "--node", "--region", "--ipamd-transport"),
            "--file",
            str(BUNDLE / "ipamd" / node),
        ]
    os.execv(sys.executable, [sys.executable, "-m", "ekslab", *args])
    return 1  # pragma: no cover - execv does not return


def _without(args: list[str], *names: str) -> list[str]:
    kept: list[str] = []
    skip = False
    for arg in args:
        if skip:
            skip = False
            continue
        if arg in names:
            skip = True
            continue
        if any(arg.startswith(name + "=") for name in names):
            continue
        kept.append(arg)
    return kept


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
