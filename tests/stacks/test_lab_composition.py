"""How build_lab composes the lab: stack names, stack-level tags, optional stacks."""

from __future__ import annotations

import json

import pytest
from aws_cdk import App

from ekslab.config import defaults
from ekslab.config.loader import ConfigError, parse_config
from stacks.lab import build_lab
from tests.synth import cdk_json_context, synth_lab


def test_every_stack_carries_the_lab_tag_and_the_extra_tags() -> None:
    app = App(context=cdk_json_context())
    stacks = build_lab(app, parse_config({"lab": {"name": "alice", "tags": {"team": "net"}}}))
    assert [stack.tags.tag_values() for stack in stacks.all()] == [
        {defaults.TAG_LAB: "alice", "team": "net"}
    ] * len(stacks.all())


def test_ci_access_reuses_an_existing_github_provider() -> None:
    arn = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"
    config = parse_config(
        {"ciAccess": {"enabled": True, "githubRepository": "example-org/ekslab", "oidcProviderArn": arn}}
    )
    template = synth_lab(config).template("ci-access")
    assert template.find_resources("Custom::AWSCDKOpenIdConnectProvider") == {}
    assert template.find_resources("AWS::IAM::OIDCProvider") == {}
    [role] = template.find_resources("AWS::IAM::Role").values()
    assert role["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {"Federated": arn}


def test_bad_provider_arn_is_refused() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(
            {"ciAccess": {"oidcProviderArn": "arn:aws:iam::123456789012:oidc-provider/example.com"}},
            source="lab.yaml",
        )
    assert json.dumps(caught.value.message).startswith('"lab.yaml: ciAccess.oidcProviderArn: must be the ARN')
