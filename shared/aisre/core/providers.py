"""The kernel's parts: secrets, the keyring of API keys, the table (records pointed at it) and its connection."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aisre.core.scope import Scope

if TYPE_CHECKING:
    from pynamodb.connection import Connection

    from aisre.core.auth import Keyring
    from aisre.core.secrets import Secrets


def secrets(scope: Scope) -> Secrets:
    from aisre.core.secrets import load_secrets

    return load_secrets(scope.settings)


def keyring(scope: Scope) -> Keyring:
    from aisre.core.auth import Keyring

    return Keyring(scope.get(secrets).api_keys)


def configured_table(scope: Scope) -> None:
    """Point every record at the configured table; a store's provider asks for this before it builds."""
    from aisre.core.table.clients import sign_requests
    from aisre.core.table.records import configure_records

    settings = scope.settings
    sign_requests(settings.dynamodb_signing)
    configure_records(
        table_name=settings.table_name, region=settings.aws_region, endpoint_url=settings.dynamodb_endpoint
    )


def table_connection(scope: Scope) -> Connection:
    """A PynamoDB connection for the transactions and batch reads the records' API does not offer."""
    from pynamodb.connection import Connection

    from aisre.core.table.clients import share_client

    scope.get(configured_table)
    settings = scope.settings
    connection = Connection(region=settings.aws_region, host=settings.dynamodb_endpoint, max_pool_connections=64)
    share_client(connection)
    return connection
