"""Step Functions for the local cloud: a definition and its JSONPaths parsed once, not per use,
and synchronous Express executions forgotten once they have answered.

1. Each execution parsed its state machine's definition again with ANTLR (about 10 ms per
   checkout saga on this machine, more under load). The parsed program is a tree of
   components whose per-execution data lives in the execution's ``Environment``, so the
   program of a definition string is now parsed once and shared by its executions (the
   TestState API keeps its own parse: it patches the components it mocks).
2. LocalStack's ASL interpreter evaluates every JSONPath (a Task's ``Parameters`` bindings, its
``ResultPath``, ``InputPath``...) by calling ``jsonpath_ng``'s ``parse``, and ``jsonpath_ng``
builds a new PLY parser, LALR tables included, on every call. Profiled with py-spy during
checkouts, that table generation was a quarter of the cloud's CPU, and most of the "130 ms
per state" a checkout's saga paid (docs/benchmarks.md). A parsed expression is a tree of
   immutable path objects, reusable for any document, so each distinct expression string is
   now parsed once (an LRU cache per function the interpreter imports).
3. LocalStack keeps every ``StartSyncExecution``'s execution object (its input, output,
   event history and a clone of the state machine) in its store for as long as the cloud
   runs. AWS keeps no record of an Express execution: it cannot be listed or described
   (LocalStack refuses both too), only logged. In a 30-minute soak with 15,000 checkouts
   LocalStack's memory grew by 338 MB. A synchronous execution is now dropped from the store
   when its answer is returned.

What an execution evaluates to is unchanged (the guard compares).
"""

from __future__ import annotations

import functools

from localstack.runtime import hooks

#: Distinct JSONPath strings kept parsed (a template has a few hundred).
CACHED_EXPRESSIONS = 4096
#: State machine definitions kept parsed (each deploy of a changed machine adds one).
CACHED_DEFINITIONS = 64


def cached(parse):
    """``parse`` memoised by its expression string (idempotent: a cached one is returned)."""
    if getattr(parse, "_titan", False):
        return parse
    memo = functools.lru_cache(maxsize=CACHED_EXPRESSIONS)(parse)
    memo._titan = True
    return memo


@hooks.on_infra_start()
def parse_once() -> None:
    from localstack.services.stepfunctions.asl.component.common.path import result_path
    from localstack.services.stepfunctions.asl.parse.asl_parser import AmazonStateLanguageParser
    from localstack.services.stepfunctions.asl.utils import json_path
    from localstack.services.stepfunctions.backend.execution_worker import ExecutionWorker

    json_path.parse = cached(json_path.parse)
    result_path.parse = cached(result_path.parse)
    if not getattr(ExecutionWorker._get_evaluation_entrypoint, "_titan", False):
        program = functools.lru_cache(maxsize=CACHED_DEFINITIONS)(
            lambda definition: AmazonStateLanguageParser.parse(definition)[0]
        )

        def entrypoint(self):
            return program(self._evaluation_details.state_machine_details.definition)

        entrypoint._titan = True
        ExecutionWorker._get_evaluation_entrypoint = entrypoint


def forget_answered_sync_executions() -> None:
    """Point 3 of the module docstring. Idempotent."""
    from localstack.services.stepfunctions.provider import StepFunctionsProvider

    original = StepFunctionsProvider.start_sync_execution
    if getattr(original, "_titan", False):
        return

    @functools.wraps(original)
    def start_sync_execution(self, context, *args, **kwargs):
        answer = original(self, context, *args, **kwargs)
        self.get_store(context).executions.pop(answer["executionArn"], None)
        return answer

    start_sync_execution._titan = True
    StepFunctionsProvider.start_sync_execution = start_sync_execution


@hooks.on_infra_start()
def forget_sync_executions() -> None:
    forget_answered_sync_executions()
