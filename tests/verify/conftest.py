"""Fixtures of the verification tests, shared with the data-source tests."""

from tests.sources.conftest import moto_ec2  # noqa: F401 - a fixture, used by name
