"""The stand-ins of the recorded-lab workshop runs: what no local server can answer.

``stand_ins.py`` (the one list of them, each with its reason) hands these commands here; every
other command of the guide runs the real kubectl, aws or ekslab against the sandbox. ``FAKE_LAB`` is
the folder ``fake_lab.write_lab`` wrote. Every answer comes from that lab's documents; a command
without an answer here is refused loudly (exit 1), so a new stand-in needs a new answer rather than
passing by accident.
"""

from __future__ import annotations

import json
import os
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


def option(args: list[str], name: str) -> str | None:
    for index, arg in enumerate(args):
        if arg == name and index + 1 < len(args):
            return args[index + 1]
        if arg.startswith(name + "="):
            return arg.split("=", 1)[1]
    return None


# --- kubectl ---------------------------------------------------------------------------------------


def kubectl(args: list[str]) -> int:
    words = [arg for arg in args if not arg.startswith("-")]
    namespace = option(args, "-n")
    if words[:1] == ["expose"] and "--dry-run=client" in args:
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
        node = _instance_node((option(args, "--filters") or "").rsplit("=", 1)[-1])
        instance = next(
            item["spec"]["providerID"].rsplit("/", 1)[-1]
            for item in items("nodes.json")
            if item["metadata"]["name"] == node
        )  # the recorded instance of the sandbox's node
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
    # The sandbox's nodes (moto's instance ids), as the test saved them; else the bundle's.
    live = LAB / "live-nodes.json"
    nodes = json.loads(live.read_text())["items"] if live.exists() else items("nodes.json")
    for item in nodes:
        if item["spec"]["providerID"].endswith("/" + instance):
            return item["metadata"]["name"]
    raise SystemExit(f"fake aws: no node for instance {instance!r}")


# --- ekslab --------------------------------------------------------------------------------------------


def ekslab(args: list[str]) -> int:
    """The real ekslab, reading the lab's recorded bundle instead of the sandbox (pods, verify, ips)."""
    if args[:1] not in (["pods"], ["verify"], ["ips"]):
        return refuse("ekslab", args)
    args = [*_without(args, "--cluster", "--region", "--ipamd-transport"), "--bundle", str(BUNDLE)]
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
