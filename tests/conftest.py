"""Shared test configuration.

Unit tests (tests/unit) run in-process against moto's ``mock_aws``. Integration and e2e
tests use the ``cloud`` fixture: the local cloud with the current templates deployed.
"""

import os
import uuid

import pytest

from template_env import placeholder_environment

# Never let a test reach a real AWS account; give the kernel and the contexts every variable
# template.yaml gives the functions (``template_env``), with a few values tests rely on.
os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
os.environ.setdefault("AWS_REGION", "us-east-1")
os.environ.setdefault("POWERTOOLS_METRICS_NAMESPACE", "TitanTest")
_STATES = "arn:aws:states:us-east-1:123456789012:stateMachine:"
TEST_VALUES = {
    "EVENT_BUS_NAME": "titan-test",
    "MAIL_FROM": "noreply@titan.test",
    "TITAN_STAGE": "test",
    "CATALOG_IMPORTS_BUCKET": "titan-test-catalog-imports",  # S3 names take no underscores
    "CATALOG_SEARCH_BUCKET": "titan-test-catalog-search",
    "CATALOG_MEDIA_BUCKET": "titan-test-catalog-media",
    "REFUND_STATE_MACHINE": _STATES + "refund",
    "CHECKOUT_STATE_MACHINE": _STATES + "checkout",
    "SITE_URL_PARAMETER": "",  # links are paths unless a test gives a site
    "PUSH_APPLICATION_ARN": "",  # push is off unless a test makes a platform application
}
for _name, _value in {**placeholder_environment(), **TEST_VALUES}.items():
    os.environ.setdefault(_name, _value)


def pytest_configure(config):
    """The controller names this test run; its parallel workers inherit the name."""
    if not hasattr(config, "workerinput"):
        os.environ.setdefault("TITAN_TEST_RUN", uuid.uuid4().hex)


@pytest.fixture(scope="session")
def cloud():
    """The local cloud with the current templates deployed: started if nothing runs yet
    (and stopped when the run ends), reused if ``make up`` already runs it; deployed only
    if the sources changed since the last deploy (``localcloud.cloud.ready_for_tests``).
    Yields the stack outputs (``ApiUrl``, ``EventBusName``, table names...)."""
    from localcloud import cloud as local

    return local.ready_for_tests(os.environ["TITAN_TEST_RUN"])


def pytest_sessionfinish(session):
    """The controller stops the local cloud if this run started it (unless
    ``TITAN_KEEP_CLOUD`` asks to leave it for a next phase of the same run)."""
    if hasattr(session.config, "workerinput") or os.environ.get("TITAN_KEEP_CLOUD"):
        return
    from localcloud import cloud as local

    local.stop_if_started_by(os.environ.get("TITAN_TEST_RUN", ""))


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
