"""CloudFormation fixes for the local cloud, applied when LocalStack starts.

LocalStack 2026.3.0's ``AWS::ApiGateway::Stage`` provider has no ``update``: every
``sam deploy`` after the first (SAM makes a new ``AWS::ApiGateway::Deployment`` whenever the
API changes) re-creates the stage, fails with ``ConflictException: Stage already exists`` and
rolls the stack back. We give it the update AWS performs: PATCH the existing stage to the new
deployment and settings.
"""

from __future__ import annotations

from localstack.runtime import hooks

_PATCHED_FIELDS = {
    "DeploymentId": "/deploymentId",
    "Description": "/description",
    "TracingEnabled": "/tracingEnabled",
    "CacheClusterEnabled": "/cacheClusterEnabled",
    "CacheClusterSize": "/cacheClusterSize",
}


def stage_patch_operations(previous: dict, desired: dict) -> list[dict]:
    """The UpdateStage patch operations that turn ``previous`` into ``desired`` (CloudFormation
    property dicts of an AWS::ApiGateway::Stage)."""
    operations = []
    for field, path in _PATCHED_FIELDS.items():
        if desired.get(field) != previous.get(field) and desired.get(field) is not None:
            value = desired[field]
            operations.append(
                {
                    "op": "replace",
                    "path": path,
                    "value": str(value).lower() if isinstance(value, bool) else str(value),
                }
            )
    old_vars, new_vars = previous.get("Variables") or {}, desired.get("Variables") or {}
    for key, value in new_vars.items():
        if old_vars.get(key) != value:
            operations.append({"op": "replace", "path": f"/variables/{key}", "value": value})
    for key in old_vars.keys() - new_vars.keys():
        operations.append({"op": "remove", "path": f"/variables/{key}"})
    return operations


def _update_stage(self, request):
    from localstack.services.cloudformation.resource_provider import (
        OperationStatus,
        ProgressEvent,
    )

    desired = request.desired_state
    previous = request.previous_state or {}
    desired.setdefault("StageName", previous.get("StageName"))
    operations = stage_patch_operations(previous, desired)
    if operations:
        request.aws_client_factory.apigateway.update_stage(
            restApiId=desired["RestApiId"],
            stageName=desired["StageName"],
            patchOperations=operations,
        )
    return ProgressEvent(
        status=OperationStatus.SUCCESS,
        resource_model=desired,
        custom_context=request.custom_context,
    )


@hooks.on_infra_start()
def patch_apigateway_stage_update() -> None:
    from localstack.services.apigateway.resource_providers.aws_apigateway_stage import (
        ApiGatewayStageProvider,
    )

    ApiGatewayStageProvider.update = _update_stage
