"""SQS event source mappings that poll with several batches in flight, as Lambda's do.

LocalStack runs one poller thread per event source mapping: receive a batch, invoke the
function, wait for it, delete, receive again. Lambda's SQS pollers start with five batches
in flight and scale up to the mapping's ``ScalingConfig.MaximumConcurrency`` (AWS docs,
"Scaling behavior for Amazon SQS event source mappings"). With one batch at a time, the
inventory worker opened the stock of the Olist catalog's 9,503 offers in 78 s on an idle
machine: each offer waits on a DynamoDB round trip and nothing overlapped.

Here a standard queue's mapping polls with ``min(MaximumConcurrency or 5, the function's
local concurrency)`` batches in flight: LocalStack's own loop plus helper threads that call
the same poller. FIFO queues keep one, which keeps each message group in order.
"""

from __future__ import annotations

import logging
import threading

from localstack.runtime import hooks

LOG = logging.getLogger(__name__)
#: Batches a standard queue's mapping keeps in flight when its template sets no maximum.
LAMBDA_DEFAULT_BATCHES = 5
EMPTY_BACKOFF_S = (1.0, 10.0)  # first and longest wait after an empty receive
ERROR_BACKOFF_S = 2.0


def batches_in_flight(esm_config: dict, per_function: int, fifo: bool) -> int:
    """How many batches a mapping polls at once (see the module docstring)."""
    if fifo:
        return 1
    maximum = (esm_config.get("ScalingConfig") or {}).get("MaximumConcurrency")
    return max(1, min(maximum or LAMBDA_DEFAULT_BATCHES, per_function))


def _poll_alongside(worker, empty_exception: type) -> None:
    """A helper: poll ``worker``'s queue until the mapping stops, backing off when empty."""
    wait = EMPTY_BACKOFF_S[0]
    while not worker._shutdown_event.is_set():
        try:
            worker.poller.poll_events()
            wait = EMPTY_BACKOFF_S[0]
            continue
        except empty_exception:
            pause, wait = wait, min(wait * 2, EMPTY_BACKOFF_S[1])
        except Exception:  # LocalStack's own loop logs the same failures
            LOG.debug("helper poll of %s failed", worker.uuid, exc_info=True)
            pause = ERROR_BACKOFF_S
        worker._shutdown_event.wait(pause)


@hooks.on_infra_start()
def poll_sqs_with_batches_in_flight() -> None:
    from localstack.services.lambda_.event_source_mapping.esm_worker import EsmWorker
    from localstack.services.lambda_.event_source_mapping.pollers.poller import (
        EmptyPollResultsException,
    )
    from localstack.services.lambda_.event_source_mapping.pollers.sqs_poller import SqsPoller

    from localcloud.limits import limiter

    original = EsmWorker.poller_loop
    if getattr(original, "_titan", False):
        return

    def poller_loop(self, *args, **kwargs):
        if isinstance(self.poller, SqsPoller):
            try:
                fifo = self.poller.is_fifo_queue
            except Exception:  # the queue is gone or unreadable: LocalStack's loop reports it
                fifo = True
            batches = batches_in_flight(self.esm_config, limiter().per_function, fifo)
            for n in range(batches - 1):
                threading.Thread(
                    target=_poll_alongside,
                    args=(self, EmptyPollResultsException),
                    daemon=True,
                    name=f"titan-esm-{self.uuid[:8]}-{n}",
                ).start()
        return original(self, *args, **kwargs)

    poller_loop._titan = True
    EsmWorker.poller_loop = poller_loop
