"""AWS set-up problems (profile, credentials, region) as one line each, the same for every command.

A wrong ``AWS_PROFILE``, no credentials at all, half of a key pair, an expired SSO login or a bad
region is the user's environment, not a bug: every command and ``scripts/deployer_principal.py``
(``make deploy|diff|destroy|bootstrap``) turn botocore's exception into the ``InputError`` below and
print it as ``ekslab: error: ...``, exit 2 (``teardown-check``: 3, "could not check"). botocore is
imported only when a problem is being classified, so this module is cheap to import.
"""

from __future__ import annotations

from typing import Any, Final

from ekslab.errors import InputError

LOGIN_HINT: Final = "set AWS_PROFILE or --profile, run `aws sso login` or `aws configure`, then try again"


def setup_problem(error: BaseException) -> InputError | None:
    """The one-line error for a profile, credential, region or AWS-config-file problem; ``None``
    for anything else (an API error, a bug), which the caller handles as before."""
    from botocore import exceptions as aws

    def flat(text: Any) -> str:
        return " ".join(str(text).split())

    kwargs: dict[str, Any] = getattr(error, "kwargs", {}) or {}
    if isinstance(error, aws.ProfileNotFound):
        return InputError(
            "AWS profile (--profile or AWS_PROFILE)",
            "names no profile of ~/.aws/config or ~/.aws/credentials",
            kwargs.get("profile", ""),
            hint="`aws configure list-profiles` lists them",
        )
    if isinstance(error, aws.NoCredentialsError):
        return InputError("AWS credentials", "none found", hint=LOGIN_HINT)
    if isinstance(error, aws.PartialCredentialsError):
        return InputError(
            "AWS credentials",
            f"incomplete: the {kwargs.get('provider', 'env')} credentials have no "
            f"{kwargs.get('cred_var', 'secret key')}",
            hint=LOGIN_HINT,
        )
    if isinstance(error, aws.SSOError | aws.TokenRetrievalError | aws.CredentialRetrievalError):
        return InputError("AWS credentials", f"could not be loaded ({flat(error)})", hint=LOGIN_HINT)
    if isinstance(error, aws.NoRegionError):
        return InputError(
            "AWS region", "none set", hint="pass --region, set AWS_REGION, or give the profile a region"
        )
    if isinstance(error, aws.InvalidRegionError):
        return InputError(
            "AWS region", "is not a region name such as ap-northeast-2", kwargs.get("region_name", "")
        )
    if isinstance(error, aws.ConfigNotFound | aws.ConfigParseError | aws.InvalidConfigError):
        return InputError("AWS configuration", f"cannot be used ({flat(error)})")
    return None


def checked_session(*, region: str | None = None, profile: str | None = None) -> Any:
    """A boto3 session whose profile exists and whose credentials resolve, else the ``InputError``
    of ``setup_problem``. Resolving reads the environment, the AWS config files and, on EC2, the
    instance's role (boto3's credential chain); it makes no API call."""
    from ekslab.aws.clients import aws_session

    try:
        session = aws_session(region=region, profile=profile)
        credentials = session.get_credentials()
    except Exception as error:
        problem = setup_problem(error)
        if problem is None:
            raise
        raise problem from None
    if credentials is None:
        raise InputError("AWS credentials", "none found", hint=LOGIN_HINT)
    return session
