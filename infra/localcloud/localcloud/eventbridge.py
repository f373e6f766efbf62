"""EventBridge delivery to SQS targets that keeps up with bulk publishers.

LocalStack 2026.3.0 answers PutEvents at once, then matches rules and sends to each target on
a new thread per event, one SendMessage per event. A bulk catalog import publishes one event
per product, so delivering to the search index queue meant tens of thousands of threads and
HTTP requests from LocalStack to itself: its one Python process spent more CPU on them than
on the import, and the target client's connection pool overflowed ("Connection pool is full,
discarding connection"). Two changes, measured on the Olist import (docs/local-cloud.md):

1. Rule matching and delivery run on ``WORKERS`` long-lived threads (asynchronous as before:
   PutEvents still returns before delivery, whose order was never guaranteed).
2. Messages for standard SQS queues are gathered per queue and sent with SendMessageBatch,
   up to 10 at a time, after at most ``FLUSH_SECONDS``. FIFO targets (MessageGroupId) are
   sent one by one as before.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor

from localstack.runtime import hooks

LOG = logging.getLogger(__name__)
WORKERS = 4
BATCH = 10  # SendMessageBatch's limit
FLUSH_SECONDS = 0.05
_pool: ThreadPoolExecutor | None = None


def _run_on_pool(method, params=None, name=None):
    global _pool
    _pool = _pool or ThreadPoolExecutor(WORKERS, thread_name_prefix="titan-events-rules")
    return _pool.submit(method, params)


class SqsBatcher:
    """Collects (client, queue URL, body) and sends them in SendMessageBatch calls."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: dict[str, list[str]] = defaultdict(list)
        self._clients: dict[str, object] = {}
        self._flusher = threading.Thread(target=self._run, name="titan-sqs-batcher", daemon=True)
        self._flusher.start()

    def add(self, client, queue_url: str, body: str) -> None:
        with self._lock:
            self._clients[queue_url] = client
            self._pending[queue_url].append(body)
            full = len(self._pending[queue_url]) >= BATCH
            batch = self._take(queue_url) if full else None
        if batch:
            self._send(queue_url, batch)

    def _take(self, queue_url: str) -> list[str]:
        batch, self._pending[queue_url] = (
            self._pending[queue_url][:BATCH],
            self._pending[queue_url][BATCH:],
        )
        return batch

    def _run(self) -> None:
        while True:
            time.sleep(FLUSH_SECONDS)
            with self._lock:
                ready = [(url, self._take(url)) for url, bodies in self._pending.items() if bodies]
            for queue_url, batch in ready:
                self._send(queue_url, batch)

    def _send(self, queue_url: str, bodies: list[str]) -> None:
        entries = [{"Id": str(i), "MessageBody": body} for i, body in enumerate(bodies)]
        try:
            result = self._clients[queue_url].send_message_batch(
                QueueUrl=queue_url, Entries=entries
            )
            if result.get("Failed"):
                LOG.warning("SQS target refused %d event(s): %s", len(result["Failed"]), result)
        except Exception:  # delivery is best effort, as EventBridge's own retries are
            LOG.exception("SQS target delivery to %s failed", queue_url)


_batcher: SqsBatcher | None = None


@hooks.on_infra_start()
def deliver_events_in_batches() -> None:
    from localstack.services.events import provider, target

    provider.start_worker_thread = _run_on_pool
    original = target.SqsTargetSender.send_event
    if getattr(original, "_titan", False):
        return

    def send_event(self, event, trace_header):
        global _batcher
        if self.target.get("SqsParameters", {}).get("MessageGroupId"):
            return original(self, event, trace_header)
        _batcher = _batcher or SqsBatcher()
        _batcher.add(
            self.client, target.sqs_queue_url_for_arn(self.target["Arn"]), target.to_json_str(event)
        )

    send_event._titan = True
    target.SqsTargetSender.send_event = send_event
