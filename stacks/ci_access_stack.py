"""CI access stack (optional, ``ciAccess.enabled``): the role the live-lab workflow assumes (GitHub OIDC)."""

from __future__ import annotations

from typing import Any, Final

from aws_cdk import CfnOutput, DefaultStackSynthesizer, Stack
from constructs import Construct

from ekslab.config.model import LabConfig
from ekslab_constructs.github_ci_access import GitHubCiAccess

GITHUB_ENVIRONMENT: Final = "lab-e2e"
"""The GitHub environment the job of .github/workflows/lab-e2e.yml runs in; only its tokens are trusted.
An environment can be limited to protected branches and given reviewers in the repository settings."""
CI_LAB_NAMES: Final = "ci-*"
"""The labs lab-e2e.yml deploys (ci-<run id>-<attempt>); the role runs SSM commands on their nodes only."""
BOOTSTRAP_QUALIFIER_CONTEXT: Final = "@aws-cdk/core:bootstrapQualifier"
"""The CDK context key `cdk bootstrap --qualifier` users set; the CDK CLI reads the same key."""


class CiAccessStack(Stack):
    """The account's GitHub OIDC provider and the CI role; outputs the role ARN (a repository variable)."""

    def __init__(self, scope: Construct, id_: str, *, config: LabConfig, **kwargs: Any) -> None:
        super().__init__(scope, id_, **kwargs)
        repository = config.ci_access.github_repository
        if repository is None:  # check_lab refuses this configuration before synth; a bug if reached
            raise ValueError("CiAccessStack needs ciAccess.githubRepository")
        qualifier = (
            self.node.try_get_context(BOOTSTRAP_QUALIFIER_CONTEXT)
            or DefaultStackSynthesizer.DEFAULT_QUALIFIER
        )
        access = GitHubCiAccess(
            self,
            "GitHubCiAccess",
            repository=repository,
            environment=GITHUB_ENVIRONMENT,
            region=config.region,
            bootstrap_qualifier=qualifier,
            lab_names=CI_LAB_NAMES,
            existing_provider_arn=config.ci_access.oidc_provider_arn,
        )
        output = CfnOutput(
            self,
            "CiRoleArn",
            value=access.role.role_arn,
            description="Repository variable EKSLAB_CI_ROLE_ARN of the live-lab workflow",
        )
        output.override_logical_id("CiRoleArn")
