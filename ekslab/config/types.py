"""Field types shared by the configuration models."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator, Field


def _reject_bool(value: Any) -> Any:
    # YAML `true` would otherwise pass as the integer 1.
    if isinstance(value, bool):
        raise ValueError("must be an integer, not true/false")
    return value


Int = Annotated[int, BeforeValidator(_reject_bool)]
"""An integer that accepts 5 or "5" (as the add-on docs write it) but not true/false."""
NonNegativeInt = Annotated[Int, Field(ge=0)]
