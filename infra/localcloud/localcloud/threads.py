"""Finished threads must give their stacks back.

On Python 3.13 (LocalStack 2026.3.0's) a thread's OS resources, its 8 MiB stack mapping
among them, are released when it is joined or when its ``Thread`` object is freed. LocalStack
keeps many finished threads referenced: every one it starts with ``start_thread`` stays in
``TMP_THREADS``, each Step Functions execution keeps its worker thread, each state its
own. Under ``make replay`` that is about 20 mappings a second; after about an hour the
process reaches ``vm.max_map_count`` (65,530) and every new thread fails with "can't start
new thread": the local cloud stops answering.

So every thread started in the process is remembered weakly, and a reaper joins the
finished ones every 10 seconds (a join of a finished thread returns at once and releases
it); ``TMP_THREADS`` also drops them.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
import weakref

from localstack.runtime import hooks
from localstack.utils.threads import TMP_THREADS

LOG = logging.getLogger(__name__)
INTERVAL_SECONDS = 10
_started: weakref.WeakSet = weakref.WeakSet()
_lock = threading.Lock()
_start = threading.Thread.start


def _remembered_start(self: threading.Thread) -> None:
    _start(self)
    with _lock:
        _started.add(self)


def reap() -> int:
    """Join the finished threads started since the patch; drop them from ``TMP_THREADS``.
    Returns how many."""
    with _lock:
        finished = [t for t in _started if not t.is_alive()]
        for thread in finished:
            _started.discard(thread)
    for thread in finished:
        thread.join(timeout=0)
        with contextlib.suppress(ValueError):  # not there, or LocalStack cleared the list
            TMP_THREADS.remove(thread)
    return len(finished)


def _run() -> None:
    while True:
        time.sleep(INTERVAL_SECONDS)
        try:
            reap()
        except Exception:  # the reaper must outlive any surprise
            LOG.exception("thread reaper")


@hooks.on_infra_start()
def reap_finished_threads() -> None:
    threading.Thread.start = _remembered_start
    threading.Thread(target=_run, daemon=True, name="titan-thread-reaper").start()
