"""Which configurationValues keys a vpc-cni add-on version accepts, and validation against its schema.

EKS rejects an add-on whose configurationValues has a key its schema lacks (every object has
``additionalProperties: false``; cni-facts.md §2.3). The toolkit ships the full schemas it could
find verbatim (``data/addon-schemas/``, sources in ``data/SOURCES.md``) and, for newer versions,
the keys documented as added since. For an add-on version with no schema of its own the newest
shipped schema at or below it applies, extended by those documented additions:

* a key the CNI release of that add-on cannot know (introduced later) is refused;
* a key removed from the schemas (AWS_VPC_K8S_CNI_CONFIGURE_RPFILTER) is refused after its removal;
* a key newer than the applicable schema and not documented as added cannot be confirmed either
  way, so it is a warning, not a refusal.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Final

from ekslab.cni.versions import cni_release, sort_key
from ekslab.config.cni import ENV_SINCE

Release = tuple[int, int, int]

REMOVED_AFTER: Final[dict[str, str]] = {
    # Deprecated in v1.12.1 (a no-op) and absent from the v1.15.1-eksbuild.1 schema.
    "AWS_VPC_K8S_CNI_CONFIGURE_RPFILTER": "v1.15.1-eksbuild.1",
}

TOP_LEVEL_REMOVED_AFTER: Final[dict[str, str]] = {
    # In the v1.12.0-eksbuild.1 schema, absent from v1.15.1-eksbuild.1; CNI v1.12.0+ no longer reads
    # the CRI socket (README "For VPC CNI >=v1.12.0 ... no longer requires access to ... CRI socket").
    "cri": "v1.15.1-eksbuild.1",
}


@dataclass(frozen=True)
class _Additions:
    """Keys documented as present in a later add-on schema than the ones shipped in full."""

    version: str
    env: frozenset[str]
    top_level: frozenset[str]
    source: str


DOCUMENTED_ADDITIONS: Final = (
    _Additions(
        version="v1.18.6-eksbuild.1",
        env=frozenset({"ENABLE_SUBNET_DISCOVERY", "POD_MTU", "NETWORK_POLICY_ENFORCING_MODE"}),
        top_level=frozenset(
            {"enableWindowsPrefixDelegation", "extraEnv", "minimumWindowsIPTarget", "podAnnotations"}
        ),
        source="cni-facts.md §2.3: the v1.18.6-eksbuild.1 schema in aws/amazon-vpc-cni-k8s#3059 "
        "(and hashicorp/terraform-provider-aws#39577)",
    ),
)


@dataclass(frozen=True)
class AddonSchema:
    """What one vpc-cni add-on version accepts, as far as the shipped data tells."""

    addon_version: str
    based_on: str
    exact: bool
    env_keys: frozenset[str]
    init_env_keys: frozenset[str]
    top_level_keys: frozenset[str]
    json_schema: dict[str, Any] | None


@cache
def _catalogue() -> dict[str, Any]:
    text = resources.files("ekslab.cni").joinpath("data/addon-env-keys.json").read_text(encoding="utf-8")
    return json.loads(text)["versions"]


@cache
def _json_schema(schema_file: str) -> dict[str, Any]:
    return json.loads(
        resources.files("ekslab.cni").joinpath(f"data/{schema_file}").read_text(encoding="utf-8")
    )


def known_schema_versions() -> list[str]:
    return sorted(_catalogue(), key=sort_key)


def schema_for(addon_version: str) -> AddonSchema:
    """The keys ``addon_version`` accepts: its own schema, else the newest shipped one below it plus
    documented additions. Raises LookupError when the version is older than every shipped schema."""
    catalogue = _catalogue()
    candidates = [v for v in known_schema_versions() if sort_key(v) <= sort_key(addon_version)]
    if not candidates:
        raise LookupError(f"no vpc-cni schema at or below {addon_version}")
    base = candidates[-1]
    entry = catalogue[base]
    env, top = set(entry["env_keys"]), set(entry["top_level_keys"])
    exact = base == addon_version
    if not exact:
        for addition in DOCUMENTED_ADDITIONS:
            if sort_key(base) < sort_key(addition.version) <= sort_key(addon_version):
                env |= addition.env
                top |= addition.top_level
    return AddonSchema(
        addon_version=addon_version,
        based_on=base,
        exact=exact,
        env_keys=frozenset(env),
        init_env_keys=frozenset(entry.get("init_env_keys", ())),
        top_level_keys=frozenset(top),
        json_schema=_json_schema(entry["schema_file"]) if exact and entry.get("schema_file") else None,
    )


def key_verdict(schema: AddonSchema, key: str) -> str:
    """``ok``, ``refused`` or ``unconfirmed`` for one env key under an add-on version's schema."""
    if key in schema.env_keys:
        return "ok"
    removed = REMOVED_AFTER.get(key)
    if removed and sort_key(schema.addon_version) >= sort_key(removed):
        return "refused"
    if schema.exact or ENV_SINCE.get(key, (0, 0, 0)) > cni_release(schema.addon_version):
        return "refused"
    return "unconfirmed"


def top_level_verdict(schema: AddonSchema, key: str) -> str:
    """``ok``, ``refused`` or ``unconfirmed`` for one top-level key under an add-on version's schema."""
    if key in schema.top_level_keys:
        return "ok"
    removed = TOP_LEVEL_REMOVED_AFTER.get(key)
    if schema.exact or (removed and sort_key(schema.addon_version) >= sort_key(removed)):
        return "refused"
    return "unconfirmed"


def validate_against_schema(document: dict[str, Any], schema: AddonSchema) -> list[str]:
    """JSON-schema errors of a configurationValues document, as ``path: message`` lines (exact schemas only)."""
    if schema.json_schema is None:
        return []
    import jsonschema

    validator = jsonschema.Draft6Validator(schema.json_schema)
    problems = []
    for error in sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path)):
        path = ".".join(str(part) for part in error.absolute_path)
        problems.append(f"{path or '(top level)'}: {error.message}")
    return problems
