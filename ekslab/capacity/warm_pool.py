"""How many IPv4 addresses (or /28 prefixes) ipamd holds on one node, at 0 pods and at N pods.

The model replays ipamd's reconcile loop as pods arrive one at a time on a fresh node (the scale-up
the CNI documentation's example tables describe). Rules, with their sources in
github.com/aws/amazon-vpc-cni-k8s at v1.23.1 (facts: docs/reference/cni-facts.md §2.1, §4, §5):

1. Capacity per ENI is ``IPv4 per ENI - 1`` secondary IPs, or as many /28 prefixes of 16 addresses
   with prefix delegation (awsutils ``GetENIIPv4Limit``, ipamd ``GetIPv4Limit``). ENIs are capped by
   MAX_ENI (ipamd ``getMaxENI``), and a trunk ENI (ENABLE_POD_ENI on a trunking-compatible type)
   takes one ENI slot (``hasRoomForEni``). Prefix delegation needs a Nitro or bare-metal type, else
   ipamd falls back to secondary IPs (``isConfigValid``).
2. The pool is "too low" (``isDatastorePoolTooLow``), never once it holds as many addresses as the
   node's max pods:

   * WARM_IP_TARGET or MINIMUM_IP_TARGET set (either > 0): ``short = max(WARM_IP_TARGET - available,
     MINIMUM_IP_TARGET - total, 0)`` addresses, ``ceil(short / 16)`` prefixes with prefix delegation
     (``datastoreTargetState``). They override WARM_ENI_TARGET and WARM_PREFIX_TARGET
     (docs/eni-and-ip-target.md, docs/prefix-and-ip-target.md).
   * otherwise secondary IPs: ``available < WARM_ENI_TARGET x (IPv4 per ENI - 1)``; prefixes:
     ``available < WARM_PREFIX_TARGET x 16``; with a target of 0, when nothing is available.
3. Growing (``increaseDatastorePool``) first adds addresses to an existing ENI with room, and only
   when none has room attaches a new ENI (docs/prefix-and-ip-target.md: "New ENI will only be
   allocated after we exhaust all the prefixes allocated to existing ENIs"). How much one step adds
   (``tryAssignIPs``, ``getPrefixesNeeded``, ``GetENIResourcesToAllocate``): without warm IP targets
   a whole ENI's worth of secondary IPs, or ``max(1, WARM_PREFIX_TARGET - free prefixes)`` prefixes;
   with them, the shortfall (at least one prefix). A step never exceeds the ENI's room.
4. Custom networking: the primary ENI takes no pod addresses (``GetAllocatableENIs`` skips it), and
   the other ENIs live in the pod subnet (cni-facts.md §2.1 AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG).
5. Every attached ENI also uses its own primary address from its subnet; the node's primary ENI's
   primary address is the node IP (cni-facts.md §1.3: primary IPs are never in the pool).

Approximations, stated so nobody mistakes them for ipamd's exact behaviour:

* ipamd hands a pod the first free address it finds while walking ENIs and prefixes in Go map
  order, i.e. in no fixed order. The model packs pods into prefixes in order (as the docs' tables
  show). With WARM_PREFIX_TARGET >= 2 a spread placement can hold up to WARM_PREFIX_TARGET - 1
  more prefixes than modelled.
* Pools only grow here: the state after scaling down (when ipamd releases ENIs, IPs or prefixes over
  its targets) is not modelled. The peak is at full density, which is what capacity planning needs.
* Branch ENIs of security-groups-for-pods pods (one address each, from the resource controller, not
  ipamd) are not counted; the trunk ENI's own address is counted in the node's subnet.
* Multi-card ENIs (ENABLE_MULTI_NIC) are not modelled: the CNI uses the default card only.
* IPv6 clusters: pods take addresses from an IPv6 /80 prefix, so a node uses one IPv4 address.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Final

from ekslab.config.cni import CniEnv
from ekslab.limits import HOST_NETWORK_PODS, IPS_PER_PREFIX, InstanceTypeLimits, is_nitro, kubelet_max_pods

DEFAULT_WARM_ENI_TARGET: Final = 1
"""CNI default (README "WARM_ENI_TARGET")."""
DEFAULT_WARM_PREFIX_TARGET: Final = 1
"""The add-on and Helm manifest set WARM_PREFIX_TARGET to 1 (the code default is 0); cni-facts.md §2.2."""
_MAX_STEPS: Final = 100_000
"""Guard against a modelling bug looping forever; no real node needs more steps than this."""


@dataclass(frozen=True)
class PoolSettings:
    """The ipamd settings that size a node's pool, CNI defaults filled in (0 = unset for targets)."""

    prefix_delegation: bool = False
    warm_eni_target: int = DEFAULT_WARM_ENI_TARGET
    warm_ip_target: int = 0
    minimum_ip_target: int = 0
    warm_prefix_target: int = DEFAULT_WARM_PREFIX_TARGET
    max_eni: int | None = None
    custom_networking: bool = False
    pod_eni: bool = False
    ipv6: bool = False

    @classmethod
    def from_env(cls, env: CniEnv, *, custom_networking: bool, ipv6: bool = False) -> PoolSettings:
        """Settings from the lab's ``cni.env``; unset variables take the CNI/add-on defaults."""
        return cls(
            prefix_delegation=bool(env.ENABLE_PREFIX_DELEGATION),
            warm_eni_target=_default(env.WARM_ENI_TARGET, DEFAULT_WARM_ENI_TARGET),
            warm_ip_target=env.WARM_IP_TARGET or 0,
            minimum_ip_target=env.MINIMUM_IP_TARGET or 0,
            warm_prefix_target=_default(env.WARM_PREFIX_TARGET, DEFAULT_WARM_PREFIX_TARGET),
            max_eni=env.MAX_ENI,
            custom_networking=custom_networking,
            pod_eni=bool(env.ENABLE_POD_ENI),
            ipv6=ipv6,
        )

    @property
    def warm_ip_targets_defined(self) -> bool:
        """ipamd ``warmIPTargetsDefined``: either target above 0 switches to the IP-target rules."""
        return self.warm_ip_target > 0 or self.minimum_ip_target > 0


@dataclass(frozen=True)
class NodePool:
    """What ipamd holds on one node with ``pods`` pods asking for an address.

    ``eni_slots`` lists, per ENI ipamd manages (the primary first), its secondary IPs or prefixes.
    ``pods_placed`` is below ``pods`` when the node ran out of addresses (ENIs full, max pods
    reached, or a MINIMUM_IP_TARGET without WARM_IP_TARGET that never grows the pool).
    """

    instance_type: str
    pods: int
    pods_placed: int
    prefix_delegation: bool
    custom_networking: bool
    eni_slots: tuple[int, ...]
    trunk_eni: bool
    pool_addresses: int
    node_subnet_addresses: int
    pod_subnet_addresses: int

    @property
    def enis(self) -> int:
        """ENIs attached to the node, the trunk ENI included."""
        return len(self.eni_slots) + int(self.trunk_eni)

    @property
    def prefixes(self) -> int | None:
        return sum(self.eni_slots) if self.prefix_delegation else None

    @property
    def secondary_ips(self) -> int | None:
        return None if self.prefix_delegation else sum(self.eni_slots)

    @property
    def available(self) -> int:
        """Addresses in the pool that no pod uses (the warm pool)."""
        return self.pool_addresses - self.pods_placed

    @property
    def subnet_addresses(self) -> int:
        """Every IPv4 address the node takes from the VPC's subnets."""
        return self.node_subnet_addresses + self.pod_subnet_addresses


def node_max_pods(limits: InstanceTypeLimits, settings: PoolSettings) -> int:
    """kubelet's max pods on a lab node of this type, in a node group of this type only
    (``ekslab.limits.kubelet_max_pods`` with these settings)."""
    return kubelet_max_pods(
        limits,
        prefix_delegation=settings.prefix_delegation,
        custom_networking=settings.custom_networking,
        max_eni=settings.max_eni,
    )


def full_density_pods(limits: InstanceTypeLimits, settings: PoolSettings) -> int:
    """Pods asking for an address on a full node: max pods minus the two host-network pods."""
    return max(node_max_pods(limits, settings) - HOST_NETWORK_PODS, 0)


@lru_cache(maxsize=4096)
def node_pool(
    limits: InstanceTypeLimits, settings: PoolSettings, pods: int, *, max_pods: int | None = None
) -> NodePool:
    """The pool ipamd holds on a fresh node of ``limits`` once ``pods`` pods have arrived.

    ``max_pods`` is kubelet's max pods (ipamd stops growing at it); default ``node_max_pods``.
    """
    if pods < 0:
        raise ValueError(f"pods must be >= 0, got {pods}")
    kubelet_limit = node_max_pods(limits, settings) if max_pods is None else max_pods
    simulation = _Simulation(limits, settings, kubelet_limit)
    return simulation.run(pods)


class _Simulation:
    """ipamd's pool on one node, replayed step by step (rules 1-5 in the module docstring)."""

    def __init__(self, limits: InstanceTypeLimits, settings: PoolSettings, kubelet_limit: int) -> None:
        self.limits = limits
        self.settings = settings
        self.max_pods = kubelet_limit
        self.prefix_delegation = settings.prefix_delegation and is_nitro(limits)
        self.slot_size = IPS_PER_PREFIX if self.prefix_delegation else 1
        self.slots_per_eni = limits.ipv4_per_eni - 1
        max_enis = limits.enis if settings.max_eni is None else min(settings.max_eni, limits.enis)
        # ipamd's tryEnableSecurityGroupsForPods needs a free slot; the trunk then keeps it.
        self.trunk = bool(settings.pod_eni and limits.is_trunking_compatible and max_enis >= 2)
        self.eni_room = max_enis - int(self.trunk)
        self.first_allocatable = 1 if settings.custom_networking else 0
        self.slots = [0]  # the primary ENI, attached at boot
        self.assigned = 0

    # --- ipamd's decisions ---------------------------------------------------------------------

    @property
    def total(self) -> int:
        return sum(self.slots) * self.slot_size

    @property
    def available(self) -> int:
        return self.total - self.assigned

    def _short_ips(self) -> int:
        settings = self.settings
        return max(settings.warm_ip_target - self.available, settings.minimum_ip_target - self.total, 0)

    def _free_prefixes(self) -> int:
        # Pods packed in order: ceil(assigned / 16) prefixes hold at least one pod.
        return sum(self.slots) - -(-self.assigned // IPS_PER_PREFIX)

    def _too_low(self) -> bool:
        if self.total >= self.max_pods:
            return False
        if self.settings.warm_ip_targets_defined:
            return self._short_ips() > 0
        if self.prefix_delegation:
            target, unit = self.settings.warm_prefix_target, IPS_PER_PREFIX
        else:
            target, unit = self.settings.warm_eni_target, self.slots_per_eni
        return self.available < unit * target or (target == 0 and self.available == 0)

    def _to_allocate(self) -> int:
        if self.settings.warm_ip_targets_defined:
            short = self._short_ips()
            return max(1, -(-short // IPS_PER_PREFIX)) if self.prefix_delegation else short
        if self.prefix_delegation:
            return max(1, self.settings.warm_prefix_target - self._free_prefixes())
        return self.slots_per_eni

    def _grow(self) -> bool:
        wanted = self._to_allocate()
        if wanted <= 0:
            return False
        for index in range(self.first_allocatable, len(self.slots)):
            room = self.slots_per_eni - self.slots[index]
            if room > 0:
                self.slots[index] += min(room, wanted)
                return True
        if len(self.slots) < self.eni_room:
            self.slots.append(min(wanted, self.slots_per_eni))
            return True
        return False

    def _reconcile(self) -> None:
        for _ in range(_MAX_STEPS):
            if not (self._too_low() and self._grow()):
                return
        raise RuntimeError(f"warm-pool model did not settle for {self.limits.name} with {self.settings}")

    # --- pods arriving -------------------------------------------------------------------------

    def run(self, pods: int) -> NodePool:
        if self.settings.ipv6:
            return self._result(pods, placed=min(pods, max(self.max_pods - HOST_NETWORK_PODS, 0)))
        self._reconcile()
        for _ in range(pods):
            if self.available == 0:
                break
            self.assigned += 1
            self._reconcile()
        return self._result(pods, placed=self.assigned)

    def _result(self, pods: int, *, placed: int) -> NodePool:
        eni_primaries = len(self.slots)
        pool = self.total
        trunk = int(self.trunk)
        if self.settings.custom_networking:
            # The node's primary ENI (node IP) and the trunk stay in the node's subnet.
            node_addresses = 1 + trunk
            pod_addresses = (eni_primaries - 1) + pool
        else:
            node_addresses = eni_primaries + trunk + pool
            pod_addresses = 0
        return NodePool(
            instance_type=self.limits.name,
            pods=pods,
            pods_placed=placed,
            prefix_delegation=self.prefix_delegation,
            custom_networking=self.settings.custom_networking,
            eni_slots=tuple(self.slots),
            trunk_eni=self.trunk,
            pool_addresses=pool,
            node_subnet_addresses=node_addresses,
            pod_subnet_addresses=pod_addresses,
        )


def _default(value: int | None, default: int) -> int:
    return default if value is None else value
