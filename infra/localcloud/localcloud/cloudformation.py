"""CloudFormation for the local cloud: API Gateway REST APIs, stages and nested stacks that can
be updated, and providers for ``AWS::Events::Archive`` and custom resources (``Custom::*``).

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
import time

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


def _update_rest_api(self, request: ResourceRequest) -> ProgressEvent:
    """Update a RestApi defined by an inline ``Body`` (what SAM generates) as CloudFormation
    does: PUT the new definition over the API (``mode=overwrite``). LocalStack has no update
    here and reported success while the API kept its old routes."""
    desired = request.desired_state
    previous = request.previous_state or {}
    desired["RestApiId"] = previous["RestApiId"]
    desired["RootResourceId"] = previous.get("RootResourceId")
    apigw = request.aws_client_factory.apigateway
    body = desired.get("Body")
    if body is None:
        raise NotImplementedError("the local cloud updates RestApis defined by an inline Body")
    parameters = {"basepath": "ignore", **(desired.get("Parameters") or {})}
    apigw.put_rest_api(
        restApiId=desired["RestApiId"],
        mode=desired.get("Mode") or "overwrite",
        body=(json.dumps(body) if isinstance(body, dict) else body).encode(),
        parameters=parameters,
    )
    return ProgressEvent(
        status=OperationStatus.SUCCESS,
        resource_model=desired,
        custom_context=request.custom_context,
    )


@hooks.on_infra_start()
def patch_apigateway_stage_update() -> None:
    from localstack.services.apigateway.resource_providers.aws_apigateway_restapi import (
        ApiGatewayRestApiProvider,
    )
    from localstack.services.apigateway.resource_providers.aws_apigateway_stage import (
        ApiGatewayStageProvider,
    )

    ApiGatewayStageProvider.update = _update_stage
    ApiGatewayRestApiProvider.update = _update_rest_api
    ApiGatewayStageProvider.SCHEMA = {**ApiGatewayStageProvider.SCHEMA, "createOnlyProperties": []}


# --- AWS::Events::Rule update -----------------------------------------------------------------
# LocalStack's rule provider raises NotImplementedError on update and the engine still reported
# the stack updated: a changed EventPattern (a new detail-type for the search indexer) never
# reached the rule. The update puts the rule again under its existing name (PutRule and
# PutTargets are upserts) and removes the targets the template no longer has.
def _update_events_rule(self, request: ResourceRequest) -> ProgressEvent:
    from localstack.services.events.resource_providers.aws_events_rule import extract_rule_name

    previous = request.previous_state or {}
    desired = request.desired_state
    desired["Name"] = desired.get("Name") or extract_rule_name(previous["Id"])
    result = self.create(request)
    kept = {t["Id"] for t in desired.get("Targets") or []}
    gone = [t["Id"] for t in previous.get("Targets") or [] if t["Id"] not in kept]
    if gone:
        kwargs = {"Rule": desired["Name"], "Ids": gone}
        if desired.get("EventBusName"):
            kwargs["EventBusName"] = desired["EventBusName"]
        request.aws_client_factory.events.remove_targets(**kwargs)
    return result


@hooks.on_infra_start()
def patch_events_rule_update() -> None:
    from localstack.services.events.resource_providers.aws_events_rule import EventsRuleProvider

    EventsRuleProvider.update = _update_events_rule


# --- Lambda updates in a stack deploy -----------------------------------------------------------
# LocalStack's AWS::Lambda::Function provider updates a function and then waits with botocore's
# FunctionUpdatedV2 waiter, which polls every second (AWS's pace). The engine updates one
# resource at a time, so a deploy that touches every function (a new layer, a changed global
# variable) spent about 1.2 s on each of 33: 40 s of a 50 s stack update, mostly asleep. The
# local cloud's functions are updated in well under a second, so its waits poll every 0.1 s
# for as long in all (300 s).
#: Waiters of the local cloud's own Lambda service, polled faster: (delay s, attempts).
FAST_WAITERS = {"FunctionUpdatedV2": (0.1, 3000), "FunctionActiveV2": (0.1, 3000)}


def _waiting_faster(wait):
    def wait_for(self, **kwargs):
        pace = FAST_WAITERS.get(self.name)
        if pace and "WaiterConfig" not in kwargs:
            kwargs["WaiterConfig"] = {"Delay": pace[0], "MaxAttempts": pace[1]}
        return wait(self, **kwargs)

    return wait_for


@hooks.on_infra_start()
def patch_lambda_waiters() -> None:
    """Poll the Lambda waiters LocalStack uses in its own process every 0.1 s (the waiters
    of code outside the local cloud's process are left alone)."""
    from botocore.waiter import Waiter

    Waiter.wait = _waiting_faster(Waiter.wait)


# --- AWS::CloudFormation::Stack update ----------------------------------------------------------
# Every context is a nested stack (a SAM application). LocalStack's stack provider creates and
# deletes nested stacks but raises NotImplementedError on update, so a changed context could not
# be deployed in place. ``update`` does what CloudFormation does: UpdateStack on the nested
# stack with the new template and parameters, then waits for it like ``create`` does, and keeps
# the stack's outputs for the parent's ``!GetAtt <Context>.Outputs.<Name>``.
# Both create and update wait for the nested stack in 0.1 s polls: the engine's own loop sleeps
# a whole second between looks, a second lost on each of the 15 nested stacks.
_NESTED_UPDATE_STARTED = "nested_update_started"
_NESTED_CAPABILITIES = ["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"]


def _nested_parameters(model: dict) -> list[dict]:
    return [
        {"ParameterKey": k, "ParameterValue": str(v).lower() if isinstance(v, bool) else str(v)}
        for k, v in (model.get("Parameters") or {}).items()
    ]


def _settle(cfn, stack_id: str, timeout_s: float = 900) -> None:
    """Wait (0.1 s polls) until the stack ``stack_id`` is no longer in progress."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        status = cfn.describe_stacks(StackName=stack_id)["Stacks"][0]["StackStatus"]
        if not status.endswith("_IN_PROGRESS"):
            return
        time.sleep(0.1)


def _creating_settled(create):
    from localstack.services.cloudformation.resource_providers.aws_cloudformation_stack import (
        REPEATED_INVOCATION,
    )

    def settled(self, request: ResourceRequest) -> ProgressEvent:
        if request.custom_context.get(REPEATED_INVOCATION):
            _settle(request.aws_client_factory.cloudformation, request.desired_state["Id"])
        return create(self, request)

    return settled


def _update_nested_stack(self, request: ResourceRequest) -> ProgressEvent:
    model = request.desired_state
    previous = request.previous_state or {}
    model["Id"] = previous["Id"]
    model["StackName"] = previous.get("StackName") or model.get("StackName")
    cfn = request.aws_client_factory.cloudformation
    if not request.custom_context.get(_NESTED_UPDATE_STARTED):
        request.custom_context[_NESTED_UPDATE_STARTED] = True
        try:
            cfn.update_stack(
                StackName=model["Id"],
                TemplateURL=model["TemplateURL"],
                Parameters=_nested_parameters(model),
                Capabilities=_NESTED_CAPABILITIES,
            )
        except cfn.exceptions.ClientError as error:
            if "No updates are to be performed" not in str(error):
                raise
        return ProgressEvent(
            status=OperationStatus.IN_PROGRESS,
            resource_model=model,
            custom_context=request.custom_context,
        )
    _settle(cfn, model["Id"])
    stack = cfn.describe_stacks(StackName=model["Id"])["Stacks"][0]
    status = stack["StackStatus"]
    if status.endswith("_IN_PROGRESS"):
        return ProgressEvent(
            status=OperationStatus.IN_PROGRESS,
            resource_model=model,
            custom_context=request.custom_context,
        )
    if status in ("UPDATE_COMPLETE", "CREATE_COMPLETE"):
        model["Outputs"] = {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}
        return ProgressEvent(
            status=OperationStatus.SUCCESS,
            resource_model=model,
            custom_context=request.custom_context,
        )
    return ProgressEvent(
        status=OperationStatus.FAILED,
        resource_model=model,
        message=f"nested stack {model['StackName']}: {status} {stack.get('StackStatusReason', '')}",
        custom_context=request.custom_context,
    )


@hooks.on_infra_start()
def patch_nested_stack_update() -> None:
    from localstack.services.cloudformation.resource_providers.aws_cloudformation_stack import (
        CloudFormationStackProvider,
    )

    CloudFormationStackProvider.create = _creating_settled(CloudFormationStackProvider.create)
    CloudFormationStackProvider.update = _update_nested_stack


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


# --- Custom resources (Custom::*) -------------------------------------------------------------
# Custom resources are a LocalStack Pro feature; the engine looks every ``Custom::*`` type up
# as ``AWS::CloudFormation::CustomResource``. This provider does what CloudFormation does: it
# invokes the ServiceToken function with the custom resource event and a presigned S3 PUT URL
# as ``ResponseURL``, then reads the function's answer (Status, PhysicalResourceId, Data) there.
RESPONSES_BUCKET = "titan-localcloud-cfn-responses"


def _s3():
    """An S3 client on the gateway's own address, so presigned URLs work from the workers."""
    import boto3
    from botocore.config import Config
    from localstack import config

    return boto3.client(
        "s3",
        endpoint_url=f"http://127.0.0.1:{config.GATEWAY_LISTEN[0].port}",
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",  # noqa: S106 - LocalStack's dummy key
        config=Config(s3={"addressing_style": "path"}, signature_version="s3v4"),
    )


def invoke_custom_resource(request: ResourceRequest, request_type: str) -> dict:
    """Run one custom resource request through its function; the function's response."""
    import uuid

    s3 = _s3()
    with contextlib.suppress(s3.exceptions.BucketAlreadyOwnedByYou):
        s3.create_bucket(Bucket=RESPONSES_BUCKET)
    request_id = str(uuid.uuid4())
    properties = dict(request.desired_state)
    event = {
        "RequestType": request_type,
        "ServiceToken": properties["ServiceToken"],
        "ResponseURL": s3.generate_presigned_url(
            "put_object", Params={"Bucket": RESPONSES_BUCKET, "Key": request_id}, ExpiresIn=3600
        ),
        "StackId": request.stack_id,
        "RequestId": request_id,
        "ResourceType": request.resource_type,
        "LogicalResourceId": request.logical_resource_id,
        "ResourceProperties": properties,
    }
    if request_type != "Create":
        event["PhysicalResourceId"] = (request.previous_state or properties).get(
            "PhysicalResourceId"
        )
    if request_type == "Update":
        event["OldResourceProperties"] = request.previous_state or {}
    request.aws_client_factory.lambda_.invoke(
        FunctionName=properties["ServiceToken"], Payload=json.dumps(event).encode()
    )
    try:
        answer = s3.get_object(Bucket=RESPONSES_BUCKET, Key=request_id)["Body"].read()
    except s3.exceptions.NoSuchKey:
        return {"Status": "FAILED", "Reason": "the function did not answer at ResponseURL"}
    return json.loads(answer)


class CustomResourceProvider(ResourceProvider):
    TYPE = "AWS::CloudFormation::CustomResource"
    SCHEMA = {
        "typeName": "AWS::CloudFormation::CustomResource",
        "primaryIdentifier": ["/properties/PhysicalResourceId"],
        "required": ["ServiceToken"],
        "createOnlyProperties": ["/properties/ServiceToken"],
        "readOnlyProperties": ["/properties/PhysicalResourceId"],
        "properties": {},
    }

    def _run(self, request: ResourceRequest, request_type: str) -> ProgressEvent:
        response = invoke_custom_resource(request, request_type)
        model = request.desired_state
        if response.get("Status") != "SUCCESS":
            return ProgressEvent(
                status=OperationStatus.FAILED,
                resource_model=model,
                message=response.get("Reason", "custom resource failed"),
                custom_context=request.custom_context,
            )
        model.update(response.get("Data") or {})
        model["PhysicalResourceId"] = response.get("PhysicalResourceId") or request.request_token
        return _done(request, model)

    def create(self, request: ResourceRequest) -> ProgressEvent:
        return self._run(request, "Create")

    def update(self, request: ResourceRequest) -> ProgressEvent:
        return self._run(request, "Update")

    def delete(self, request: ResourceRequest) -> ProgressEvent:
        return self._run(request, "Delete")

    def read(self, request: ResourceRequest) -> ProgressEvent:
        raise NotImplementedError


class CustomResourceProviderPlugin(CloudFormationResourceProviderPlugin):
    name = "AWS::CloudFormation::CustomResource"

    def __init__(self):
        self.factory: type[ResourceProvider] | None = None

    def load(self):
        self.factory = CustomResourceProvider


# --- AWS::ApiGatewayV2::* (WebSocket APIs) ----------------------------------------------------
# LocalStack's free edition has no API Gateway v2. These providers keep a template's WebSocket
# API in the local cloud's own gateway (localcloud.websocket_api), which serves it.
class ApiGatewayV2Provider(ResourceProvider):
    TYPE = ""

    @property
    def id_property(self) -> str:
        from localcloud.websocket_api import RESOURCE_IDS

        return RESOURCE_IDS[self.TYPE]

    def _apply(self, request: ResourceRequest, previous: dict | None) -> ProgressEvent:
        from localcloud import websocket_api

        model = request.desired_state
        model[self.id_property] = (
            (previous or {}).get(self.id_property)
            or model.get(self.id_property)
            or websocket_api.new_resource_id()
        )
        try:
            websocket_api.apply_resource(self.TYPE, model, previous)
        except ValueError as error:
            return ProgressEvent(
                status=OperationStatus.FAILED,
                resource_model=model,
                message=str(error),
                custom_context=request.custom_context,
            )
        return _done(request, model)

    def create(self, request: ResourceRequest) -> ProgressEvent:
        return self._apply(request, None)

    def update(self, request: ResourceRequest) -> ProgressEvent:
        return self._apply(request, request.previous_state or {})

    def delete(self, request: ResourceRequest) -> ProgressEvent:
        from localcloud import websocket_api

        websocket_api.remove_resource(self.TYPE, request.desired_state)
        return _done(request, request.desired_state)

    def read(self, request: ResourceRequest) -> ProgressEvent:
        raise NotImplementedError


def _v2_plugin(type_name: str, id_property: str) -> type[CloudFormationResourceProviderPlugin]:
    provider = type(
        type_name.rsplit("::", 1)[1] + "V2Provider",
        (ApiGatewayV2Provider,),
        {
            "TYPE": type_name,
            "SCHEMA": {
                "typeName": type_name,
                "primaryIdentifier": [f"/properties/{id_property}"],
                "readOnlyProperties": [f"/properties/{id_property}"],
                "createOnlyProperties": ["/properties/ApiId"],
                "properties": {},
            },
        },
    )

    def __init__(self):
        self.factory = None

    def load(self):
        self.factory = provider

    return type(
        type_name.rsplit("::", 1)[1] + "V2ProviderPlugin",
        (CloudFormationResourceProviderPlugin,),
        {"name": type_name, "__init__": __init__, "load": load},
    )


ApiV2ProviderPlugin = _v2_plugin("AWS::ApiGatewayV2::Api", "ApiId")
RouteV2ProviderPlugin = _v2_plugin("AWS::ApiGatewayV2::Route", "RouteId")
RouteResponseV2ProviderPlugin = _v2_plugin("AWS::ApiGatewayV2::RouteResponse", "RouteResponseId")
IntegrationV2ProviderPlugin = _v2_plugin("AWS::ApiGatewayV2::Integration", "IntegrationId")
AuthorizerV2ProviderPlugin = _v2_plugin("AWS::ApiGatewayV2::Authorizer", "AuthorizerId")
StageV2ProviderPlugin = _v2_plugin("AWS::ApiGatewayV2::Stage", "StageName")
DeploymentV2ProviderPlugin = _v2_plugin("AWS::ApiGatewayV2::Deployment", "DeploymentId")
