"""DynamoDB tables for unit tests, created in moto from their definitions in template.yaml
(key schema and global secondary indexes), so tests and the deployed stack cannot drift."""

from __future__ import annotations

import os

import boto3

from template_env import resources, table_variables

#: Logical id in template.yaml -> the environment variable that names the table.
TABLES = table_variables()


def template_resources() -> dict:
    """template.yaml's ``Resources``, intrinsic functions read as None."""
    return resources()


def create_tables(*logical_ids: str) -> None:
    """Create the tables ``logical_ids`` (all of ``TABLES`` if none are named)."""
    resources = template_resources()
    client = boto3.client("dynamodb")
    for logical in logical_ids or tuple(TABLES):
        props = resources[logical]["Properties"]
        extra = {}
        if props.get("GlobalSecondaryIndexes"):
            extra["GlobalSecondaryIndexes"] = props["GlobalSecondaryIndexes"]
        client.create_table(
            TableName=os.environ[TABLES[logical]],
            BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=props["AttributeDefinitions"],
            KeySchema=props["KeySchema"],
            **extra,
        )
