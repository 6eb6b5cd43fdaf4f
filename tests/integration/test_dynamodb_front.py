"""The emulator's DynamoDB port (aisre/local/dynamodb_front.py): boto3 and raw sockets against it."""

from __future__ import annotations

import socket
from typing import Any

import boto3
import pytest


def test_the_emulator_has_a_dynamodb_port_sharing_its_state_and_counter(local_stack: Any) -> None:
    emulator = local_stack.emulator
    fast = boto3.client("dynamodb", endpoint_url=emulator.dynamodb_endpoint_url, region_name="us-east-1")
    general = boto3.client("dynamodb", endpoint_url=emulator.endpoint_url, region_name="us-east-1")
    assert fast.list_tables()["TableNames"] == general.list_tables()["TableNames"]
    before = emulator.request_counts()["by_operation"].get("dynamodb:DescribeTable", 0)
    table = fast.list_tables()["TableNames"][0]
    assert fast.describe_table(TableName=table)["Table"]["TableStatus"] == "ACTIVE"
    assert emulator.request_counts()["by_operation"]["dynamodb:DescribeTable"] == before + 1


def test_the_dynamodb_port_refuses_other_services(local_stack: Any) -> None:
    sqs = boto3.client("sqs", endpoint_url=local_stack.emulator.dynamodb_endpoint_url, region_name="us-east-1")
    with pytest.raises(sqs.exceptions.ClientError, match="serves DynamoDB only"):
        sqs.list_queues()


def _raw_exchange(port: int, data: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
        conn.sendall(data)
        conn.shutdown(socket.SHUT_WR)
        chunks = []
        while chunk := conn.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def test_the_dynamodb_port_answers_pipelined_requests_in_order_and_refuses_garbage(local_stack: Any) -> None:
    port = local_stack.emulator.dynamodb_port
    request = (
        b"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: DynamoDB_20120810.ListTables\r\n"
        b"Content-Type: application/x-amz-json-1.0\r\nContent-Length: 2\r\n\r\n{}"
    )
    answers = _raw_exchange(port, request + request)
    assert answers.count(b"HTTP/1.1 200 OK") == 2 and answers.count(b'"TableNames"') == 2
    assert _raw_exchange(port, b"NOT HTTP AT ALL\r\n\r\n").startswith(b"HTTP/1.1 400 Bad Request")
