"""CloudFormation custom resource ``Custom::IdentityBootstrap``: runs at every deploy.

- Creates the token signing key in the ``SigningKeysSecret`` if it has none, or adds a new
  active key when the ``KeyGeneration`` property changes (rotation; older keys keep verifying).
- Creates the bootstrap admin account (``AdminEmail``) with a generated password stored in
  ``AdminCredentialsSecret``, if that secret holds no credentials yet.
- Makes ``MailFrom`` a verified SES identity.

Deleting the resource deletes nothing (secrets and the table have their own life cycle).
Answers CloudFormation through the presigned ``ResponseURL``.
"""

from __future__ import annotations

import json
import secrets
import urllib.request

import boto3

from identity import service, tokens
from titan.observability import logger


def _secret(secret_id: str) -> dict:
    value = boto3.client("secretsmanager").get_secret_value(SecretId=secret_id)
    return json.loads(value.get("SecretString") or "{}")


def _put(secret_id: str, document: dict) -> None:
    boto3.client("secretsmanager").put_secret_value(
        SecretId=secret_id, SecretString=json.dumps(document)
    )


def ensure_signing_key(secret_id: str, generation: str) -> str:
    """The active key id, after creating or rotating the key as ``generation`` asks."""
    document = _secret(secret_id)
    keys = document.get("keys") or []
    if keys and document.get("generation") == generation:
        return document["active"]
    key = tokens.new_signing_key()
    keys.append(key)
    _put(secret_id, {"active": key["kid"], "generation": generation, "keys": keys[-3:]})
    return key["kid"]


def ensure_admin(secret_id: str, email: str) -> str:
    """The bootstrap admin's account id, creating the account the first time."""
    document = _secret(secret_id)
    if document.get("accountId"):
        return document["accountId"]
    password = secrets.token_urlsafe(18)
    account = service.create_account(
        email, password, "Administrator", roles={"admin", "staff", "customer"}, verified=True
    )
    _put(secret_id, {"email": account.email, "password": password, "accountId": account.account_id})
    return account.account_id


def _respond(event: dict, status: str, data: dict, reason: str = "") -> None:
    body = json.dumps(
        {
            "Status": status,
            "Reason": reason[:500] or "see the function's logs",
            "PhysicalResourceId": event.get("PhysicalResourceId") or "identity-bootstrap",
            "StackId": event["StackId"],
            "RequestId": event["RequestId"],
            "LogicalResourceId": event["LogicalResourceId"],
            "Data": data,
        }
    ).encode()
    request = urllib.request.Request(  # noqa: S310 - CloudFormation's presigned https URL
        event["ResponseURL"], data=body, method="PUT", headers={"Content-Type": ""}
    )
    with urllib.request.urlopen(request, timeout=30):  # noqa: S310 - CloudFormation's URL
        pass


@logger.inject_lambda_context
def handler(event: dict, _context) -> None:
    properties = event.get("ResourceProperties", {})
    try:
        data = {}
        if event["RequestType"] in ("Create", "Update"):
            data["ActiveKeyId"] = ensure_signing_key(
                properties["SigningKeysSecret"], str(properties.get("KeyGeneration", "1"))
            )
            data["AdminAccountId"] = ensure_admin(
                properties["AdminCredentialsSecret"], properties["AdminEmail"]
            )
            boto3.client("ses").verify_email_identity(EmailAddress=properties["MailFrom"])
        _respond(event, "SUCCESS", data)
    except Exception as exc:
        logger.exception("identity bootstrap failed")
        _respond(event, "FAILED", {}, f"{type(exc).__name__}: {exc}")
