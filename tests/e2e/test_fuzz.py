"""Every operation of the OpenAPI document, fuzzed over HTTP as a customer, a seller and staff
(schemathesis): no input may produce a 5xx, and every answer must match its documented
response (the success model, or application/problem+json for every error).

Bounded for CI: ``FUZZ_EXAMPLES`` generated cases per operation and caller (default 3), the
generation derandomized (a failure reproduces with the same seed). The fuzzer is its own
client on its own loopback address (127.0.0.2), as an attacker would be: the per-IP sign-in
lock it may trip is its own, and the e-mails it guesses are not the tests' accounts. Figures
(requests, status classes) go to ``.localcloud/logs/fuzz.json``.
"""

from __future__ import annotations

import json
import os
import uuid
from collections import Counter
from pathlib import Path

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from requests.adapters import HTTPAdapter
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import response_schema_conformance

from localcloud import seed
from shopper import new_customer, new_seller

ROOT = Path(__file__).resolve().parents[2]
#: Valid and invalid inputs (generation modes positive and negative). The coverage phase is
#: off: it sends bodies under malformed Content-Types (multipart without a boundary) that
#: LocalStack's API Gateway itself fails on before any function runs (AWS passes them on).
CONFIG = SchemathesisConfig.from_str(
    """
seed = 20261130
[generation]
mode = "all"
[phases.coverage]
enabled = false
"""
)
SCHEMA = schemathesis.openapi.from_path(ROOT / "functions" / "meta" / "openapi.json", config=CONFIG)
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "3"))
FIGURES = ROOT / ".localcloud" / "logs" / "fuzz.json"
FUZZ = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
CHECKS = [not_a_server_error, response_schema_conformance]
SEEN: Counter = Counter()


class _FromAddress(HTTPAdapter):
    """Connections from one loopback address: the fuzzer's own source IP."""

    def __init__(self, address: str) -> None:
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.address, 0)
        return super().init_poolmanager(*args, **kwargs)


@pytest.fixture(scope="module")
def fuzzer():
    session = requests.Session()
    session.mount("http://", _FromAddress("127.0.0.2"))
    yield session
    FIGURES.parent.mkdir(parents=True, exist_ok=True)
    FIGURES.write_text(json.dumps(dict(sorted(SEEN.items())), indent=2) + "\n")


@pytest.fixture(scope="module")
def tokens(cloud, api_url) -> dict[str, str]:
    """Access tokens of a customer, a seller (of a seller id of their own) and staff."""
    admin = seed.admin_token(api_url, cloud)
    customer = new_customer(api_url)
    seller = new_seller(api_url, admin, uuid.uuid4().hex)
    return {"customer": customer.token, "seller": seller.token, "staff": admin}


def _fuzz(case, role, tokens, api_url, fuzzer) -> None:
    response = case.call_and_validate(
        base_url=api_url,
        session=fuzzer,
        headers={"Authorization": f"Bearer {tokens[role]}"},
        checks=CHECKS,
        timeout=60,
    )
    SEEN["requests"] += 1
    SEEN[f"{role} {response.status_code // 100}xx"] += 1


@SCHEMA.parametrize()
@FUZZ
def test_as_a_customer_no_input_gives_a_5xx_or_an_undocumented_answer(
    case, tokens, api_url, fuzzer
):
    _fuzz(case, "customer", tokens, api_url, fuzzer)


@SCHEMA.parametrize()
@FUZZ
def test_as_a_seller_no_input_gives_a_5xx_or_an_undocumented_answer(case, tokens, api_url, fuzzer):
    _fuzz(case, "seller", tokens, api_url, fuzzer)


@SCHEMA.parametrize()
@FUZZ
def test_as_staff_no_input_gives_a_5xx_or_an_undocumented_answer(case, tokens, api_url, fuzzer):
    _fuzz(case, "staff", tokens, api_url, fuzzer)
