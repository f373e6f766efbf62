"""API Gateway WebSocket APIs (API Gateway v2) in the local cloud.

LocalStack's free edition has no API Gateway v2 and ``sam local`` has never run WebSocket APIs
(aws-sam-cli issue #896). This module gives the local cloud what a template's WebSocket API
needs, as AWS behaves (``docs/local-cloud.md`` lists what is kept and what is not):

- **CloudFormation providers** for ``AWS::ApiGatewayV2::Api`` (``ProtocolType: WEBSOCKET``),
  ``Route``, ``RouteResponse``, ``Integration`` (``AWS_PROXY`` to Lambda), ``Authorizer``
  (Lambda ``REQUEST``), ``Stage`` and ``Deployment``. They keep the API in this process
  (``APIS``); ``Ref`` gives the same ids AWS's does (ApiId, RouteId, ...).
- **The WebSocket endpoint**, ``ws://127.0.0.1:<TITAN_WEBSOCKET_PORT>/<apiId>/<stage>``, served
  by the ``websockets`` library on one asyncio loop (thousands of idle connections cost no
  thread). ``$connect`` runs the route's authorizer (a ``REQUEST`` event with the headers and
  query string; ``Unauthorized`` → 401, a policy without Allow → 403, any other failure → 500),
  then its integration (a status of 300 or more refuses the handshake with that status).
  Messages pick their route with the API's ``RouteSelectionExpression``
  (``$request.body.<path>``), else ``$default``, else the client is told ``Forbidden``. The
  integration's ``body`` goes back to the client when the route has a route response. Closing
  (by either side, or a dropped TCP connection) invokes ``$disconnect`` with
  ``disconnectStatusCode``. Events carry API Gateway's shape: ``requestContext`` with
  ``connectionId``, ``routeKey``, ``eventType``, ``messageId``, ``connectedAt``,
  ``identity`` and the authorizer's output, which every later route of the connection gets too.
- **The ``@connections`` management API** on the cloud's port, where the AWS SDKs send it when
  ``AWS_ENDPOINT_URL`` points at the cloud (LocalStack's own convention):
  ``POST /@connections/{id}`` (PostToConnection; 410 ``GoneException`` for a connection that is
  gone, 413 ``PayloadTooLargeException`` past 128 KB), ``GET`` (GetConnection) and ``DELETE``
  (DeleteConnection).
- AWS's quotas: 128 KB per message (larger ones close the connection with 1009), 10 minutes
  idle and 2 hours in all per connection.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import os
import secrets
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import parse_qsl, urlsplit

from localcloud.iam import policy_allows

#: Where the WebSocket endpoint listens (127.0.0.1 only).
PORT = int(os.environ.get("TITAN_WEBSOCKET_PORT", "4510"))
#: API Gateway's quotas for WebSocket APIs (docs: "Amazon API Gateway quotas").
MAX_MESSAGE_BYTES = 128 * 1024
IDLE_SECONDS = float(os.environ.get("TITAN_WEBSOCKET_IDLE_SECONDS", 600))
MAX_CONNECTION_SECONDS = 2 * 3600
INTEGRATION_TIMEOUT_SECONDS = 29
#: Lambda invocations in flight for all WebSocket APIs (each waits in a thread).
INVOKERS = 64
REGION = "us-east-1"


# --- the APIs, as CloudFormation made them ---------------------------------------------------
@dataclass
class Route:
    route_id: str
    route_key: str
    target: str | None = None  # "integrations/<id>"
    authorization_type: str = "NONE"
    authorizer_id: str | None = None
    two_way: bool = False  # a route response exists


@dataclass
class WebSocketApi:
    api_id: str
    name: str
    selection_expression: str
    routes: dict[str, Route] = field(default_factory=dict)  # by route id
    integrations: dict[str, str] = field(default_factory=dict)  # id -> function ARN
    authorizers: dict[str, dict] = field(default_factory=dict)  # id -> {function, sources}
    stages: set[str] = field(default_factory=set)

    def route(self, key: str) -> Route | None:
        return next((r for r in self.routes.values() if r.route_key == key), None)


APIS: dict[str, WebSocketApi] = {}
_apis_lock = threading.Lock()


def function_of(uri: str) -> str:
    """The function ARN in an API Gateway integration or authorizer URI
    (``arn:aws:apigateway:<region>:lambda:path/2015-03-31/functions/<arn>/invocations``), or
    ``uri`` itself when it is a function ARN or name."""
    if "/functions/" in uri:
        return uri.split("/functions/", 1)[1].rsplit("/invocations", 1)[0]
    return uri


def selected_route_key(expression: str, body: str) -> str | None:
    """The route key ``expression`` (``$request.body.<dotted path>``) selects from a message's
    ``body``, or None (not JSON, or no such field)."""
    if not expression.startswith("$request.body."):
        return None
    try:
        value = json.loads(body)
    except (ValueError, TypeError):
        return None
    for part in expression.removeprefix("$request.body.").split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value if isinstance(value, str) else None


def apply_resource(type_name: str, model: dict, previous: dict | None) -> None:
    """Apply one ``AWS::ApiGatewayV2::*`` resource's properties (``model``, with its id set) to
    ``APIS``. Raises ValueError for what the local cloud does not serve (an HTTP API, a
    non-Lambda integration) or a reference to an API or route it does not have."""
    with _apis_lock:
        _APPLY[type_name](model, previous)


def remove_resource(type_name: str, model: dict) -> None:
    """Forget one ``AWS::ApiGatewayV2::*`` resource (nothing if already gone)."""
    with _apis_lock, contextlib.suppress(ValueError):
        _REMOVE[type_name](model)


def _api(model: dict) -> WebSocketApi:
    api = APIS.get(model.get("ApiId", ""))
    if api is None:
        raise ValueError(f"no WebSocket API {model.get('ApiId')!r} in the local cloud")
    return api


def _apply_api(model: dict, previous: dict | None) -> None:
    if model.get("ProtocolType") != "WEBSOCKET":
        raise ValueError("the local cloud serves WebSocket APIs only (ProtocolType)")
    api = APIS.setdefault(model["ApiId"], WebSocketApi(model["ApiId"], "", ""))
    api.name = model.get("Name", "")
    api.selection_expression = model.get("RouteSelectionExpression", "$request.body.action")
    model["ApiEndpoint"] = f"ws://127.0.0.1:{PORT}/{model['ApiId']}"


def _apply_route(model: dict, previous: dict | None) -> None:
    api = _api(model)
    old = api.routes.get(model["RouteId"])
    api.routes[model["RouteId"]] = Route(
        route_id=model["RouteId"],
        route_key=model["RouteKey"],
        target=model.get("Target"),
        authorization_type=model.get("AuthorizationType", "NONE"),
        authorizer_id=model.get("AuthorizerId"),
        two_way=old.two_way if old else False,
    )


def _route_of(model: dict) -> Route:
    route = _api(model).routes.get(model.get("RouteId", ""))
    if route is None:
        raise ValueError(f"no route {model.get('RouteId')!r}")
    return route


def _apply_route_response(model: dict, previous: dict | None) -> None:
    _route_of(model).two_way = True


def _remove_route_response(model: dict) -> None:
    _route_of(model).two_way = False


def _apply_integration(model: dict, previous: dict | None) -> None:
    if model.get("IntegrationType") != "AWS_PROXY":
        raise ValueError("the local cloud runs AWS_PROXY (Lambda) integrations only")
    _api(model).integrations[model["IntegrationId"]] = function_of(model["IntegrationUri"])


def _apply_authorizer(model: dict, previous: dict | None) -> None:
    if model.get("AuthorizerType") != "REQUEST":
        raise ValueError("WebSocket APIs take Lambda REQUEST authorizers")
    _api(model).authorizers[model["AuthorizerId"]] = {
        "function": function_of(model["AuthorizerUri"]),
        "sources": list(model.get("IdentitySource") or []),
    }


def _apply_stage(model: dict, previous: dict | None) -> None:
    api = _api(model)
    if previous and previous.get("StageName") != model["StageName"]:
        api.stages.discard(previous.get("StageName"))
    api.stages.add(model["StageName"])


def _apply_deployment(model: dict, previous: dict | None) -> None:
    # A deployment snapshots the routes on AWS; here routes are live once they exist, so a
    # deployment only adds its stage, if it names one.
    if model.get("StageName"):
        _api(model).stages.add(model["StageName"])


#: Resource type -> the property its Ref gives (its id).
RESOURCE_IDS = {
    "AWS::ApiGatewayV2::Api": "ApiId",
    "AWS::ApiGatewayV2::Route": "RouteId",
    "AWS::ApiGatewayV2::RouteResponse": "RouteResponseId",
    "AWS::ApiGatewayV2::Integration": "IntegrationId",
    "AWS::ApiGatewayV2::Authorizer": "AuthorizerId",
    "AWS::ApiGatewayV2::Stage": "StageName",
    "AWS::ApiGatewayV2::Deployment": "DeploymentId",
}
_APPLY = {
    "AWS::ApiGatewayV2::Api": _apply_api,
    "AWS::ApiGatewayV2::Route": _apply_route,
    "AWS::ApiGatewayV2::RouteResponse": _apply_route_response,
    "AWS::ApiGatewayV2::Integration": _apply_integration,
    "AWS::ApiGatewayV2::Authorizer": _apply_authorizer,
    "AWS::ApiGatewayV2::Stage": _apply_stage,
    "AWS::ApiGatewayV2::Deployment": _apply_deployment,
}
_REMOVE = {
    "AWS::ApiGatewayV2::Api": lambda m: APIS.pop(m.get("ApiId", ""), None),
    "AWS::ApiGatewayV2::Route": lambda m: _api(m).routes.pop(m.get("RouteId", ""), None),
    "AWS::ApiGatewayV2::RouteResponse": _remove_route_response,
    "AWS::ApiGatewayV2::Integration": lambda m: _api(m).integrations.pop(
        m.get("IntegrationId", ""), None
    ),
    "AWS::ApiGatewayV2::Authorizer": lambda m: _api(m).authorizers.pop(
        m.get("AuthorizerId", ""), None
    ),
    "AWS::ApiGatewayV2::Stage": lambda m: _api(m).stages.discard(m.get("StageName")),
    "AWS::ApiGatewayV2::Deployment": lambda m: None,
}


def new_resource_id() -> str:
    """A 10-character lowercase id, as API Gateway's."""
    alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
    return "".join(secrets.choice(alphabet) for _ in range(10))


# --- connections -------------------------------------------------------------------------------
@dataclass
class Connection:
    connection_id: str
    api: WebSocketApi
    stage: str
    socket: object  # websockets' ServerConnection
    headers: dict[str, str]
    multi_headers: dict[str, list[str]]
    identity: dict[str, str]
    connected_at: float = field(default_factory=time.time)
    last_active: float = field(default_factory=time.time)
    authorizer: dict | None = None


def new_connection_id() -> str:
    """A connection id shaped like API Gateway's (16 characters, base64 of 11 random bytes;
    URL-safe so it needs no escaping in ``/@connections/{id}``)."""
    return base64.urlsafe_b64encode(os.urandom(11)).decode()


def _request_time(now: float) -> str:
    return datetime.fromtimestamp(now, UTC).strftime("%d/%b/%Y:%H:%M:%S +0000")


def request_context(connection: Connection, route_key: str, event_type: str, **extra) -> dict:
    """``requestContext`` of a WebSocket event, as API Gateway sends it to Lambda."""
    now = time.time()
    request_id = str(uuid.uuid4())
    context = {
        "routeKey": route_key,
        "eventType": event_type,
        "extendedRequestId": request_id,
        "requestTime": _request_time(now),
        "messageDirection": "IN",
        "stage": connection.stage,
        "connectedAt": int(connection.connected_at * 1000),
        "requestTimeEpoch": int(now * 1000),
        "identity": dict(connection.identity),
        "requestId": request_id,
        "domainName": f"127.0.0.1:{PORT}",
        "connectionId": connection.connection_id,
        "apiId": connection.api.api_id,
        **extra,
    }
    if connection.authorizer is not None:
        context["authorizer"] = dict(connection.authorizer)
    return context


def connect_event(connection: Connection, query: list[tuple[str, str]]) -> dict:
    event = {
        "headers": dict(connection.headers),
        "multiValueHeaders": {k: list(v) for k, v in connection.multi_headers.items()},
        "requestContext": request_context(connection, "$connect", "CONNECT"),
        "isBase64Encoded": False,
    }
    if query:
        event["queryStringParameters"] = dict(query)
        multi: dict[str, list[str]] = {}
        for key, value in query:
            multi.setdefault(key, []).append(value)
        event["multiValueQueryStringParameters"] = multi
    return event


def message_event(connection: Connection, route_key: str, body: str | bytes) -> dict:
    binary = isinstance(body, bytes)
    return {
        "requestContext": request_context(
            connection, route_key, "MESSAGE", messageId=base64.b64encode(os.urandom(6)).decode()
        ),
        "body": base64.b64encode(body).decode() if binary else body,
        "isBase64Encoded": binary,
    }


def disconnect_event(connection: Connection, code: int, reason: str) -> dict:
    return {
        "headers": dict(connection.headers),
        "multiValueHeaders": {k: list(v) for k, v in connection.multi_headers.items()},
        "requestContext": request_context(
            connection,
            "$disconnect",
            "DISCONNECT",
            disconnectStatusCode=code,
            disconnectReason=reason,
        ),
        "isBase64Encoded": False,
    }


def authorizer_event(connection: Connection, method_arn: str, event: dict) -> dict:
    """The ``REQUEST`` authorizer event of a ``$connect`` (its ``connect_event`` plus type
    and method ARN)."""
    return {
        "type": "REQUEST",
        "methodArn": method_arn,
        **{k: v for k, v in event.items() if k != "isBase64Encoded"},
        "stageVariables": {},
    }


class Refused(Exception):
    """A handshake refused with an HTTP status."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


# --- the gateway -------------------------------------------------------------------------------
class Gateway:
    """The WebSocket endpoint and the connections it holds."""

    def __init__(self, port: int = PORT, invoke=None):
        self.port = port
        self.connections: dict[str, Connection] = {}
        self.loop: asyncio.AbstractEventLoop | None = None
        self._pool = ThreadPoolExecutor(INVOKERS, thread_name_prefix="titan-websocket")
        self._invoke = invoke or _invoke_lambda
        self._started = threading.Event()

    # Lambda ------------------------------------------------------------------------------
    async def invoke(self, function: str, event: dict) -> tuple[dict | None, bool]:
        """(the function's answer, True when it failed)."""
        return await asyncio.get_running_loop().run_in_executor(
            self._pool, self._invoke, function, event
        )

    # handshake -----------------------------------------------------------------------------
    async def process_request(self, socket, request):
        from websockets.datastructures import Headers

        try:
            connection, query = self._connection(socket, request)
            await self._connect(connection, query)
        except Refused as refused:
            response = socket.respond(refused.status, json.dumps({"message": refused.message}))
            response.headers = Headers(
                [("Content-Type", "application/json"), ("Content-Length", str(len(response.body)))]
            )
            return response
        socket.titan_connection = connection
        return None

    def _connection(self, socket, request) -> tuple[Connection, list[tuple[str, str]]]:
        parts = urlsplit(request.path)
        segments = [s for s in parts.path.split("/") if s]
        api = APIS.get(segments[0]) if segments else None
        if api is None or len(segments) != 2 or segments[1] not in api.stages:
            raise Refused(404, "Not Found")
        multi: dict[str, list[str]] = {}
        for name, value in request.headers.raw_items():
            multi.setdefault(name, []).append(value)
        headers = {name: values[-1] for name, values in multi.items()}
        peer = socket.remote_address[0] if socket.remote_address else "127.0.0.1"
        connection = Connection(
            connection_id=new_connection_id(),
            api=api,
            stage=segments[1],
            socket=socket,
            headers=headers,
            multi_headers=multi,
            identity={"sourceIp": peer, "userAgent": headers.get("User-Agent", "")},
        )
        return connection, parse_qsl(parts.query, keep_blank_values=True)

    async def _connect(self, connection: Connection, query: list[tuple[str, str]]) -> None:
        route = connection.api.route("$connect")
        event = connect_event(connection, query)
        if route and route.authorization_type == "CUSTOM":
            await self._authorize(connection, route, event)
            event["requestContext"]["authorizer"] = dict(connection.authorizer or {})
        function = self._function(connection.api, route)
        if function is None:
            return
        answer, failed = await self.invoke(function, event)
        status = int((answer or {}).get("statusCode") or 200) if not failed else 502
        if failed or status >= 300:
            raise Refused(status if not failed else 500, "Forbidden" if status < 500 else "error")

    async def _authorize(self, connection: Connection, route: Route, event: dict) -> None:
        authorizer = connection.api.authorizers.get(route.authorizer_id or "")
        if authorizer is None:
            raise Refused(500, "Internal server error")
        for source in authorizer["sources"]:
            name = source.rsplit(".", 1)[-1]
            if source.startswith("route.request.header."):
                present = any(k.lower() == name.lower() for k in connection.headers)
            else:
                present = name in (event.get("queryStringParameters") or {})
            if not present:
                raise Refused(401, "Unauthorized")
        arn = (
            f"arn:aws:execute-api:{REGION}:000000000000:{connection.api.api_id}/"
            f"{connection.stage}/$connect"
        )
        began = time.monotonic()
        answer, failed = await self.invoke(
            authorizer["function"], authorizer_event(connection, arn, event)
        )
        if failed:
            if (answer or {}).get("errorMessage") == "Unauthorized":
                raise Refused(401, "Unauthorized")
            raise Refused(500, "Internal server error")
        if not policy_allows((answer or {}).get("policyDocument") or {}, arn):
            raise Refused(403, "Forbidden")
        connection.authorizer = {
            **{k: v for k, v in ((answer or {}).get("context") or {}).items()},
            "principalId": (answer or {}).get("principalId"),
            "integrationLatency": int((time.monotonic() - began) * 1000),
        }

    @staticmethod
    def _function(api: WebSocketApi, route: Route | None) -> str | None:
        if route is None or not route.target:
            return None
        return api.integrations.get(route.target.removeprefix("integrations/"))

    # the connection's life --------------------------------------------------------------------
    async def handle(self, socket) -> None:
        from websockets.exceptions import ConnectionClosed

        connection: Connection = socket.titan_connection
        self.connections[connection.connection_id] = connection
        try:
            async for message in socket:
                connection.last_active = time.time()
                await self._message(connection, message)
        except ConnectionClosed:
            pass
        finally:
            self.connections.pop(connection.connection_id, None)
            code = socket.close_code if socket.close_code is not None else 1006
            reason = socket.close_reason or ""
            route = connection.api.route("$disconnect")
            function = self._function(connection.api, route)
            if function:
                await self.invoke(function, disconnect_event(connection, code, reason))

    async def _message(self, connection: Connection, message: str | bytes) -> None:
        api = connection.api
        key = selected_route_key(
            api.selection_expression, message if isinstance(message, str) else ""
        )
        route = api.route(key) if key else None
        route = route or api.route("$default")
        function = self._function(api, route)
        if route is None or function is None:
            await self._tell(connection, "Forbidden")
            return
        answer, failed = await self.invoke(
            function, message_event(connection, route.route_key, message)
        )
        if failed:
            await self._tell(connection, "Internal server error")
        elif route.two_way and isinstance(answer, dict) and answer.get("body") is not None:
            await connection.socket.send(answer["body"])

    @staticmethod
    async def _tell(connection: Connection, message: str) -> None:
        await connection.socket.send(
            json.dumps(
                {
                    "message": message,
                    "connectionId": connection.connection_id,
                    "requestId": str(uuid.uuid4()),
                }
            )
        )

    async def _sweep(self) -> None:
        """Close connections idle for ``IDLE_SECONDS`` or open for ``MAX_CONNECTION_SECONDS``
        (API Gateway closes them with 1001, going away)."""
        while True:
            await asyncio.sleep(min(30.0, IDLE_SECONDS / 2))
            now = time.time()
            for connection in list(self.connections.values()):
                idle = now - connection.last_active > IDLE_SECONDS
                old = now - connection.connected_at > MAX_CONNECTION_SECONDS
                if idle or old:
                    await connection.socket.close(1001, "Going away")

    # the management API (called from the cloud's HTTP threads) --------------------------------
    def post(self, connection_id: str, data: bytes) -> int:
        """PostToConnection: 200, or 410 when the connection is gone."""
        from websockets.exceptions import ConnectionClosed

        connection = self.connections.get(connection_id)
        if connection is None or self.loop is None:
            return 410
        try:
            payload: str | bytes = data.decode()
        except UnicodeDecodeError:
            payload = data
        future = asyncio.run_coroutine_threadsafe(connection.socket.send(payload), self.loop)
        try:
            future.result(timeout=10)
        except ConnectionClosed:
            return 410
        connection.last_active = time.time()
        return 200

    def close(self, connection_id: str) -> int:
        """DeleteConnection: 204, or 410 when the connection is gone."""
        connection = self.connections.get(connection_id)
        if connection is None or self.loop is None:
            return 410
        asyncio.run_coroutine_threadsafe(connection.socket.close(1000), self.loop).result(10)
        return 204

    def describe(self, connection_id: str) -> dict | None:
        """GetConnection's answer, or None when the connection is gone."""
        connection = self.connections.get(connection_id)
        if connection is None:
            return None

        def iso(epoch: float) -> str:
            return datetime.fromtimestamp(epoch, UTC).isoformat(timespec="milliseconds")

        return {
            "connectedAt": iso(connection.connected_at).replace("+00:00", "Z"),
            "identity": dict(connection.identity),
            "lastActiveAt": iso(connection.last_active).replace("+00:00", "Z"),
        }

    # serving ---------------------------------------------------------------------------------
    def start(self) -> None:
        """Serve on 127.0.0.1:``port`` from a daemon thread; returns once listening."""
        threading.Thread(target=self._run, name="titan-websocket-api", daemon=True).start()
        self._started.wait(10)

    def _run(self) -> None:
        asyncio.run(self._serve())

    async def _serve(self) -> None:
        from websockets.asyncio.server import serve

        self.loop = asyncio.get_running_loop()
        async with serve(
            self.handle,
            "127.0.0.1",
            self.port,
            process_request=self.process_request,
            max_size=MAX_MESSAGE_BYTES,
            server_header=None,
            # The handshake includes the authorizer's and $connect's invocations, which may
            # queue for a Lambda environment: API Gateway's integration timeout, not 10 s.
            open_timeout=INTEGRATION_TIMEOUT_SECONDS,
        ):
            self._started.set()
            await self._sweep()


def _invoke_lambda(function: str, event: dict) -> tuple[dict | None, bool]:
    from localstack.aws.connect import connect_to

    try:
        answer = connect_to(region_name=REGION).lambda_.invoke(
            FunctionName=function, Payload=json.dumps(event).encode()
        )
    except Exception:  # a throttle or a missing function: API Gateway's 500
        return None, True
    payload = answer["Payload"].read()
    try:
        parsed = json.loads(payload or b"null")
    except ValueError:
        parsed = None
    return parsed, bool(answer.get("FunctionError"))


#: The gateway the cloud runs (started by ``websocket_hooks``).
GATEWAY: Gateway | None = None
