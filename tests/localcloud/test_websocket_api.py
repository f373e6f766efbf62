"""The local cloud's WebSocket APIs (API Gateway v2), offline: the gateway serves a template's
API on a real socket, and the events its routes' functions get have API Gateway's documented
shape (``requestContext`` with ``connectionId``, ``routeKey``, ``eventType``, the
authorizer's output on every route; ``$disconnect`` with its status code). The Lambda
invocations are recorded instead of run; the management API's answers are checked too."""

from __future__ import annotations

import asyncio
import json
import socket
import time

import pytest
import websockets
from websockets.asyncio.client import connect

from localcloud import websocket_api as ws

pytestmark = pytest.mark.offline

AUTHORIZER = "arn:aws:lambda:us-east-1:000000000000:function:authorizer"
CHAT = "arn:aws:lambda:us-east-1:000000000000:function:chat"
API_ARN = "arn:aws:execute-api:us-east-1:000000000000:ws1test"


def uri(function: str) -> str:
    return f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{function}/invocations"


def deploy(api_id: str = "ws1test") -> None:
    """What CloudFormation does with functions/chat/template.yaml's WebSocket API."""
    ws.apply_resource(
        "AWS::ApiGatewayV2::Api",
        {
            "ApiId": api_id,
            "ProtocolType": "WEBSOCKET",
            "RouteSelectionExpression": "$request.body.action",
        },
        None,
    )
    ws.apply_resource(
        "AWS::ApiGatewayV2::Authorizer",
        {
            "ApiId": api_id,
            "AuthorizerId": "auth1",
            "AuthorizerType": "REQUEST",
            "AuthorizerUri": uri(AUTHORIZER),
        },
        None,
    )
    ws.apply_resource(
        "AWS::ApiGatewayV2::Integration",
        {
            "ApiId": api_id,
            "IntegrationId": "int1",
            "IntegrationType": "AWS_PROXY",
            "IntegrationUri": uri(CHAT),
        },
        None,
    )
    for route_id, key, extra in (
        ("r1", "$connect", {"AuthorizationType": "CUSTOM", "AuthorizerId": "auth1"}),
        ("r2", "$disconnect", {}),
        ("r3", "sendMessage", {}),
        ("r4", "$default", {}),
    ):
        ws.apply_resource(
            "AWS::ApiGatewayV2::Route",
            {
                "ApiId": api_id,
                "RouteId": route_id,
                "RouteKey": key,
                "Target": "integrations/int1",
                **extra,
            },
            None,
        )
    ws.apply_resource(
        "AWS::ApiGatewayV2::RouteResponse",
        {"ApiId": api_id, "RouteId": "r3", "RouteResponseId": "rr3"},
        None,
    )
    ws.apply_resource("AWS::ApiGatewayV2::Stage", {"ApiId": api_id, "StageName": "local"}, None)


class Functions:
    """Records each invocation; the authorizer admits the token "good" only."""

    def __init__(self):
        self.calls: list[tuple[str, dict]] = []
        self.connect_status = 200

    def __call__(self, function: str, event: dict):
        self.calls.append((function, event))
        if function == AUTHORIZER:
            token = (event.get("headers") or {}).get("Authorization") or (
                event.get("queryStringParameters") or {}
            ).get("token")
            if token not in ("Bearer good", "good"):
                return {"errorMessage": "Unauthorized"}, True
            return {
                "principalId": "acct_1",
                "policyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Action": "execute-api:Invoke",
                            "Effect": "Allow",
                            "Resource": f"{API_ARN}/local/*",
                        }
                    ],
                },
                "context": {"roles": "customer"},
            }, False
        route = event["requestContext"]["routeKey"]
        if route == "$connect":
            return {"statusCode": self.connect_status}, False
        if route == "sendMessage":
            return {
                "statusCode": 200,
                "body": json.dumps({"echo": json.loads(event["body"])["text"]}),
            }, False
        if route == "$default":
            return None, True  # the function failed
        return {"statusCode": 200}, False

    def of(self, route: str) -> list[dict]:
        return [e for f, e in self.calls if f == CHAT and e["requestContext"]["routeKey"] == route]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def gateway():
    deploy()
    functions = Functions()
    gateway = ws.Gateway(port=free_port(), invoke=functions)
    gateway.start()
    gateway.functions = functions
    yield gateway
    ws.remove_resource("AWS::ApiGatewayV2::Api", {"ApiId": "ws1test"})


def url(gateway, path="/ws1test/local") -> str:
    return f"ws://127.0.0.1:{gateway.port}{path}"


def wait_for(predicate, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return False


def test_route_keys_are_selected_from_the_body():
    assert ws.selected_route_key("$request.body.action", '{"action": "typing"}') == "typing"
    assert ws.selected_route_key("$request.body.a.b", '{"a": {"b": "x"}}') == "x"
    assert ws.selected_route_key("$request.body.action", "not json") is None
    assert ws.selected_route_key("$request.body.action", '{"action": 3}') is None
    assert ws.function_of(uri(CHAT)) == CHAT and ws.function_of(CHAT) == CHAT
    assert len(ws.new_connection_id()) == 16


def test_what_the_local_cloud_does_not_serve_fails_the_deploy():
    with pytest.raises(ValueError, match="WebSocket"):
        ws.apply_resource("AWS::ApiGatewayV2::Api", {"ApiId": "h1", "ProtocolType": "HTTP"}, None)
    with pytest.raises(ValueError, match="no WebSocket API"):
        ws.apply_resource(
            "AWS::ApiGatewayV2::Route", {"ApiId": "nope", "RouteId": "r", "RouteKey": "x"}, None
        )


def test_connect_message_and_disconnect_events_have_api_gateways_shape(gateway):
    async def session():
        async with connect(
            url(gateway) + "?lang=pt", additional_headers={"Authorization": "Bearer good"}
        ) as client:
            await client.send(json.dumps({"action": "sendMessage", "text": "oi"}))
            answer = json.loads(await client.recv())
            await client.send(json.dumps({"action": "dance"}))
            failure = json.loads(await client.recv())
            return answer, failure

    answer, failure = asyncio.run(session())
    assert answer == {"echo": "oi"}  # the route response
    assert failure["message"] == "Internal server error" and failure["connectionId"]
    authorize = next(e for f, e in gateway.functions.calls if f == AUTHORIZER)
    assert authorize["type"] == "REQUEST"
    assert authorize["methodArn"].endswith(":ws1test/local/$connect")
    assert authorize["queryStringParameters"] == {"lang": "pt"}
    (connect_event,) = gateway.functions.of("$connect")
    context = connect_event["requestContext"]
    assert context["eventType"] == "CONNECT" and context["routeKey"] == "$connect"
    assert context["authorizer"]["principalId"] == "acct_1"
    assert context["authorizer"]["roles"] == "customer"
    assert context["apiId"] == "ws1test" and context["stage"] == "local"
    assert context["identity"]["sourceIp"] == "127.0.0.1"
    assert connect_event["headers"]["Authorization"] == "Bearer good"
    assert connect_event["multiValueQueryStringParameters"] == {"lang": ["pt"]}
    for key in (
        "requestId",
        "connectedAt",
        "requestTimeEpoch",
        "requestTime",
        "domainName",
        "messageDirection",
    ):
        assert key in context
    (message,) = gateway.functions.of("sendMessage")
    assert (
        message["requestContext"]["eventType"] == "MESSAGE"
        and message["requestContext"]["messageId"]
    )
    assert message["requestContext"]["connectionId"] == context["connectionId"]
    assert message["requestContext"]["authorizer"]["principalId"] == "acct_1"
    assert json.loads(message["body"]) == {"action": "sendMessage", "text": "oi"}
    assert message["isBase64Encoded"] is False
    assert wait_for(lambda: gateway.functions.of("$disconnect"))
    (gone,) = gateway.functions.of("$disconnect")
    assert gone["requestContext"]["eventType"] == "DISCONNECT"
    assert gone["requestContext"]["disconnectStatusCode"] == 1000
    assert gone["requestContext"]["connectionId"] == context["connectionId"]


def test_refused_handshakes(gateway):
    async def status_of(path, headers=None) -> int:
        try:
            async with connect(url(gateway, path), additional_headers=headers or {}):
                return 101
        except websockets.exceptions.InvalidStatus as refused:
            return refused.response.status_code

    assert asyncio.run(status_of("/ws1test/local")) == 401  # no token
    assert asyncio.run(status_of("/ws1test/local", {"Authorization": "Bearer forged"})) == 401
    assert asyncio.run(status_of("/ws1test/local?token=good")) == 101  # browsers: the query
    assert asyncio.run(status_of("/ws1test/other?token=good")) == 404  # no such stage
    assert asyncio.run(status_of("/nope/local?token=good")) == 404
    gateway.functions.connect_status = 403  # the $connect function says no
    assert asyncio.run(status_of("/ws1test/local?token=good")) == 403
    assert not gateway.connections


def test_the_management_api_posts_describes_and_closes(gateway):
    async def session():
        async with connect(url(gateway) + "?token=good") as client:
            assert wait_for(lambda: gateway.connections)
            (connection_id,) = list(gateway.connections)
            loop = asyncio.get_running_loop()
            status = await loop.run_in_executor(None, gateway.post, connection_id, b'{"type":"hi"}')
            pushed = await client.recv()
            described = gateway.describe(connection_id)
            closed = await loop.run_in_executor(None, gateway.close, connection_id)
            with pytest.raises(websockets.exceptions.ConnectionClosed):
                await client.recv()
            return connection_id, status, pushed, described, closed

    connection_id, status, pushed, described, closed = asyncio.run(session())
    assert (status, pushed, closed) == (200, '{"type":"hi"}', 204)
    assert described["identity"]["sourceIp"] == "127.0.0.1"
    assert described["connectedAt"].endswith("Z") and described["lastActiveAt"].endswith("Z")
    assert wait_for(lambda: connection_id not in gateway.connections)
    assert gateway.post(connection_id, b"late") == 410  # GoneException
    assert gateway.close(connection_id) == 410
    assert gateway.describe(connection_id) is None


def test_a_dropped_client_is_disconnected_with_1006(gateway):
    async def session():
        client = await connect(url(gateway) + "?token=good")
        assert wait_for(lambda: gateway.connections)
        client.transport.abort()  # the network goes: no close frame

    asyncio.run(session())
    assert wait_for(lambda: gateway.functions.of("$disconnect"), timeout=10)
    assert gateway.functions.of("$disconnect")[0]["requestContext"]["disconnectStatusCode"] == 1006
    assert not gateway.connections


def test_messages_over_128_kb_close_the_connection(gateway):
    async def session():
        async with connect(url(gateway) + "?token=good", max_size=None) as client:
            await client.send("x" * (ws.MAX_MESSAGE_BYTES + 1))
            with pytest.raises(websockets.exceptions.ConnectionClosed) as closed:
                await client.recv()
            return closed.value.rcvd.code

    assert asyncio.run(session()) == 1009
