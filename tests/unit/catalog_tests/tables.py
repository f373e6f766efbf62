"""The catalog table as template.yaml defines it (both global secondary indexes)."""

import os

import boto3


def create_catalog_table() -> None:
    boto3.client("dynamodb").create_table(
        TableName=os.environ["CATALOG_TABLE"],
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[
            {"AttributeName": a, "AttributeType": "S"}
            for a in ("pk", "sk", "gsi1pk", "gsi1sk", "gsi2pk")
        ],
        KeySchema=[
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "gsi1",
                "Projection": {"ProjectionType": "ALL"},
                "KeySchema": [
                    {"AttributeName": "gsi1pk", "KeyType": "HASH"},
                    {"AttributeName": "gsi1sk", "KeyType": "RANGE"},
                ],
            },
            {
                "IndexName": "gsi2",
                "Projection": {"ProjectionType": "ALL"},
                "KeySchema": [{"AttributeName": "gsi2pk", "KeyType": "HASH"}],
            },
        ],
    )
