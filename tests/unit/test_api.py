"""The resolver every context uses: problem+json for every kind of failure."""

from typing import Annotated

import pytest
from aws_lambda_powertools.event_handler.openapi.params import Query
from pydantic import BaseModel, Field

from apigw import call
from titan.api import create_app, lambda_handler
from titan.auth import principal, require
from titan.errors import Conflict

app = create_app()


class Line(BaseModel):
    sku: str = Field(min_length=1)
    quantity: int = Field(gt=0)


@app.post("/lines")
def add_line(line: Line) -> dict:
    return {"sku": line.sku, "quantity": line.quantity}


@app.get("/items")
def items(limit: Annotated[int, Query(gt=0, le=100)] = 20) -> dict:
    return {"limit": limit}


@app.get("/conflict")
def conflict() -> dict:
    raise Conflict("Only 2 left.", code="OUT_OF_STOCK", title="Out of stock", available=2)


@app.get("/boom")
def boom() -> dict:
    raise RuntimeError("secret internals")


@app.get("/bad-response")
def bad_response() -> Line:
    return {"sku": "x"}  # missing quantity: our bug, not the caller's


@app.get("/whoami")
def whoami() -> dict:
    caller = principal(app)
    return {"id": caller.id if caller else None}


@app.get("/admin")
def admin() -> dict:
    return {"id": require(app, "admin").id}


handler = lambda_handler(app)


def test_valid_requests_pass():
    assert call(handler, "POST", "/lines", {"sku": "a", "quantity": 2})[::2] == (
        200,
        {"sku": "a", "quantity": 2},
    )
    assert call(handler, "GET", "/items?limit=5")[2] == {"limit": 5}


def test_malformed_json_is_400():
    status, headers, body = call(handler, "POST", "/lines", raw_body="{not json")
    assert (status, body["code"]) == (400, "MALFORMED_JSON")
    assert headers["content-type"] == "application/problem+json"


def test_invalid_body_is_422_with_each_error_located():
    status, _, body = call(handler, "POST", "/lines", {"sku": "", "quantity": 0})
    assert (status, body["code"]) == (422, "VALIDATION_FAILED")
    assert {e["location"] for e in body["errors"]} == {"body.sku", "body.quantity"}


@pytest.mark.parametrize("query", ["limit=0", "limit=abc", "limit=101"])
def test_invalid_query_parameters_are_400(query):
    status, _, body = call(handler, "GET", f"/items?{query}")
    assert (status, body["code"]) == (400, "INVALID_PARAMETER")
    assert body["errors"][0]["location"] == "query.limit"


def test_problems_keep_their_status_code_and_members():
    status, headers, body = call(handler, "GET", "/conflict")
    assert status == 409
    assert headers["content-type"] == "application/problem+json"
    assert body["code"] == "OUT_OF_STOCK" and body["available"] == 2


def test_unexpected_errors_are_500_without_details():
    status, _, body = call(handler, "GET", "/boom")
    assert (status, body["code"]) == (500, "INTERNAL_ERROR")
    assert "secret" not in str(body)


def test_a_response_breaking_its_schema_is_our_500_not_the_callers_422():
    status, _, body = call(handler, "GET", "/bad-response")
    assert (status, body["code"]) == (500, "INTERNAL_ERROR")


def test_unknown_routes_are_404_problems():
    status, _, body = call(handler, "GET", "/nowhere")
    assert (status, body["code"]) == (404, "ROUTE_NOT_FOUND")


def test_principal_comes_from_the_authorizer_context():
    assert call(handler, "GET", "/whoami")[2] == {"id": None}
    auth = {"principalId": "usr_1", "roles": "customer,bogus"}
    assert call(handler, "GET", "/whoami", authorizer=auth)[2] == {"id": "usr_1"}


def test_roles_are_enforced():
    assert call(handler, "GET", "/admin")[2]["code"] == "UNAUTHORIZED"
    status, _, body = call(
        handler, "GET", "/admin", authorizer={"principalId": "u", "roles": "customer"}
    )
    assert (status, body["code"]) == (403, "FORBIDDEN")
    assert (
        call(handler, "GET", "/admin", authorizer={"principalId": "u", "roles": "admin"})[0] == 200
    )


def test_cors_headers_are_sent():
    _, headers, _ = call(handler, "GET", "/items", headers={"Origin": "https://shop.example"})
    assert headers.get("access-control-allow-origin") == "*"
