import boto3
import pytest
from moto import mock_aws

from apigw import call
from meta import settings
from meta.api import handler


def _set(monkeypatch, **values) -> None:
    monkeypatch.setattr(settings, "SETTINGS", settings.SETTINGS.model_copy(update=values))


def test_health_reports_the_version(monkeypatch):
    _set(monkeypatch, titan_version="1.2.3")
    assert call(handler, "GET", "/health")[::2] == (200, {"status": "ok", "version": "1.2.3"})


@pytest.fixture
def dependencies(monkeypatch):
    with mock_aws():
        _set(monkeypatch, idempotency_table="idem", event_bus_name="bus", titan_stage="test")
        yield


def test_ready_when_table_and_bus_answer(dependencies):
    boto3.client("dynamodb").create_table(
        TableName="idem",
        BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
    )
    boto3.client("events").create_event_bus(Name="bus")
    status, _, body = call(handler, "GET", "/health/ready")
    assert status == 200
    assert body["status"] == "ready" and body["stage"] == "test"
    assert {c["name"]: c["ok"] for c in body["checks"]} == {"dynamodb": True, "eventbridge": True}


def test_not_ready_names_the_failing_dependency(dependencies):
    boto3.client("events").create_event_bus(Name="bus")
    status, _, body = call(handler, "GET", "/health/ready")
    assert status == 503
    failing = [c for c in body["checks"] if not c["ok"]]
    assert [c["name"] for c in failing] == ["dynamodb"]
    assert failing[0]["error"] == "ResourceNotFoundException"


def test_openapi_document_and_swagger_ui_are_served():
    status, headers, body = call(handler, "GET", "/openapi.json")
    assert status == 200 and "/health" in body["paths"]
    status, headers, body = call(handler, "GET", "/docs")
    assert status == 200 and headers["content-type"] == "text/html"
    assert "SwaggerUIBundle" in body
