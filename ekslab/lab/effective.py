"""The effective configuration: every default filled in, plus what the toolkit derives from it."""

from __future__ import annotations

from typing import Any

from ekslab.config.model import LabConfig


def effective_document(config: LabConfig) -> dict[str, Any]:
    """A JSON-able view of the lab for `ekslab config show` and the synth summary."""
    from ekslab.cni.node_config import node_max_pods
    from ekslab.cni.render import EniConfigSubnet, configuration_values
    from ekslab.cni.versions import addon_versions

    document = config.model_dump(mode="json", by_alias=True)
    plan = config.network.subnet_plan
    eni_configs = None
    if config.network.pod_subnets.enabled:
        eni_configs = {
            subnet.availability_zone: EniConfigSubnet(f"<pod subnet {subnet.cidr}>", ["<pod security group>"])
            for subnet in plan.subnets
            if subnet.tier == "pod"
        }
    document["derived"] = {
        "clusterName": config.cluster_name,
        "subnets": [
            {
                "availabilityZone": s.availability_zone,
                "tier": s.tier.value,
                "cidr": str(s.cidr),
                "usableAddresses": s.usable_addresses,
            }
            for s in plan.subnets
        ],
        "addonVersions": addon_versions(config),
        "vpcCniConfigurationValues": configuration_values(config, eni_configs=eni_configs),
        "nodeMaxPods": {
            group.name: node_max_pods(config, group) or "AMI default (secondary IPs)"
            for group in config.node_groups
        },
    }
    return document
