"""Titan Commerce's embedded local cloud: LocalStack in-process plus this extension.

- ``dynamodb``: a DynamoDB provider on LocalStack's bundled moto, serialised and with
  item-level transaction rollback (``PROVIDER_OVERRIDE_DYNAMODB=titan``).
- ``lambda_executor`` / ``worker``: Lambda execution environments as warm Python
  subprocesses (``LAMBDA_RUNTIME_EXECUTOR=titan``).
- ``cloud``: start, stop, deploy, reload and inspect it (``python -m localcloud``).
"""
