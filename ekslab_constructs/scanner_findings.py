"""What IaC scanners report on the Lambdas aws-cdk-lib creates for the lab, and what the lab does about it.

aws-cdk-lib creates three functions the lab does not write: the kubectl provider's handler and its
custom-resource framework's ``onEvent`` (cluster stack), and the handler that strips the rules of the
VPC's default security group (network stack). Scanners such as checkov report four things on them:

* environment variables not encrypted with a customer key (checkov ``CKV_AWS_173``): **fixed**, the
  kubectl provider's functions take the lab's KMS key (the one their log groups already use), and
  their roles may decrypt with it; the security-group handler has no environment variables;
* not in a VPC (``CKV_AWS_117``): the kubectl provider's functions already are (private subnets, to
  reach the private endpoint); the security-group handler is **skipped with its reason**;
* no dead-letter queue (``CKV_AWS_116``) and no reserved concurrency (``CKV_AWS_115``): **skipped
  with their reasons** on all three, below.

A skip is written where scanners read it, in the resource's template ``Metadata``: checkov's
``checkov.skip`` list of ``{id, comment}``, and a cdk-nag acknowledgement of the same finding in the
packs that check it (NIST 800-53 R5: ``LambdaDLQ``, ``LambdaConcurrency``, ``LambdaInsideVPC``),
kept in the cloud assembly's ``acknowledged-rules`` metadata like the lab's AwsSolutions ones. Every
reason says why the finding does not apply; ``tests/stacks/test_scanner_findings.py`` checks that
every Lambda of every stack has each finding fixed or skipped.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Final

from aws_cdk import CfnResource
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from ekslab_constructs.nag import acknowledge

RESERVED_CONCURRENCY: Final = "CKV_AWS_115"
DEAD_LETTER_QUEUE: Final = "CKV_AWS_116"
INSIDE_VPC: Final = "CKV_AWS_117"
ENVIRONMENT_ENCRYPTION: Final = "CKV_AWS_173"
WRITE_WITHOUT_CONSTRAINTS: Final = "CKV_AWS_111"
"""Not a Lambda finding: the AWS Load Balancer Controller's IAM policy (its own module skips it)."""
NIST_PACK: Final = "NIST.800.53.R5"
NAG_RULES: Final = {
    RESERVED_CONCURRENCY: "LambdaConcurrency",
    DEAD_LETTER_QUEUE: "LambdaDLQ",
    INSIDE_VPC: "LambdaInsideVPC",
}
"""The cdk-nag rule (NIST 800-53 R5 pack) that reports the same thing as each checkov check."""

NO_RESERVED_CONCURRENCY: Final = (
    "runs only while CloudFormation deploys or destroys the lab, a few invocations at a time; reserving "
    "concurrency must leave 100 unreserved in the account, so it would fail the deploy in new accounts, "
    "whose Lambda concurrency quota starts below that "
    "(https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html)"
)
NO_DLQ_CUSTOM_RESOURCE: Final = (
    "a CloudFormation custom-resource handler: it answers CloudFormation itself, which fails and rolls "
    "back the stack on an error, so a dead-letter queue would only keep an event nobody can replay"
)
NO_VPC_RESTRICT_DEFAULT_SG: Final = (
    "removes the rules of the default security group of the VPC being created, through the EC2 API: "
    "inside that VPC it would wait for the NAT gateway created alongside it, and it reads no data there"
)


def skip_findings(resource: CfnResource, reasons: Mapping[str, str]) -> None:
    """Record in ``resource``'s template Metadata that each checkov check of ``reasons`` does not apply
    (``checkov.skip``: ``[{id, comment}]``), and acknowledge the matching cdk-nag rule with the same reason."""
    existing = resource.get_metadata("checkov") or {}
    skips = [entry for entry in existing.get("skip", []) if entry["id"] not in reasons]
    skips += [{"id": check, "comment": reason} for check, reason in sorted(reasons.items())]
    resource.add_metadata("checkov", {**existing, "skip": skips})
    for check, reason in reasons.items():
        rule = NAG_RULES.get(check)
        if rule:
            acknowledge(resource, f"{NIST_PACK}-{rule}", reason, pack=NIST_PACK)


def encrypt_environment(functions: Iterable[lambda_.Function], key: kms.IKey) -> None:
    """Encrypt the environment variables of ``functions`` with ``key`` and let each function's role
    decrypt them (Lambda decrypts them with the execution role when the function starts).

    See https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars-encryption.html
    """
    for function in functions:
        cfn = function.node.default_child
        if not isinstance(cfn, lambda_.CfnFunction) or function.role is None:
            raise RuntimeError(
                f"{function.node.path} is not a plain Lambda function; revisit encrypt_environment"
            )
        cfn.kms_key_arn = key.key_arn
        key.grant_decrypt(function.role)


def functions_under(scope: Construct) -> list[lambda_.Function]:
    """Every Lambda function (L2) under ``scope``, in tree order."""
    return [child for child in scope.node.find_all() if isinstance(child, lambda_.Function)]
