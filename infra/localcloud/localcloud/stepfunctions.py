"""Step Functions for the local cloud: a definition and its JSONPaths parsed once, not per use.

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
