"""The local Lambda runtime: the emulator hands every Lambda invocation (Step Functions Task states, direct
invokes) to this process over loopback, and the function's own handler runs here, in-process.

moto would run a Lambda only inside Docker; the local profile has none. The emulator process forwards
each invocation's payload here (see moto_patches.forward_lambda_invocations), and the answer takes
Lambda's shape: the handler's return value, or an error payload {errorType, errorMessage} reported as a
function error, so Step Functions Retry/Catch match on our error class names exactly as in AWS.
"""

from __future__ import annotations

import json
import logging
import threading
import traceback
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

logger = logging.getLogger(__name__)

# function name -> a callable taking the event and returning the handler's result
Invoker = Callable[[dict[str, Any] | list[Any] | str | None], Any]
Resolver = Callable[[str], Invoker | None]

INVOKE_PATH = "/invoke/"


class FunctionRuntime:
    def __init__(self, resolve: Resolver, host: str = "127.0.0.1"):
        self._resolve = resolve
        runtime = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                answer = runtime.invoke(self.path.removeprefix(INVOKE_PATH), body)
                data = json.dumps(answer, default=str).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                logger.debug("function runtime: " + format, *args)

        self._host = host
        self._server = ThreadingHTTPServer((host, 0), Handler)
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        port = self._server.server_address[1]
        return f"http://{self._host}:{port}"

    def start(self) -> FunctionRuntime:
        if self._thread is None:
            self._thread = threading.Thread(target=self._server.serve_forever, name="function-runtime", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._server.server_close()

    def invoke(self, function_name: str, body: bytes) -> dict[str, Any]:
        """{"error": bool, "payload": ...}: the handler's result, or Lambda's error payload."""
        invoker = self._resolve(function_name)
        if invoker is None:
            return _error("ResourceNotFoundException", f"no local handler for function {function_name}")
        try:
            event = json.loads(body) if body.strip() else None
        except ValueError:
            event = body.decode("utf-8", errors="replace")
        try:
            return {"error": False, "payload": invoker(event)}
        except Exception as error:  # a handler failing is the function's error, reported like Lambda's
            logger.warning("function %s failed: %s", function_name, error)
            return _error(type(error).__name__, str(error), traceback.format_exception(error))


def _error(error_type: str, message: str, trace: list[str] | None = None) -> dict[str, Any]:
    payload: dict[str, Any] = {"errorType": error_type, "errorMessage": message}
    if trace:
        payload["stackTrace"] = trace
    return {"error": True, "payload": payload}
