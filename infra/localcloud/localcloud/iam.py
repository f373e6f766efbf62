"""IAM policy evaluation the local cloud's gateways need: does an authorizer's policy let a
caller invoke an API method?"""

from __future__ import annotations

import fnmatch


def policy_allows(policy: dict, arn: str) -> bool:
    """True if an Allow statement covers ``arn`` and no Deny does (IAM wildcards ``*``/``?``)."""
    allowed = False
    statements = policy.get("Statement") or []
    for statement in statements if isinstance(statements, list) else [statements]:
        actions = statement.get("Action", [])
        actions = actions if isinstance(actions, list) else [actions]
        if not any(fnmatch.fnmatchcase("execute-api:Invoke", a) for a in actions):
            continue
        resources = statement.get("Resource", [])
        resources = resources if isinstance(resources, list) else [resources]
        if any(fnmatch.fnmatchcase(arn, r) for r in resources):
            if statement.get("Effect") == "Deny":
                return False
            allowed = allowed or statement.get("Effect") == "Allow"
    return allowed
