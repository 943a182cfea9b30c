"""``ekslab addons refresh``: regenerate the add-on pins from eks:DescribeAddonVersions."""

from __future__ import annotations

from typing import Any

import click

KUBERNETES_VERSIONS_HELP = (
    "Kubernetes version to refresh (repeatable). Default: every version the lab accepts."
)


@click.group()
def addons() -> None:
    """Managed add-on versions the lab pins per Kubernetes version."""


@addons.command("refresh")
@click.option("--region", required=True, help="Region to ask eks:DescribeAddonVersions in.")
@click.option("--kubernetes-version", "kubernetes_versions", multiple=True, help=KUBERNETES_VERSIONS_HELP)
@click.option(
    "--output-file",
    type=click.Path(dir_okay=False),
    default=None,
    help="Where to write the pins. Default: the pin file shipped in the ekslab package.",
)
def refresh_command(region: str, kubernetes_versions: tuple[str, ...], output_file: str | None) -> None:
    """Pin each add-on (vpc-cni, kube-proxy, coredns, eks-pod-identity-agent) to the version EKS flags
    as the default for each Kubernetes version (needs AWS credentials; read-only).

    Every call is made before anything is written; the file is then written atomically and the
    changed pins are printed. A failed call leaves the file untouched.
    """
    import datetime as dt
    import json

    from ekslab.cni.pins import refreshed_document, write_pins
    from ekslab.cni.versions import ADDONS, pin_document, pins_path
    from ekslab.config.model import Cluster
    from ekslab.errors import InputError
    from ekslab.files import output_folder, read_text

    allowed = _accepted_versions(Cluster)
    for version in kubernetes_versions:
        if version not in allowed:
            raise InputError("--kubernetes-version", f"must be one of {', '.join(allowed)}", version)
    versions = kubernetes_versions or allowed
    target = output_file or str(pins_path())
    source = f"--output-file {target}"
    output_folder(target, source=source)  # before the calls, not after them
    previous = (
        json.loads(read_text(target, source=source)) if output_file and _exists(target) else pin_document()
    )
    offers = _describe(region, ADDONS, versions)
    document, changes = refreshed_document(
        previous, offers.values(), region=region, now=dt.datetime.now(dt.UTC)
    )
    write_pins(target, document, source=source)
    pin_document.cache_clear()
    for change in changes:
        click.echo(f"~ {change.line()}")
    unflagged = [offer for offer in offers.values() if offer.default is None]
    for offer in unflagged:
        click.echo(f"! {offer.kubernetes_version} {offer.addon}: EKS flags no default version; pin kept")
    click.echo(
        f"wrote {target}: {len(offers)} pins checked in {region} for Kubernetes {', '.join(versions)}, "
        f"{len(changes)} changed, {len(unflagged)} without a default"
    )


def _accepted_versions(cluster_model: Any) -> tuple[str, ...]:
    from typing import get_args

    return tuple(get_args(cluster_model.model_fields["kubernetes_version"].annotation))


def _exists(path: str) -> bool:
    import os

    return os.path.exists(path)


def _describe(region: str, addons: tuple[str, ...], versions: tuple[str, ...]) -> dict[Any, Any]:
    from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError, PartialCredentialsError

    from ekslab.errors import InputError
    from ekslab.sources.eks_addons import describe_addon_offers

    try:
        return describe_addon_offers(region, addons, versions)
    except (NoCredentialsError, PartialCredentialsError):
        raise InputError(
            "addons refresh",
            "needs AWS credentials to call eks:DescribeAddonVersions; none were found; the pin file was not changed",
            hint="set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY",
        ) from None
    except ClientError as error:
        details = error.response.get("Error", {})
        raise InputError(
            "eks:DescribeAddonVersions",
            f"failed with {details.get('Code', 'an error')}; the pin file was not changed",
            details.get("Message", str(error)),
        ) from None
    except BotoCoreError as error:
        raise InputError(
            "eks:DescribeAddonVersions", "failed; the pin file was not changed", str(error)
        ) from None
