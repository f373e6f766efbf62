"""EventBridge delivery to SQS targets that keeps up with bulk publishers.

LocalStack 2026.3.0 answers PutEvents at once, then matches rules and sends to each target on
a new thread per event, one SendMessage per event. A bulk catalog import publishes one event
per product, so delivering to the search index queue meant tens of thousands of threads and
HTTP requests from LocalStack to itself: its one Python process spent more CPU on them than
on the import, and the target client's connection pool overflowed ("Connection pool is full,
discarding connection"). Three changes, measured on the Olist import (docs/local-cloud.md):

1. Rule matching and delivery run on ``WORKERS`` long-lived threads (asynchronous as before:
   PutEvents still returns before delivery, whose order was never guaranteed).
2. Messages for standard SQS queues are gathered per queue and sent with SendMessageBatch,
   up to 10 at a time, after at most ``FLUSH_SECONDS``. FIFO targets (MessageGroupId) are
   sent one by one as before.
3. LocalStack parses and compiles every rule's pattern, and flattens the whole event, once
   per rule and event: in a bulk import that was a third of the cloud's CPU (py-spy). Rules
   are now decided first on the event's top-level string fields (``decide``): a rule that
   names one, such as ``source`` or ``detail-type``, by a list of plain strings is skipped
   when the event's value is not in it; a pattern made only of such lists and of
   ``exists: false`` (the event archive's) is decided outright. Every other rule goes to
   LocalStack's engine as before; what matches is unchanged (the guard checks both ways).
"""

from __future__ import annotations

import copy
import functools
import json
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


@functools.lru_cache(maxsize=1024)
def read_pattern(
    pattern: str | None,
) -> tuple[
    tuple[tuple[str, frozenset[str]], ...], tuple[tuple[str, frozenset[str] | None], ...] | None
]:
    """A rule's JSON event pattern read once, as (exact, plan):

    - exact: ((field, values), ...), the top-level fields it matches only by a list of plain
      strings, whatever else it asks;
    - plan: ((field, values or None for "must be absent"), ...) when it names top-level
      fields only, each by a list of plain strings or by ``[{"exists": false}]``; None for
      any other pattern (LocalStack's engine decides those).
    """
    try:
        parsed = json.loads(pattern) if pattern else None
    except ValueError:
        return (), None
    if not isinstance(parsed, dict):
        return (), None
    exact, plan = [], []
    for field, values in parsed.items():
        if not isinstance(values, list) or not values:
            plan = None
        elif all(isinstance(v, str) for v in values):
            exact.append((field, frozenset(values)))
            if plan is not None:
                plan.append((field, frozenset(values)))
        elif values == [{"exists": False}] and plan is not None:
            plan.append((field, None))
        else:
            plan = None
    return tuple(exact), (tuple(plan) if plan else None)


def decide(pattern: str | None, event: dict) -> bool | None:
    """Whether ``event`` (the formatted event) matches ``pattern``, when that can be told
    from its top-level string fields alone; None when LocalStack's engine must decide. Exact
    values match a string field equal to one of them; ``exists: false``, a field absent."""
    exact, plan = read_pattern(pattern)
    for field, values in exact:
        value = event.get(field)
        if isinstance(value, str) and value not in values:
            return False
    if plan is None:
        return None
    for field, values in plan:
        if values is None:
            if field in event:
                return False
        elif not isinstance(event.get(field), str):
            return None  # arrays and absent fields: the engine's rules
    return True


@hooks.on_infra_start()
def deliver_events_in_batches() -> None:
    from localstack.services.events import provider, target

    provider.start_worker_thread = _run_on_pool
    process_rules = provider.EventsProvider._process_rules
    if not getattr(process_rules, "_titan", False):

        def _process_rules(self, rule, region, account_id, event_formatted, trace_header):
            if isinstance(event_formatted, dict):
                matched = decide(rule.event_pattern, event_formatted)
                if matched is False:
                    return None
                if matched:  # deliver without matching again: the rule as if it had no pattern
                    rule = copy.copy(rule)
                    rule.event_pattern = None
            return process_rules(self, rule, region, account_id, event_formatted, trace_header)

        _process_rules._titan = True
        provider.EventsProvider._process_rules = _process_rules
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
