"""DynamoDB in a process of its own: moto's backend behind a small HTTP server.

LocalStack serves every AWS API from one Python process, so one core at most. Under a flash
crowd of 50 clients that process was the bottleneck (86% of a core), and 39% of its time was
moto answering DynamoDB (py-spy, ``--gil``), with another part spent carrying those requests
through its HTTP stack. DynamoDB now runs in this process, started by the cloud beside
LocalStack, as LocalStack runs DynamoDB Local (a Java process) when Docker is at hand:

- The Lambda workers call it directly (``AWS_ENDPOINT_URL_DYNAMODB``, which botocore and so
  pynamodb read), so the functions' DynamoDB traffic never crosses LocalStack's process.
- Everything else keeps calling the cloud's one endpoint (port 4566): the ``titan`` provider
  (``localcloud.dynamodb``) forwards those requests here as they came and returns the answer
  as it is, so there is one set of tables.

Every request is served under one lock, with the corrections of ``localcloud.dynamodb``
installed here (transactions, queries, scans, item size, method names): conditional writes
and transactions stay linearizable. The account comes from the request's access key as in
LocalStack (``LSIA...`` keys of assumed roles carry theirs), the region from its signature.

Run as ``python -m localcloud.dynamodb_server PORT`` (``localcloud.dynamodb.start_server``);
the process ends when its parent does.
"""

from __future__ import annotations

import json
import os
import socket
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

#: Where the DynamoDB process listens (``TITAN_DYNAMODB_PORT``); the Lambda workers get it as
#: ``AWS_ENDPOINT_URL_DYNAMODB``.
PORT = int(os.environ.get("TITAN_DYNAMODB_PORT", "4569"))
ENDPOINT = f"http://127.0.0.1:{PORT}"
#: One lock for every request (see the module docstring).
REQUEST_LOCK = threading.Lock()


def serve(port: int) -> ThreadingHTTPServer:
    """Install the corrections and return a server bound to 127.0.0.1:``port`` (not started)."""
    from localstack.constants import DEFAULT_AWS_ACCOUNT_ID
    from localstack.http import Request
    from localstack.utils.aws.request_context import (
        extract_account_id_from_auth_header,
        extract_region_from_auth_header,
    )
    from moto.core.exceptions import RESTError
    from moto.dynamodb.models import dynamodb_backends
    from moto.dynamodb.responses import DynamoHandler

    from localcloud import dynamodb

    dynamodb.install_moto_corrections()
    base_url = f"http://127.0.0.1:{port}/"

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive: the SDKs reuse their connections

        def setup(self) -> None:
            super().setup()
            # Answers are written as headers then body: without this, Nagle's algorithm
            # and the client's delayed ACK held each answer for 40 ms.
            self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def do_POST(self) -> None:  # http.server's naming
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            headers = dict(self.headers.items())
            account = extract_account_id_from_auth_header(headers) or DEFAULT_AWS_ACCOUNT_ID
            headers["x-moto-account-id"] = account
            request = Request("POST", "/", headers=headers, body=body)
            operation = headers.get("X-Amz-Target", "").rpartition(".")[2]
            with REQUEST_LOCK:
                try:
                    status, answer_headers, content = DynamoHandler.dispatch(
                        request, base_url, request.headers
                    )
                except RESTError as error:
                    status, answer_headers = error.code, error.get_headers()
                    content = error.get_body()
                except Exception as error:  # a fault of moto's: DynamoDB's own 500, not a reset
                    status, answer_headers = 500, {"Content-Type": "application/x-amz-json-1.0"}
                    content = json.dumps(
                        {
                            "__type": "com.amazonaws.dynamodb.v20120810#InternalServerError",
                            "message": f"{type(error).__name__}: {error}",
                        }
                    )
                finally:
                    if operation in dynamodb.WRITES:
                        region = extract_region_from_auth_header(headers) or "us-east-1"
                        tables = dynamodb_backends[account][region].tables
                        dynamodb.after_write(tables, _written(operation, body))
            self._answer(status, answer_headers, content)

        def _answer(self, status: int, headers, content) -> None:
            data = content.encode() if isinstance(content, str) else (content or b"")
            self.send_response(int(status))
            for name, value in dict(headers or {}).items():
                if name.lower() not in ("content-length", "server", "date", "connection"):
                    self.send_header(name, str(value))
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *_args) -> None:  # one line per request cost the crowd CPU
            pass

    class Server(ThreadingHTTPServer):
        daemon_threads = True
        request_queue_size = 128  # a crowd's workers connect at once

    return Server(("127.0.0.1", port), Handler)


def _written(operation: str, body: bytes) -> dict | None:
    from localcloud import dynamodb

    try:
        request = json.loads(body) if body else {}
    except ValueError:
        return None
    return dynamodb.written_keys(operation, request if isinstance(request, dict) else {})


def main(argv: list[str]) -> None:
    from localcloud.worker import exit_with_parent  # the Lambda workers' own watch

    threading.Thread(target=exit_with_parent, args=(os.getppid(),), daemon=True).start()
    server = serve(int(argv[0]))
    print("ready", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main(sys.argv[1:])
