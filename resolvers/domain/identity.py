"""Who is calling: the caller as AppSync identifies it (Cognito user, IAM principal or API key)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from resolvers.domain.errors import Unauthorized

ADMINS_GROUP = "Admins"


class AuthMode(StrEnum):
    COGNITO = "AMAZON_COGNITO_USER_POOLS"
    IAM = "AWS_IAM"
    API_KEY = "API_KEY"


@dataclass(frozen=True)
class Caller:
    mode: AuthMode
    # Cognito `sub` for users, the principal's ARN for IAM, None for an API key.
    principal: str | None
    username: str | None = None
    groups: frozenset[str] = field(default_factory=frozenset)

    @property
    def is_admin(self) -> bool:
        """Admins and IAM principals (the saga, operations tooling) may act for any customer."""
        return self.mode is AuthMode.IAM or (self.mode is AuthMode.COGNITO and ADMINS_GROUP in self.groups)

    @property
    def customer(self) -> str | None:
        """The customer id this caller is, if it is a customer (Cognito user)."""
        return self.principal if self.mode is AuthMode.COGNITO else None

    def require_admin(self) -> None:
        if not self.is_admin:
            raise Unauthorized("Only Admins or IAM callers may do this")

    def customer_to_act_for(self, requested: str | None) -> str:
        """The customer whose data is read: the caller's own, or another one's for Admins and IAM."""
        own = self.customer
        if requested is None or requested == own:
            if own is None:
                raise Unauthorized("Name the customer: this caller is not a customer")
            return own
        if not self.is_admin:
            raise Unauthorized("Not authorized to access another customer's data")
        return requested

    def may_read_customer(self, customer: str) -> bool:
        return self.is_admin or self.customer == customer

    @classmethod
    def from_identity(cls, identity: dict[str, Any] | None) -> Caller:
        """Build the caller from an AppSync event's `identity` (None for API key callers)."""
        if not identity:
            return cls(mode=AuthMode.API_KEY, principal=None)
        if identity.get("sub"):
            return cls(
                mode=AuthMode.COGNITO,
                principal=identity["sub"],
                username=identity.get("username"),
                groups=frozenset(identity.get("groups") or ()),
            )
        if identity.get("userArn") or identity.get("accountId"):
            return cls(mode=AuthMode.IAM, principal=identity.get("userArn") or identity.get("accountId"))
        raise Unauthorized("Unrecognised caller identity")
