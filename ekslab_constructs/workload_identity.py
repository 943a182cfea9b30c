"""An IAM role for one Kubernetes service account, through EKS Pod Identity or IRSA."""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import CfnJson
from aws_cdk import aws_eks_v2 as eks
from aws_cdk import aws_iam as iam
from constructs import Construct

from ekslab.config.model import WorkloadIdentity

POD_IDENTITY_PRINCIPAL = "pods.eks.amazonaws.com"
"""EKS Pod Identity assumes roles as this service principal, with sts:AssumeRole and sts:TagSession.
See https://docs.aws.amazon.com/eks/latest/userguide/pod-id-role.html"""


class ServiceAccountRole(Construct):
    """A role only the named service account can assume.

    With ``WorkloadIdentity.POD_IDENTITY`` the trust is the Pod Identity service principal and the
    caller creates the association (for add-ons, through the add-on's ``PodIdentityAssociations``);
    with ``WorkloadIdentity.IRSA`` the trust is the cluster's OIDC provider, limited by ``sub`` and
    ``aud`` to this service account.
    """

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        cluster: eks.Cluster,
        namespace: str,
        service_account: str,
        mode: WorkloadIdentity,
        managed_policies: Sequence[iam.IManagedPolicy] = (),
        description: str,
    ) -> None:
        super().__init__(scope, id_)
        self.namespace = namespace
        self.service_account = service_account
        self.mode = mode
        if mode is WorkloadIdentity.POD_IDENTITY:
            principal: iam.IPrincipal = iam.ServicePrincipal(POD_IDENTITY_PRINCIPAL).with_session_tags()
        else:
            issuer = cluster.open_id_connect_provider.open_id_connect_provider_issuer
            # The condition keys contain the issuer (a token), so they go through CfnJson.
            conditions = CfnJson(
                self,
                "TrustConditions",
                value={
                    f"{issuer}:aud": "sts.amazonaws.com",
                    f"{issuer}:sub": f"system:serviceaccount:{namespace}:{service_account}",
                },
            )
            principal = iam.OpenIdConnectPrincipal(cluster.open_id_connect_provider).with_conditions(
                {"StringEquals": conditions}
            )
        self.role = iam.Role(
            self,
            "Role",
            assumed_by=principal,
            managed_policies=list(managed_policies),
            description=description,
        )

    def addon_identity(self) -> dict[str, object]:
        """CfnAddon properties that give the add-on's service account this role."""
        if self.mode is WorkloadIdentity.POD_IDENTITY:
            return {
                "pod_identity_associations": [
                    eks.CfnAddon.PodIdentityAssociationProperty(
                        role_arn=self.role.role_arn, service_account=self.service_account
                    )
                ]
            }
        return {"service_account_role_arn": self.role.role_arn}
