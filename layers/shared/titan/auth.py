"""The caller, as the API Gateway Lambda authorizer describes it.

The authorizer puts ``principalId``, ``roles`` (comma-separated) and, for sellers,
``sellerId`` into ``requestContext.authorizer``; public routes have none of them.
"""

from __future__ import annotations

from dataclasses import dataclass

from aws_lambda_powertools.event_handler import APIGatewayRestResolver

from titan.errors import Forbidden, Unauthorized

ROLES = frozenset({"customer", "seller", "staff", "admin"})


@dataclass(frozen=True)
class Principal:
    """``id``: the account id; ``roles``: a subset of ``ROLES``; ``seller_id`` for sellers."""

    id: str
    roles: frozenset[str]
    seller_id: str | None = None

    def has_any(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))


def principal(app: APIGatewayRestResolver) -> Principal | None:
    """The authenticated caller of the current request, or None on a public route."""
    authorizer = app.current_event.request_context.authorizer.raw_event or {}
    principal_id = authorizer.get("principalId")
    if not principal_id:
        return None
    roles = frozenset(r for r in str(authorizer.get("roles", "")).split(",") if r in ROLES)
    return Principal(principal_id, roles, authorizer.get("sellerId") or None)


def require(app: APIGatewayRestResolver, *roles: str) -> Principal:
    """The caller, who must hold one of ``roles`` (any role if none are named).

    Raises ``Unauthorized`` (401) without a principal, ``Forbidden`` (403) without the role."""
    caller = principal(app)
    if caller is None:
        raise Unauthorized("This operation needs a bearer token.")
    if roles and not caller.has_any(*roles):
        raise Forbidden("Your account does not have the role this operation needs.")
    return caller
