"""The caller, as the API Gateway Lambda authorizer describes it.

The authorizer puts ``principalId``, ``roles`` (comma-separated) and, for sellers,
``sellerId`` into ``requestContext.authorizer``; public routes have none of them.

A route says who may call it in its decorator, once: ``security=bearer("staff", "admin")``
(those roles), ``security=bearer()`` (any signed-in caller), nothing for a public route. The
same declaration is the route's OpenAPI security requirement (OpenAPI 3.1 lets a requirement
list the roles an operation needs) and what ``titan.api`` checks before it validates the
request, so a caller without the role hears 403 before learning the route's shape.
"""

from __future__ import annotations

from dataclasses import dataclass

from aws_lambda_powertools.event_handler import APIGatewayRestResolver

from titan.errors import Forbidden, NotFound, Unauthorized

ROLES = frozenset({"customer", "seller", "staff", "admin"})
#: The name of the bearer JWT security scheme in the OpenAPI document.
BEARER = "bearerAuth"


def bearer(*roles: str) -> list[dict[str, list[str]]]:
    """The security requirement of a route for signed-in callers holding one of ``roles``
    (any signed-in caller when none are named): ``[{"bearerAuth": [roles...]}]``."""
    unknown = set(roles) - ROLES
    if unknown:
        raise ValueError(f"unknown roles {sorted(unknown)}")
    return [{BEARER: sorted(roles)}]


def route_roles(security: list[dict[str, list[str]]] | None) -> tuple[bool, frozenset[str]]:
    """(whether the route needs a signed-in caller, the roles it admits; empty: any role)
    from a route's ``security`` declaration."""
    for requirement in security or ():
        if BEARER in requirement:
            return True, frozenset(requirement[BEARER])
    return False, frozenset()


def check(caller: Principal | None, roles: frozenset[str] | set[str] | tuple[str, ...]) -> None:
    """Raise ``Unauthorized`` (401) without a caller, ``Forbidden`` (403) when the caller
    holds none of ``roles`` (any role will do when ``roles`` is empty)."""
    if caller is None:
        raise Unauthorized("This operation needs a bearer token.")
    if roles and not caller.has_any(*roles):
        raise Forbidden("Your account does not have the role this operation needs.")


@dataclass(frozen=True)
class Principal:
    """``id``: the account id; ``roles``: a subset of ``ROLES``; ``seller_id`` for sellers."""

    id: str
    roles: frozenset[str]
    seller_id: str | None = None

    def has_any(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    def acts_for(self, seller_id: str) -> bool:
        """Staff and admins act for every seller; a seller's people for their own."""
        return self.has_any("staff", "admin") or self.seller_id == seller_id

    def require_seller(self, seller_id: str) -> None:
        """Raises NotFound SELLER_NOT_FOUND unless the caller acts for ``seller_id``: another
        seller's shop, listings, stock, vouchers or figures are not the caller's to see."""
        if not self.acts_for(seller_id):
            raise NotFound("No such seller.", code="SELLER_NOT_FOUND")


def principal(app: APIGatewayRestResolver) -> Principal | None:
    """The authenticated caller of the current request, or None on a public route."""
    return principal_of(app.current_event.request_context.authorizer.raw_event or {})


def principal_of(authorizer: dict) -> Principal | None:
    """The caller an authorizer's output (``requestContext.authorizer`` of a REST or
    WebSocket event) describes, or None when it names nobody."""
    principal_id = authorizer.get("principalId")
    if not principal_id:
        return None
    roles = frozenset(r for r in str(authorizer.get("roles", "")).split(",") if r in ROLES)
    return Principal(principal_id, roles, authorizer.get("sellerId") or None)


def require(app: APIGatewayRestResolver, *roles: str) -> Principal:
    """The caller, who must hold one of ``roles``, or when none are named one of the roles
    the current route declares (``security=bearer(...)``; any role if it names none).

    Raises ``Unauthorized`` (401) without a principal, ``Forbidden`` (403) without the role."""
    caller = principal(app)
    if not roles:
        route = app.context.get("_route")
        roles = tuple(route_roles(getattr(route, "security", None))[1])
    check(caller, roles)
    return caller
