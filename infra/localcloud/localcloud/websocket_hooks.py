"""The local cloud's hooks for WebSocket APIs: start the gateway (``websocket_api``) with
LocalStack, and serve the ``@connections`` management API on the cloud's port, where the AWS
SDKs send it when ``AWS_ENDPOINT_URL`` points at the cloud."""

from __future__ import annotations

import json
from urllib.parse import unquote

from localstack.http import Response
from localstack.runtime import hooks

from localcloud import websocket_api


def _management_response(status: int, body: dict | None = None, error: str | None = None):
    headers = {"Content-Type": "application/json"}
    if error:
        headers["x-amzn-ErrorType"] = error
    return Response(json.dumps(body) if body is not None else "", status=status, headers=headers)


def _connections_endpoint(request, connection_id: str):
    # The router matches the raw path: the SDKs escape the id's "=" (%3D).
    connection_id = unquote(connection_id)
    gateway = websocket_api.GATEWAY
    if gateway is None:
        return _management_response(410, {"message": None}, "GoneException")
    if request.method == "POST":
        data = request.get_data()
        if len(data) > websocket_api.MAX_MESSAGE_BYTES:
            return _management_response(
                413, {"message": "Message too long"}, "PayloadTooLargeException"
            )
        status = gateway.post(connection_id, data)
        return _management_response(
            status,
            None if status == 200 else {"message": None},
            None if status == 200 else "GoneException",
        )
    if request.method == "DELETE":
        status = gateway.close(connection_id)
        if status == 204:
            return _management_response(204)
        return _management_response(410, {"message": None}, "GoneException")
    described = gateway.describe(connection_id)
    if described is None:
        return _management_response(410, {"message": None}, "GoneException")
    return _management_response(200, described)


@hooks.on_infra_start()
def serve_websocket_apis() -> None:
    """Start the WebSocket endpoint and route ``/@connections/{id}`` to it."""
    from localstack.services.edge import ROUTER

    if websocket_api.GATEWAY is not None:
        return
    websocket_api.GATEWAY = websocket_api.Gateway()
    websocket_api.GATEWAY.start()
    ROUTER.add(
        "/@connections/<connection_id>",
        endpoint=_connections_endpoint,
        methods=["POST", "GET", "DELETE"],
    )
