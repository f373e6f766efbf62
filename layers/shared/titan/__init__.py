"""Titan Commerce shared kernel, shipped to every function in the shared Lambda layer.

Modules: ``money`` (integer minor units + ISO 4217), ``ids`` (prefixed ULIDs and their typed
fields), ``clock``, ``errors`` (problem+json with stable codes), ``api`` (the REST resolver
every context uses: roles before validation, documented answers), ``paging`` (cursors of
DynamoDB queries), ``schemas`` (response shapes every context shares), ``auth`` (the caller
as the API Gateway authorizer describes it, and the roles a route admits),
``observability`` (Powertools logger and metrics, business metrics), ``context`` (the
correlation id), ``events`` (domain events carrying their contract, and a batched
EventBridge publisher), ``consumers`` (the one way a Lambda takes events), ``dynamo``
(pynamodb configuration, condition checks, get-or-404), ``idempotency`` (Idempotency-Key on
Powertools idempotency), ``saga`` (saga steps and their refusals), ``calls`` (synchronous
calls between contexts), ``aws`` (one client per service), ``cards`` (the card input model),
``geo`` (Brazilian states), ``settings`` (a function's environment, read and checked at
cold start). The event contracts themselves are the ``contracts`` package.
"""

__version__ = "0.1.0"
