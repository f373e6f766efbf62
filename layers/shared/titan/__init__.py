"""Titan Commerce shared kernel, shipped to every function in the shared Lambda layer.

Modules: ``money`` (integer minor units + ISO 4217), ``ids``, ``clock``, ``errors``
(problem+json with stable codes), ``api`` (the REST resolver every context uses),
``observability`` (Powertools logger/tracer/metrics), ``events`` (the domain-event envelope
and a batched EventBridge publisher), ``dynamo`` (pynamodb configuration), ``auth``
(the caller as the API Gateway authorizer describes it).
"""

__version__ = "0.1.0"
