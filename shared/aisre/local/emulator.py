"""The AWS emulator: moto's server in a child process on loopback, with a per-operation request counter."""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import signal
import subprocess
import sys
import threading
import time
import traceback
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

ADMIN_PREFIX = "/_aisre/"
_PORT_LINE = "AISRE_EMULATOR_PORT="
_DYNAMODB_PORT_LINE = "AISRE_EMULATOR_DYNAMODB_PORT="

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


# --- Child side -----------------------------------------------------------------------------------


def operation_key(environ: dict[str, Any]) -> str:
    """ "service:Operation" of an AWS request, e.g. "dynamodb:GetItem", "sqs:ReceiveMessage"."""
    service = "unknown"
    auth = environ.get("HTTP_AUTHORIZATION", "")
    # SigV4: "AWS4-HMAC-SHA256 Credential=AKID/20240605/us-east-1/dynamodb/aws4_request, ..."
    if "Credential=" in auth:
        scope = auth.split("Credential=", 1)[1].split(",", 1)[0].split("/")
        if len(scope) >= 5:
            service = scope[3]
    target = environ.get("HTTP_X_AMZ_TARGET")
    if target and target.startswith("DynamoDB_"):
        service = "dynamodb"  # also when unsigned, as the platform's own DynamoDB calls are locally
    if target:
        # JSON protocols (DynamoDB, SQS, Step Functions, EventBridge): "DynamoDB_20120810.GetItem".
        return f"{service}:{target.rsplit('.', 1)[-1]}"
    action = urllib.parse.parse_qs(environ.get("QUERY_STRING", "")).get("Action")
    if action:
        return f"{service}:{action[0]}"
    content_type = environ.get("CONTENT_TYPE", "")
    length = environ.get("CONTENT_LENGTH") or ""
    if content_type.startswith("application/x-www-form-urlencoded") and length.isdigit():
        # Query protocols (SNS, STS, older SQS) carry Action in the form body: read it, then put it back.
        body = environ["wsgi.input"].read(int(length))
        environ["wsgi.input"] = io.BytesIO(body)
        action = urllib.parse.parse_qs(body.decode("utf-8", "replace")).get("Action")
        if action:
            return f"{service}:{action[0]}"
    # REST protocols (S3, Lambda, ...): the method is as precise as we need.
    return f"{service}:{environ.get('REQUEST_METHOD', 'GET')}"


class CountingMiddleware:
    """Counts requests per operation and serves the counter under /_aisre/ (with `extra`'s figures)."""

    def __init__(
        self,
        app: WsgiApp,
        extra: Callable[[], dict[str, Any]] | None = None,
        streams: Any | None = None,
    ) -> None:
        self.app = app
        self._lock = threading.Lock()
        self._counts: Counter[str] = Counter()
        self._extra = extra
        self._streams = streams  # local/streams.py's StreamRecorder, served at /_aisre/streams/<table>

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path.startswith(ADMIN_PREFIX + "streams/") and self._streams is not None:
            from aisre.local.streams import serve_admin

            status, answer = serve_admin(self._streams, path.removeprefix(ADMIN_PREFIX), environ)
            payload = json.dumps(answer).encode()
            reason = {200: "OK", 400: "Bad Request", 404: "Not Found"}.get(status, "Method Not Allowed")
            start_response(
                f"{status} {reason}", [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))]
            )
            return [payload]
        if path.startswith(ADMIN_PREFIX):
            return self._admin(path, environ.get("REQUEST_METHOD", "GET"), start_response)
        key = operation_key(environ)
        with self._lock:
            self._counts[key] += 1
        return self.app(environ, start_response)

    def _admin(self, path: str, method: str, start_response: StartResponse) -> Iterable[bytes]:
        if path == ADMIN_PREFIX + "requests" and method == "GET":
            with self._lock:
                body: dict[str, Any] = {"total": sum(self._counts.values()), "by_operation": dict(self._counts)}
            if self._extra is not None:
                body.update(self._extra())
        elif path == ADMIN_PREFIX + "requests/reset" and method == "POST":
            with self._lock:
                self._counts.clear()
            body = {"total": 0, "by_operation": {}}
        else:
            start_response("404 Not Found", [("Content-Type", "application/json")])
            return [b'{"error": "not found"}']
        payload = json.dumps(body).encode()
        start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))])
        return [payload]


def _exit_when_parent_goes(stream: Any, before_exit: Callable[[], None]) -> None:
    # The parent holds our stdin open; EOF means it exited (even by SIGKILL), so we must not linger.
    while stream.read(65536):
        pass
    _exit(before_exit)


def _exit(before_exit: Callable[[], None]) -> None:
    try:
        before_exit()
    finally:
        os._exit(0)  # now: werkzeug's and the DynamoDB front's threads would hold a normal exit up


def _dispatcher() -> Any:
    """moto's DomainDispatcherApplication; with backend_host_cache, minus a per-request directory scan."""
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    from aisre.local import speedups

    if not speedups.enabled("backend_host_cache"):
        return DomainDispatcherApplication(create_backend_app)

    class CachedDispatcher(DomainDispatcherApplication):
        # get_backend_for_host scans moto's package directory (os.listdir + isdir per entry) on every
        # request; its answer depends only on the host string.
        _backend_for_host: dict[str, Any]

        def get_backend_for_host(self, host: str | None) -> Any:
            if host is None:
                return None
            cache = self.__dict__.setdefault("_backend_for_host", {})
            if host not in cache:
                cache[host] = super().get_backend_for_host(host)
            return cache[host]

    return CachedDispatcher(create_backend_app)


def _keep_alive_handler(base: type[Any]) -> type[Any]:
    """`base` (moto's werkzeug request handler) with keep-alive connections and no access log.

    Werkzeug answers every request with "Connection: close" and then drains the socket for 10 ms,
    because http.server cannot skip an unread request body. So each call pays a TCP connect, a new
    server thread and that wait: more than moto's own work on a GetItem. Here the request body is
    read in full before the app runs, the response is buffered and sent with its Content-Length,
    and the connection stays open for the client's next request.
    """

    class KeepAliveHandler(base):  # type: ignore[misc, valid-type]
        protocol_version = "HTTP/1.1"
        # Headers and body go out in two writes; with Nagle on, the second waits for a delayed ACK.
        disable_nagle_algorithm = True

        def make_environ(self) -> dict[str, Any]:
            environ: dict[str, Any] = super().make_environ()
            stream = environ["wsgi.input"]
            if environ.get("wsgi.input_terminated"):
                body = stream.read()  # chunked: werkzeug's reader stops at the last chunk
            else:
                length = environ.get("CONTENT_LENGTH", "")
                body = stream.read(int(length)) if length.isdigit() else b""
            environ["wsgi.input"] = io.BytesIO(body)
            environ.pop("wsgi.input_terminated", None)
            environ["CONTENT_LENGTH"] = str(len(body))
            return environ

        def run_wsgi(self) -> None:
            if self.headers.get("Expect", "").lower().strip() == "100-continue":
                self.wfile.write(b"HTTP/1.1 100 Continue\r\n\r\n")
            self.environ = environ = self.make_environ()
            started: list[Any] = []
            chunks: list[bytes] = []

            def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
                started[:] = [status, headers]
                return chunks.append

            try:
                result = self.server.app(environ, start_response)
                try:
                    chunks.extend(result)
                finally:
                    if hasattr(result, "close"):
                        result.close()
            except Exception:
                self.log_error("emulator request failed:\n%s", traceback.format_exc())
                started[:] = ["500 INTERNAL SERVER ERROR", [("Content-Type", "text/plain")]]
                chunks[:] = [b"emulator error"]
                self.close_connection = True
            status, headers = started
            code, _, reason = status.partition(" ")
            body = b"".join(chunks)
            head = environ["REQUEST_METHOD"] == "HEAD"
            self.send_response(int(code), reason)
            for name, value in headers:
                lowered = name.lower()
                # A HEAD answer keeps the app's Content-Length (that of the body it would send).
                if lowered in ("connection", "transfer-encoding") or (lowered == "content-length" and not head):
                    continue
                self.send_header(name, value)
            if not head and int(code) not in (204, 304):
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if not head:
                self.wfile.write(body)

        def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
            # One log line per request would cost more than the request at hundreds per second.
            pass

    return KeepAliveHandler


def serve(
    host: str,
    port: int,
    function_runtime_url: str | None = None,
    *,
    dynamodb_port: int = 0,
    data_dir: Path | None = None,
    fault_rate: float = 0.0,
) -> None:
    """Child entry point: serve moto on host:port (0 = any free port) until terminated.

    With `data_dir`, DynamoDB's writes and SQS's messages are kept there and restored (local/storage.py);
    with `fault_rate`, that share of DynamoDB's data-plane requests fail (local/faults.py)."""
    import logging

    from moto.core.config import default_user_config
    from moto.moto_server.werkzeug_app import MotoRequestHandler
    from werkzeug.serving import make_server

    # Step Functions executions really run (moto's ASL interpreter) rather than staying RUNNING.
    default_user_config["stepfunctions"] = {"execute_state_machine": True}
    # Nothing local may start Docker containers behind our back.
    default_user_config["lambda"] = {"use_docker": False}
    default_user_config["batch"] = {"use_docker": False}

    from aisre.local import dynamodb_front, moto_patches, speedups
    from aisre.local.gc_policy import FreezingCollector
    from aisre.local.storage import EmulatorStorage

    moto_patches.check_moto_version()  # before any patch: on another moto, fail here and say why
    sys.setswitchinterval(0.0005)  # request threads are I/O-bound: hand the GIL over promptly (see cli.py)
    moto_patches.apply()
    storage = EmulatorStorage(data_dir, fault_rate)  # first: it fails at once if another emulator has data_dir
    handler = _keep_alive_handler(MotoRequestHandler) if speedups.enabled("keep_alive") else MotoRequestHandler
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    app = CountingMiddleware(
        storage.wrap(moto_patches.serve_dynamodb_directly(_dispatcher())), storage.figures, storage.streams
    )
    if function_runtime_url:
        moto_patches.forward_lambda_invocations(function_runtime_url)
    server = make_server(host, port, app, threaded=True, request_handler=handler)
    # moto's Step Functions interpreter calls Lambda through this very server, found by MOTO_PORT.
    os.environ["MOTO_PORT"] = str(server.server_address[1])
    # The same app (and so the same counter) behind a faster front, for DynamoDB (dynamodb_front.py).
    front = speedups.enabled("dynamodb_front")
    dynamodb_port = dynamodb_front.start(host, app, dynamodb_port) if front else server.server_address[1]
    print(f"{_DYNAMODB_PORT_LINE}{dynamodb_port}", flush=True)
    print(f"{_PORT_LINE}{server.server_address[1]}", flush=True)
    # From here on our stdout is the parent's pipe only for the port line; moto's prints go to stderr.
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    threading.Thread(target=_exit_when_parent_goes, args=(sys.stdin.buffer, storage.close), daemon=True).start()
    # The parent's stop() sends SIGTERM: close the journal (synced to disk) before going.
    signal.signal(signal.SIGTERM, lambda _signal, _frame: _exit(storage.close))
    FreezingCollector().start()
    server.serve_forever()


# --- Parent side ----------------------------------------------------------------------------------


class EmulatorError(RuntimeError):
    """The emulator did not start or stopped answering."""


class Emulator:
    """Runs the emulator child process and talks to its admin endpoints."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        startup_timeout: float = 30.0,
        function_runtime_url: str | None = None,
        *,
        data_dir: Path | None = None,
        fault_rate: float = 0.0,
    ) -> None:
        self.function_runtime_url = function_runtime_url
        self.host = host
        self.port = port
        self.dynamodb_port = 0
        self.startup_timeout = startup_timeout
        self.data_dir = data_dir
        self.fault_rate = fault_rate
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def endpoint_url(self) -> str:
        if self._process is None:
            raise EmulatorError("the emulator is not running")
        return f"http://{self.host}:{self.port}"

    @property
    def dynamodb_endpoint_url(self) -> str:
        """The same emulator's faster front for DynamoDB (see dynamodb_front.py)."""
        if self._process is None:
            raise EmulatorError("the emulator is not running")
        return f"http://{self.host}:{self.dynamodb_port}"

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def exit_code(self) -> int | None:
        """The child's exit code if it was started and has exited since (not stopped by stop()), else None."""
        return self._process.poll() if self._process is not None else None

    def restart(self) -> str:
        """Start a new child after the last one exited: on the same ports, so that every client made for them
        still reaches it, unless they are taken meanwhile (then on free ones). Returns the endpoint URL."""
        self.stop()  # reaps the exited child (or ends one a failed recovery left running)
        try:
            return self.start()
        except EmulatorError:
            if self.port == 0 and self.dynamodb_port == 0:
                raise
            self.port = self.dynamodb_port = 0
            return self.start()

    def start(self) -> str:
        """Start the child, wait until it answers, return its endpoint URL."""
        if self._process is not None:
            return self.endpoint_url
        from aisre.local.moto_patches import check_moto_version

        check_moto_version()  # here too, so that the parent raises it rather than a startup time-out
        command = [sys.executable, "-m", "aisre.local.emulator", "--host", self.host, "--port", str(self.port)]
        command += ["--dynamodb-port", str(self.dynamodb_port)]
        if self.function_runtime_url:
            command += ["--function-runtime", self.function_runtime_url]
        if self.data_dir is not None:
            command += ["--data-dir", str(self.data_dir)]
        if self.fault_rate:
            command += ["--fault-rate", str(self.fault_rate)]
        self._process = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            # Its own session: Ctrl-C in a terminal reaches us, and we stop the child in order.
            start_new_session=True,
        )
        try:
            self.port, self.dynamodb_port = self._read_ports()
            self._wait_until_answering()
        except BaseException:
            self.stop()
            raise
        return self.endpoint_url

    def _read_ports(self) -> tuple[int, int]:
        """(moto's port, the DynamoDB port), as the child prints them once it listens."""
        assert self._process is not None and self._process.stdout is not None
        ports: dict[str, int] = {}
        stdout = self._process.stdout

        def read() -> None:
            for raw in stdout:
                line = raw.decode("utf-8", "replace").strip()
                for prefix in (_DYNAMODB_PORT_LINE, _PORT_LINE):
                    if line.startswith(prefix):
                        ports[prefix] = int(line.removeprefix(prefix))
                if _PORT_LINE in ports:  # printed last
                    return

        # A thread, because a pipe read has no timeout of its own.
        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        reader.join(self.startup_timeout)
        if _PORT_LINE not in ports or _DYNAMODB_PORT_LINE not in ports:
            if not reader.is_alive():  # its stdout closed: it exited, or is exiting
                with contextlib.suppress(subprocess.TimeoutExpired):
                    self._process.wait(timeout=5)
            if self._process.poll() is not None:
                raise EmulatorError(
                    f"the emulator exited during startup (exit code {self._process.returncode}); its error is above"
                )
            raise EmulatorError(f"the emulator did not report its ports within {self.startup_timeout:.0f} s")
        return ports[_PORT_LINE], ports[_DYNAMODB_PORT_LINE]

    def _wait_until_answering(self) -> None:
        deadline = time.monotonic() + self.startup_timeout
        while True:
            try:
                self.request_counts()
                return
            except (OSError, EmulatorError):
                if not self.running:
                    raise EmulatorError("the emulator exited during startup") from None
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def _admin(self, method: str, path: str) -> dict[str, Any]:
        request = urllib.request.Request(self.endpoint_url + ADMIN_PREFIX + path, method=method)
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                result: dict[str, Any] = json.load(response)
                return result
        except urllib.error.URLError as exc:
            raise EmulatorError(f"{method} {ADMIN_PREFIX}{path}: {exc}") from exc

    def request_counts(self) -> dict[str, Any]:
        """{"total": n, "by_operation": {"dynamodb:GetItem": n, ...}} since start or the last reset."""
        return self._admin("GET", "requests")

    def reset_request_counts(self) -> None:
        self._admin("POST", "requests/reset")

    def stop(self, timeout: float = 5.0) -> None:
        """Terminate the child and wait for it (kill it if it does not go in `timeout` seconds)."""
        process = self._process
        if process is not None and process.poll() is None:
            process.terminate()  # the child closes its journal, synced, and exits
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self._discard()

    def _discard(self) -> None:
        """Forget an exited child (reaped), closing our ends of its pipes."""
        process, self._process = self._process, None
        if process is None:
            return
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=5)
        for stream in (process.stdin, process.stdout):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()

    def __enter__(self) -> Emulator:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="moto server with aisre's request counter")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--dynamodb-port", type=int, default=0, help="the DynamoDB front's port (0: any free one)")
    parser.add_argument("--function-runtime", default=None, help="URL Lambda invocations are forwarded to")
    parser.add_argument("--data-dir", type=Path, default=None, help="keep DynamoDB and SQS data here (default: memory)")
    parser.add_argument("--fault-rate", type=float, default=0.0, help="share of DynamoDB data calls that fail")
    args = parser.parse_args(argv)
    serve(
        args.host,
        args.port,
        args.function_runtime,
        dynamodb_port=args.dynamodb_port,
        data_dir=args.data_dir,
        fault_rate=args.fault_rate,
    )


if __name__ == "__main__":
    main()
