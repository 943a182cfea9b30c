"""Fixtures shared with the data-source tests (moto without its default AMIs)."""

from tests.sources.conftest import moto_ec2  # noqa: F401 - a fixture, used by name
