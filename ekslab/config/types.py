"""Field types shared by the configuration models."""

from __future__ import annotations

import ipaddress
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field


def _reject_bool(value: Any) -> Any:
    # YAML `true` would otherwise pass as the integer 1.
    if isinstance(value, bool):
        raise ValueError("must be an integer, not true/false")
    return value


INT_MAX = 2**31 - 1
"""Largest integer setting: ipamd and the CNI read their numbers into Go ints; nothing the lab sets is larger."""


def _not_too_large(value: int) -> int:
    if value > INT_MAX:
        raise ValueError(f"is too large (at most {INT_MAX})")
    return value


Int = Annotated[int, BeforeValidator(_reject_bool), AfterValidator(_not_too_large)]
"""An integer that accepts 5 or "5" (as the add-on docs write it) but not true/false, up to ``INT_MAX``."""
NonNegativeInt = Annotated[Int, Field(ge=0)]


VPC_BLOCK_MIN_PREFIX = 16
VPC_BLOCK_MAX_PREFIX = 28


def _cidr_text(value: Any) -> Any:
    # pydantic would read 123 as 0.0.0.123/32 and "10.11.0.0" as a /32: a CIDR must be written out.
    if isinstance(value, ipaddress.IPv4Network):
        return value
    if not isinstance(value, str) or "/" not in value:
        raise ValueError("must be an IPv4 CIDR written with its prefix length, such as 10.11.0.0/16")
    return value


def _vpc_block_size(value: ipaddress.IPv4Network) -> ipaddress.IPv4Network:
    # A VPC's CIDR blocks, primary and secondary, are /16 to /28:
    # https://docs.aws.amazon.com/vpc/latest/userguide/vpc-cidr-blocks.html
    if not VPC_BLOCK_MIN_PREFIX <= value.prefixlen <= VPC_BLOCK_MAX_PREFIX:
        raise ValueError(
            f"must be a VPC CIDR block between /{VPC_BLOCK_MIN_PREFIX} and /{VPC_BLOCK_MAX_PREFIX}"
        )
    return value


Ipv4Cidr = Annotated[ipaddress.IPv4Network, BeforeValidator(_cidr_text)]
"""An IPv4 CIDR written as text with its prefix length (``10.11.0.0/16``); host bits must be zero."""
VpcCidrBlock = Annotated[Ipv4Cidr, AfterValidator(_vpc_block_size)]
"""An ``Ipv4Cidr`` a VPC accepts as a CIDR block (/16 to /28)."""


def _tag_key(value: str) -> str:
    # https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html: 1-128 characters, and the
    # aws: prefix is reserved for AWS (CloudFormation refuses it).
    if value.lower().startswith("aws:"):
        raise ValueError("must not start with 'aws:' (reserved for AWS)")
    return value


TagKey = Annotated[str, Field(min_length=1, max_length=128), AfterValidator(_tag_key)]
"""A resource tag key: 1 to 128 characters, not starting with ``aws:``."""
TagValue = Annotated[str, Field(max_length=256)]
"""A resource tag value: at most 256 characters."""
