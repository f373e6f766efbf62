"""The payment provider's webhook: signed with the secret made at deploy, refusing any signed
body that is not a notification with 422, never a 500."""

import json
import os

import boto3
import pytest
from moto import mock_aws

from apigw import call
from payments import api
from tests.unit.tables import create_tables
from titan import webhooks

PATH = "/payments/webhooks/sandbox"


@pytest.fixture
def secret():
    with mock_aws():
        create_tables("PaymentsTable")
        boto3.client("events").create_event_bus(Name=os.environ["EVENT_BUS_NAME"])
        value = "a-secret-made-at-deploy-0123456789"
        boto3.client("secretsmanager").create_secret(
            Name=os.environ["PAYMENT_WEBHOOK_SECRET_ARN"], SecretString=value
        )
        yield value


def _post(raw: bytes, signature: str):
    return call(
        api.handler,
        "POST",
        PATH,
        raw_body=raw.decode(),
        headers={"X-Titan-Signature": signature},
    )


@pytest.mark.parametrize("raw", [b"[1]", b"null", b'"x"', b"1", b"{}", b'{"type": "boleto.paid"}'])
def test_a_signed_body_that_is_not_a_notification_is_422(secret, raw):
    status, _, body = _post(raw, webhooks.sign(secret, raw))
    assert (status, body["code"]) == (422, "VALIDATION_FAILED")


def test_a_notification_signed_with_another_secret_is_401(secret):
    raw = json.dumps({"type": "boleto.paid", "paymentId": "pay_x", "amount": 100}).encode()
    status, _, body = _post(raw, webhooks.sign("whsec_titan_sandbox_local", raw))
    assert (status, body["code"]) == (401, "INVALID_SIGNATURE")
    status, _, body = _post(raw, webhooks.sign(secret, raw))
    assert (status, body["code"]) == (404, "PAYMENT_NOT_FOUND")  # signed: read and looked up


def test_the_template_has_no_webhook_secret_and_makes_one_at_deploy():
    from tests.unit.tables import template_resources

    resource = template_resources()["PaymentWebhookSecret"]
    assert resource["Type"] == "AWS::SecretsManager::Secret"
    assert "SecretString" not in resource["Properties"]
    assert resource["Properties"]["GenerateSecretString"]["PasswordLength"] >= 32
