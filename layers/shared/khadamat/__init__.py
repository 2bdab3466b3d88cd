"""Khadamat shared code, shipped to every function as the Lambda layer.

- ``khadamat.domain``: pure business rules (no boto3, clock injected).
- ``khadamat.dal``: every DynamoDB key, index and transaction.
- ``khadamat.adapters``: one adapter per outside service, each with its local stand-in.
- ``khadamat.api``: the HTTP plumbing shared by the handlers (resolver, auth, error envelope).
"""
