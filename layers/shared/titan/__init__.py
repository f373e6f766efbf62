"""Titan Commerce shared kernel, shipped to every function in the shared Lambda layer.

Modules: ``money`` (integer minor units + ISO 4217), ``ids``, ``clock``, ``errors``
(problem+json with stable codes), ``api`` (the REST resolver every context uses: roles
before validation, cursors, documented answers), ``schemas`` (response shapes every context
shares), ``auth`` (the caller as the API Gateway authorizer describes it, and the roles a
route admits), ``observability`` (Powertools logger/tracer/metrics), ``context`` (the
correlation id), ``events`` (the domain-event envelope and a batched EventBridge publisher),
``dynamo`` (pynamodb configuration and condition checks), ``idempotency`` (Idempotency-Key
on Powertools idempotency), ``saga`` (saga steps and synchronous calls between contexts),
``cards`` (the card input model), ``geo`` (Brazilian states).
"""

__version__ = "0.1.0"
