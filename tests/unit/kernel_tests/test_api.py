"""The resolver every context uses: problem+json for every kind of failure."""

import base64
import json
from typing import Annotated

import pytest
from aws_lambda_powertools.event_handler.openapi.params import Query
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, Field

from apigw import FakeContext, call, event
from titan.api import create_app, lambda_handler
from titan.auth import bearer, principal, require
from titan.errors import BadRequest, Conflict
from titan.paging import page_cursor, page_start

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


@app.get("/admin", security=bearer("admin"))
def admin() -> dict:
    return {"id": require(app).id}


@app.post("/admin/lines", security=bearer("admin", "staff"))
def admin_line(line: Line, sku: Annotated[str, Query(min_length=3)]) -> dict:
    return {"sku": sku, "by": require(app).id}


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


STAFF = {"principalId": "u", "roles": "staff"}
CUSTOMER = {"principalId": "u", "roles": "customer"}


def test_a_caller_without_the_role_hears_403_before_anything_about_the_request():
    # a bad body and a missing query parameter would tell a customer the route's shape
    for body in ({"sku": ""}, None):
        status, _, problem = call(handler, "POST", "/admin/lines", body, authorizer=CUSTOMER)
        assert (status, problem["code"]) == (403, "FORBIDDEN")
    status, _, problem = call(handler, "POST", "/admin/lines", raw_body="\udcff")
    assert (status, problem["code"]) == (401, "UNAUTHORIZED")
    status, _, problem = call(handler, "POST", "/admin/lines", {"sku": ""}, authorizer=STAFF)
    assert (status, problem["code"]) == (422, "VALIDATION_FAILED")  # staff may learn it
    line = {"sku": "a", "quantity": 1}
    assert call(handler, "POST", "/admin/lines?sku=abc", line, authorizer=STAFF)[0] == 200


@pytest.mark.parametrize("raw", [b"\xff", b'{"sku": "\xc3\x28", "quantity": 1}', b"\xc3"])
def test_a_body_that_is_not_utf8_is_malformed_json(raw):
    request = event("POST", "/lines", raw_body=base64.b64encode(raw).decode())
    request["isBase64Encoded"] = True
    response = handler(request, FakeContext())
    body = json.loads(response["body"])
    assert (response["statusCode"], body["code"]) == (400, "MALFORMED_JSON")


def test_a_body_with_lone_surrogates_or_bad_base64_is_malformed_json():
    assert call(handler, "POST", "/lines", raw_body='{"sku": "\udcff"}')[2]["code"] == (
        "MALFORMED_JSON"
    )
    request = event("POST", "/lines", raw_body="%%%not base64")
    request["isBase64Encoded"] = True
    assert handler(request, FakeContext())["statusCode"] == 400


KEY = {"pk": {"S": "CUSTOMER#c1"}, "sk": {"S": "ORDER#2"}}


def _cursor(value) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode()


def test_a_cursor_made_by_the_query_is_read_back():
    cursor = page_cursor(KEY)
    assert page_start(cursor, ("pk", "sk"), {"pk": "CUSTOMER#c1"}, {"sk": "ORDER#"}) == KEY
    assert page_start(None, ("pk", "sk"), {}) is None


@pytest.mark.parametrize(
    "cursor",
    [
        "!!!",
        base64.urlsafe_b64encode(b"\xff\xfe").decode(),
        _cursor({"foo": 1}),
        _cursor([1, 2]),
        _cursor(None),
        _cursor("x"),
        _cursor({"pk": {"S": "CUSTOMER#c1"}}),
        _cursor({"pk": {"N": "1"}, "sk": {"S": "ORDER#2"}}),
        _cursor({"pk": {"S": 1}, "sk": {"S": "ORDER#2"}}),
        _cursor({"pk": "CUSTOMER#c1", "sk": "ORDER#2"}),
        _cursor({"pk": {"S": "CUSTOMER#c1", "N": "1"}, "sk": {"S": "ORDER#2"}}),
        _cursor({"pk": {"S": "CUSTOMER#other"}, "sk": {"S": "ORDER#2"}}),
        _cursor({"pk": {"S": "CUSTOMER#c1"}, "sk": {"S": "ADDRESS#2"}}),
        _cursor({"pk": {"S": "CUSTOMER#c1"}, "sk": {"S": ""}}),
        _cursor({"pk": {"S": "CUSTOMER#c1"}, "sk": {"S": "ORDER#\ud800"}}),
        _cursor({**KEY, "extra": {"S": "x"}}),
    ],
)
def test_a_cursor_the_query_did_not_make_is_400_invalid_cursor(cursor):
    with pytest.raises(BadRequest) as refused:
        page_start(cursor, ("pk", "sk"), {"pk": "CUSTOMER#c1"}, {"sk": "ORDER#"})
    assert refused.value.code == "INVALID_CURSOR"


cursors = (
    st.text(max_size=200)
    | st.binary(max_size=200).map(lambda b: base64.urlsafe_b64encode(b).decode())
    | st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=20),
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner),
        max_leaves=8,
    ).map(_cursor)
)


@settings(max_examples=500, deadline=None)
@given(cursor=cursors)
def test_any_cursor_is_read_back_or_refused_as_invalid_cursor(cursor):
    try:
        key = page_start(cursor, ("pk", "sk"), {"pk": "CUSTOMER#c1"}, {"sk": "ORDER#"})
    except BadRequest as refused:
        assert refused.code == "INVALID_CURSOR"
    else:
        assert key is None or key["pk"] == {"S": "CUSTOMER#c1"}


@settings(max_examples=500, deadline=None)
@given(cursor=cursors)
def test_any_search_cursor_is_an_offset_or_refused(cursor):
    from catalog import search

    try:
        offset = search.decode_cursor(cursor)
    except search.InvalidCursor:
        return
    assert type(offset) is int and 0 <= offset < search.MAX_RESULT_WINDOW
