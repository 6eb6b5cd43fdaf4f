"""The local stack's botocore transport: real sockets, a scripted HTTP server, and the emulator itself."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import boto3
import pytest
from botocore.awsrequest import AWSPreparedRequest
from botocore.exceptions import EndpointConnectionError

from aisre.local.loopback import LoopbackTransport
from tests.support.servers import free_port


class _Scripted(BaseHTTPRequestHandler):
    """Answers each request with the next scripted reply; records what it received."""

    protocol_version = "HTTP/1.1"
    replies: list[dict[str, Any]] = []
    received: list[dict[str, Any]] = []
    connections: set[tuple[str, int]] = set()

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        type(self).received.append({"path": self.path, "headers": dict(self.headers), "body": body})
        type(self).connections.add(self.client_address)
        reply = type(self).replies.pop(0)
        self.send_response(reply.get("status", 200))
        payload: bytes = reply.get("body", b"{}")
        if reply.get("chunked"):
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for start in range(0, len(payload), 3):
                piece = payload[start : start + 3]
                self.wfile.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
            self.wfile.write(b"0\r\n\r\n")
        else:
            self.send_header("Content-Length", str(len(payload)))
            self.send_header("X-Amzn-RequestId", "req-1")
            self.end_headers()
            self.wfile.write(payload)
        # Close without announcing it, as a server dropping an idle keep-alive connection does.
        self.close_connection = bool(reply.get("hang_up"))

    def log_message(self, *args: Any) -> None:
        pass


@contextmanager
def scripted(*replies: dict[str, Any]) -> Iterator[str]:
    _Scripted.replies, _Scripted.received, _Scripted.connections = list(replies), [], set()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Scripted)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _request(url: str, body: bytes = b'{"a":1}') -> AWSPreparedRequest:
    headers = {"X-Amz-Target": b"DynamoDB_20120810.GetItem", "Content-Type": "application/x-amz-json-1.0"}
    return AWSPreparedRequest("POST", url, headers, body, None)


def test_requests_share_one_kept_alive_connection_and_arrive_whole() -> None:
    with scripted({"body": b'{"one":1}'}, {"body": b'{"two":2}'}) as url:
        transport = LoopbackTransport(url)
        first = transport.send(_request(url + "/", b'{"n":1}'))
        second = transport.send(_request(url + "/", b'{"n":2}'))
    assert first is not None and second is not None
    assert (first.status_code, first.content, second.content) == (200, b'{"one":1}', b'{"two":2}')
    assert first.headers["x-amzn-requestid"] == "req-1"  # case-insensitive, as botocore reads it
    assert [seen["body"] for seen in _Scripted.received] == [b'{"n":1}', b'{"n":2}']
    assert _Scripted.received[0]["headers"]["X-Amz-Target"] == "DynamoDB_20120810.GetItem"
    assert len(_Scripted.connections) == 1


def test_a_connection_the_server_dropped_is_replaced_and_the_request_sent_once_more() -> None:
    with scripted({"body": b"{}", "hang_up": True}, {"body": b'{"after":1}'}) as url:
        transport = LoopbackTransport(url)
        transport.send(_request(url + "/"))
        answer = transport.send(_request(url + "/"))
    assert answer is not None and answer.content == b'{"after":1}'
    assert len(_Scripted.received) == 2 and len(_Scripted.connections) == 2


def test_chunked_responses_are_read_whole() -> None:
    with scripted({"body": b'{"items":[1,2,3,4,5]}', "chunked": True}) as url:
        answer = LoopbackTransport(url).send(_request(url + "/"))
    assert answer is not None and answer.content == b'{"items":[1,2,3,4,5]}'


def test_error_statuses_are_returned_for_botocore_to_parse() -> None:
    with scripted({"status": 400, "body": b'{"__type":"ValidationException"}'}) as url:
        answer = LoopbackTransport(url).send(_request(url + "/"))
    assert answer is not None and answer.status_code == 400


def test_other_endpoints_and_streamed_bodies_are_left_to_botocore() -> None:
    transport = LoopbackTransport("http://127.0.0.1:1")
    assert transport.send(_request("http://127.0.0.1:2/")) is None
    assert transport.send(_request("http://127.0.0.1:12/")) is None  # a port that merely begins the same
    streamed = AWSPreparedRequest("POST", "http://127.0.0.1:1/", {}, iter([b"x"]), None)
    assert transport.send(streamed) is None


def test_nothing_listening_is_a_connection_error_botocore_retries() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(EndpointConnectionError):
        LoopbackTransport(url).send(_request(url + "/"))


def test_only_plain_http_endpoints_are_accepted() -> None:
    with pytest.raises(ValueError, match="plain http"):
        LoopbackTransport("https://dynamodb.us-east-1.amazonaws.com")


def test_a_botocore_client_on_the_emulator_works_through_it(local_stack: Any) -> None:
    endpoint = local_stack.endpoint_url
    client = boto3.client("dynamodb", endpoint_url=endpoint, region_name="us-east-1")
    sent: list[str] = []
    transport = LoopbackTransport(endpoint)

    def counting(request: AWSPreparedRequest, **kwargs: Any) -> Any:
        sent.append(request.url)
        return transport.send(request, **kwargs)

    client.meta.events.register("before-send", counting)
    tables = client.list_tables()["TableNames"]
    assert tables and sent == [endpoint + "/"]
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.describe_table(TableName="no-such-table")
