"""Shared test configuration: unit tests run against moto's mock_aws with dummy credentials;
integration and e2e tests against the local cloud (tests/localcloud.py)."""

import os

# Never let a test reach a real AWS account.
os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
os.environ.setdefault("AWS_REGION", "us-east-1")
os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "true")
os.environ.setdefault("POWERTOOLS_METRICS_NAMESPACE", "TitanTest")
os.environ.setdefault("EVENT_BUS_NAME", "titan-test")
os.environ.setdefault("IDEMPOTENCY_TABLE", "titan-test-idempotency")
