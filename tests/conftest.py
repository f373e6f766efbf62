"""Shared test configuration.

Unit tests (tests/unit) run in-process against moto's ``mock_aws``. Integration and e2e
tests use the ``cloud`` fixture: the local cloud with the current template.yaml deployed.
"""

import os

import pytest

from template_env import placeholder_environment

# Never let a test reach a real AWS account; give the kernel and the contexts every variable
# template.yaml gives the functions (``template_env``), with a few values tests rely on.
os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
os.environ.setdefault("AWS_REGION", "us-east-1")
os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "true")
os.environ.setdefault("POWERTOOLS_METRICS_NAMESPACE", "TitanTest")
_STATES = "arn:aws:states:us-east-1:123456789012:stateMachine:"
TEST_VALUES = {
    "EVENT_BUS_NAME": "titan-test",
    "MAIL_FROM": "noreply@titan.test",
    "TITAN_STAGE": "test",
    "CATALOG_IMPORTS_BUCKET": "titan-test-catalog-imports",  # S3 names take no underscores
    "CATALOG_SEARCH_BUCKET": "titan-test-catalog-search",
    "REFUND_STATE_MACHINE": _STATES + "refund",
    "CHECKOUT_STATE_MACHINE": _STATES + "checkout",
}
for _name, _value in {**placeholder_environment(), **TEST_VALUES}.items():
    os.environ.setdefault(_name, _value)


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


def pytest_collection_modifyitems(config, items):
    """Tests that need no cloud (they do not use the ``cloud`` fixture, even through another
    fixture) are marked ``offline``; the others ``localcloud``. ``make test`` runs the offline
    ones first, in parallel, then the rest against one local cloud."""
    for item in items:
        needs_cloud = "cloud" in getattr(item, "fixturenames", ())
        item.add_marker(pytest.mark.localcloud if needs_cloud else pytest.mark.offline)
