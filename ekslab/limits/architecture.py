"""CPU architecture of an instance type, read from its name where the name is certain.

Neither the shipped limits table nor ``vcpus.tsv`` records the architecture, so it is derived from
the EC2 naming convention: ``<series><generation><options>.<size>``, where a ``g`` as the first
option after the generation digit means an AWS Graviton (arm64) processor (m6g, c7gn, r8g, t4g,
x2gd, im4gn, is4gen, g5g, hpc7g), and ``a1`` is the first-generation Graviton.
See https://docs.aws.amazon.com/ec2/latest/instancetypes/instance-type-names.html

Only names that follow the convention plainly are classified; anything else is "unknown" (None) and
never refused: Mac families (mac1 is x86_64, mac2 and later are Apple silicon), high-memory
``u-*``/``u7i-*`` types and suffixed names such as ``p6-b200`` (a later ``p6e-gb200`` is arm64).
"""

from __future__ import annotations

import re
from typing import Final, Literal

Architecture = Literal["x86_64", "arm64"]
"""EC2 ``ProcessorInfo.SupportedArchitectures`` spelling."""

X86_64: Final = "x86_64"
ARM64: Final = "arm64"

_FAMILY: Final = re.compile(r"^(?P<series>[a-z]+)(?P<generation>\d+)(?P<options>[a-z]*)(?P<flex>-flex)?$")
_GRAVITON_OPTION: Final = "g"
_FIRST_GRAVITON: Final = "a1"
_UNCLASSIFIED_SERIES: Final = frozenset({"mac"})


def instance_architecture(instance_type: str) -> Architecture | None:
    """``arm64`` or ``x86_64`` when the instance type's name says so for certain, else None."""
    family = instance_type.split(".", 1)[0]
    if family == _FIRST_GRAVITON:
        return ARM64
    match = _FAMILY.match(family)
    if not match or match["series"] in _UNCLASSIFIED_SERIES:
        return None
    return ARM64 if match["options"].startswith(_GRAVITON_OPTION) else X86_64
