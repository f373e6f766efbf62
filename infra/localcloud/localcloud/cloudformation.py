"""CloudFormation fixes for the local cloud: an API Gateway stage that can be updated, and
a provider for ``AWS::Events::Archive``.

LocalStack 2026.3.0 cannot update an ``AWS::ApiGateway::Stage``. When the API changes, SAM
emits a new ``AWS::ApiGateway::Deployment`` and a stage pointing at it. LocalStack's engine
then (1) treats ``RestApiId: !Ref Api`` as changed because the RestApi resource was modified
(its id is not), so it plans a replacement, and (2) has no ``update`` in the Stage provider.
The replacement creates a stage that already exists (``ConflictException``), and the stack
rolls back. AWS updates the stage in place.

The fix, applied when LocalStack starts: the engine sees no create-only properties on a Stage,
and the provider's ``update`` PATCHes the existing stage to the new deployment and settings,
as AWS does. Should the API id or stage name really change, ``update`` creates the new stage
and deletes the old one, which is what a replacement does.
"""

from __future__ import annotations

import contextlib
import json

from localstack.runtime import hooks
from localstack.services.cloudformation.resource_provider import (
    CloudFormationResourceProviderPlugin,
    OperationStatus,
    ProgressEvent,
    ResourceProvider,
    ResourceRequest,
)

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


def _update_stage(self, request: ResourceRequest) -> ProgressEvent:
    desired = request.desired_state
    previous = request.previous_state or {}
    desired.setdefault("StageName", previous.get("StageName", "default"))
    moved = (desired["RestApiId"], desired["StageName"]) != (
        previous.get("RestApiId"),
        previous.get("StageName"),
    )
    if moved and previous.get("RestApiId"):
        result = self.create(request)
        apigw = request.aws_client_factory.apigateway
        with contextlib.suppress(apigw.exceptions.NotFoundException):
            apigw.delete_stage(restApiId=previous["RestApiId"], stageName=previous["StageName"])
        return result
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
    ApiGatewayStageProvider.SCHEMA = {**ApiGatewayStageProvider.SCHEMA, "createOnlyProperties": []}


# --- AWS::Events::Archive ---------------------------------------------------------------------
# LocalStack community has the EventBridge archive API but no CloudFormation provider for it,
# so the template's EventArchive was skipped (physical id "unknown"). This provider maps the
# resource onto that API. Registered under localstack.cloudformation.resource_providers.
def _archive_settings(model: dict) -> dict:
    settings = {"RetentionDays": int(model.get("RetentionDays") or 0)}
    if model.get("Description"):
        settings["Description"] = model["Description"]
    if model.get("EventPattern"):
        pattern = model["EventPattern"]
        settings["EventPattern"] = pattern if isinstance(pattern, str) else json.dumps(pattern)
    return settings


def _done(request: ResourceRequest, model: dict) -> ProgressEvent:
    return ProgressEvent(
        status=OperationStatus.SUCCESS, resource_model=model, custom_context=request.custom_context
    )


class EventsArchiveProvider(ResourceProvider):
    TYPE = "AWS::Events::Archive"
    SCHEMA = {
        "typeName": "AWS::Events::Archive",
        "primaryIdentifier": ["/properties/ArchiveName"],
        "required": ["SourceArn"],
        "createOnlyProperties": ["/properties/ArchiveName", "/properties/SourceArn"],
        "readOnlyProperties": ["/properties/Arn"],
        "properties": {},
    }

    def create(self, request: ResourceRequest) -> ProgressEvent:
        model = request.desired_state
        default_name = f"{request.stack_name}-{request.logical_resource_id}"[:48]
        model.setdefault("ArchiveName", default_name)
        response = request.aws_client_factory.events.create_archive(
            ArchiveName=model["ArchiveName"],
            EventSourceArn=model["SourceArn"],
            **_archive_settings(model),
        )
        model["Arn"] = response["ArchiveArn"]
        return _done(request, model)

    def update(self, request: ResourceRequest) -> ProgressEvent:
        model = request.desired_state
        model["ArchiveName"] = request.previous_state["ArchiveName"]
        model["Arn"] = request.previous_state.get("Arn")
        request.aws_client_factory.events.update_archive(
            ArchiveName=model["ArchiveName"], **_archive_settings(model)
        )
        return _done(request, model)

    def delete(self, request: ResourceRequest) -> ProgressEvent:
        events = request.aws_client_factory.events
        with contextlib.suppress(events.exceptions.ResourceNotFoundException):
            events.delete_archive(ArchiveName=request.desired_state["ArchiveName"])
        return _done(request, request.desired_state)

    def read(self, request: ResourceRequest) -> ProgressEvent:
        raise NotImplementedError


class EventsArchiveProviderPlugin(CloudFormationResourceProviderPlugin):
    name = "AWS::Events::Archive"

    def __init__(self):
        self.factory: type[ResourceProvider] | None = None

    def load(self):
        self.factory = EventsArchiveProvider
