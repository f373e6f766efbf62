import json
import os
import re
from pathlib import Path

import boto3
import pytest
from jsonschema import Draft202012Validator
from moto import mock_aws
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends

from apigw import FakeContext, event
from identity import provisioning, service, tokens
from identity.api import handler
from identity.store import Account

SCHEMAS = Path(__file__).resolve().parents[3] / "events" / "schemas"


@pytest.fixture
def published(monkeypatch):
    """Every identity event published during the test, each checked against its schema."""
    events = []
    original = service.publish

    def checked(detail_type, **data):
        schema = json.loads((SCHEMAS / f"{detail_type}.json").read_text())
        Draft202012Validator(schema).validate(data)
        events.append((detail_type, data))
        original(detail_type, **data)

    monkeypatch.setattr(service, "publish", checked)
    return events


@pytest.fixture
def identity(published):
    """Identity's AWS resources in moto: table, signing keys, verified sender, event bus."""
    with mock_aws():
        Account.create_table(billing_mode="PAY_PER_REQUEST", wait=True)
        secrets = boto3.client("secretsmanager")
        secrets.create_secret(Name=os.environ["SIGNING_KEYS_SECRET"], SecretString="{}")
        secrets.create_secret(Name="admin-credentials", SecretString="{}")
        boto3.client("ses").verify_email_identity(EmailAddress=os.environ["MAIL_FROM"])
        boto3.client("events").create_event_bus(Name=os.environ["EVENT_BUS_NAME"])
        tokens._cache = None
        provisioning.ensure_signing_key(os.environ["SIGNING_KEYS_SECRET"], "1")
        yield
        tokens._cache = None


class Client:
    """Calls the identity API handler as API Gateway would, with an optional signed-in user."""

    def __init__(self, ip: str = "203.0.113.7"):
        self.ip = ip

    def __call__(self, method, path, body=None, as_user=None, roles="customer", **kwargs):
        authorizer = {"principalId": as_user, "roles": roles} if as_user else None
        request = event(method, path, body, authorizer=authorizer, **kwargs)
        request["requestContext"]["identity"]["sourceIp"] = self.ip
        response = handler(request, FakeContext())
        text = response.get("body") or ""
        headers = {k.lower(): v for k, v in (response.get("headers") or {}).items()}
        for key, values in (response.get("multiValueHeaders") or {}).items():
            headers.setdefault(key.lower(), values[-1])
        return response["statusCode"], headers, json.loads(text) if text else None


@pytest.fixture
def api(identity):
    return Client()


def sent_mail(to: str) -> list[str]:
    """Bodies of the e-mails moto's SES sent to ``to``."""
    backend = ses_backends[DEFAULT_ACCOUNT_ID]["us-east-1"]
    return [m.body for m in backend.sent_messages if to in m.destinations["ToAddresses"]]


def code_in(mail: str) -> str:
    return re.search(r"\n\n([A-Za-z0-9_-]{40,})\n", mail).group(1)


def register(api, email="ana@example.com", password="correct horse battery", name="Ana"):
    status, _, body = api(
        "POST", "/auth/register", {"email": email, "password": password, "name": name}
    )
    assert status == 201, body
    return body["customerId"]


def login(api, email="ana@example.com", password="correct horse battery", **extra):
    return api("POST", "/auth/login", {"email": email, "password": password, **extra})
