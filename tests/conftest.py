"""Shared test configuration.

Unit tests (tests/unit) run in-process against moto's ``mock_aws``. Integration and e2e
tests use the ``cloud`` fixture: the local cloud with the current template.yaml deployed.
"""

import os

import pytest

# Never let a test reach a real AWS account; give the kernel what template.yaml gives it.
os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
os.environ.setdefault("AWS_REGION", "us-east-1")
os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "true")
os.environ.setdefault("POWERTOOLS_METRICS_NAMESPACE", "TitanTest")
os.environ.setdefault("EVENT_BUS_NAME", "titan-test")
os.environ.setdefault("IDEMPOTENCY_TABLE", "titan-test-idempotency")
os.environ.setdefault("IDENTITY_TABLE", "titan-test-identity")
os.environ.setdefault("SIGNING_KEYS_SECRET", "titan-test-signing-keys")
os.environ.setdefault("MAIL_FROM", "noreply@titan.test")
os.environ.setdefault("TITAN_STAGE", "test")
os.environ.setdefault("CATALOG_TABLE", "titan-test-catalog")
os.environ.setdefault("CATALOG_IMPORTS_BUCKET", "titan-test-catalog-imports")
os.environ.setdefault("CATALOG_SEARCH_BUCKET", "titan-test-catalog-search")
for _context in (
    "cart",
    "inventory",
    "checkout",
    "payments",
    "orders",
    "flashsales",
    "ledger",
    "returns",
):
    os.environ.setdefault(f"{_context.upper()}_TABLE", f"titan-test-{_context}")
os.environ.setdefault("CATALOG_STEPS_FUNCTION", "titan-test-catalog-steps")
os.environ.setdefault("INVENTORY_STEPS_FUNCTION", "titan-test-inventory-steps")
for _steps in ("LEDGER", "ORDERS", "PAYMENTS"):
    os.environ.setdefault(f"{_steps}_STEPS_FUNCTION", f"titan-test-{_steps.lower()}-steps")
os.environ.setdefault(
    "REFUND_STATE_MACHINE", "arn:aws:states:us-east-1:123456789012:stateMachine:refund"
)
os.environ.setdefault(
    "CHECKOUT_STATE_MACHINE", "arn:aws:states:us-east-1:123456789012:stateMachine:checkout"
)
os.environ.setdefault("PAYMENT_WEBHOOK_SECRET_ARN", "titan-test-payment-webhook")


@pytest.fixture(scope="session")
def cloud():
    """The local cloud with the current template.yaml deployed: started for this session if
    nothing runs yet (and stopped again at the end), reused if ``make up`` already runs it.
    Yields the stack outputs (``ApiUrl``, ``EventBusName``, table names...)."""
    from localcloud import cloud as local

    started_here = not local.healthy()
    local.start()
    try:
        yield local.deploy()
    finally:
        if started_here:
            local.stop()


@pytest.fixture(scope="session")
def api_url(cloud) -> str:
    """The API base URL, stage included (path-style local URL)."""
    return cloud["ApiUrl"]


@pytest.fixture(scope="session")
def aws(cloud):
    """``aws("dynamodb")``: a boto3 client factory for the local cloud."""
    from localcloud import cloud as local

    return local.client
