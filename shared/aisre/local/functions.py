"""Load a function's handler from its CodeUri and Handler, and the Lambda context it is called with."""

from __future__ import annotations

import hashlib
import importlib.util
import re
import sys
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

Handler = Callable[[Any, Any], Any]

_lock = threading.Lock()


def _module_name(file: Path) -> str:
    # Every function has a handler.py: name the module after its folder (readable in tracebacks)
    # plus a hash of its absolute path, so neither two functions nor two projects collide.
    slug = re.sub(r"\W+", "_", "_".join(file.with_suffix("").parts[-3:])).strip("_")
    digest = hashlib.sha1(str(file).encode()).hexdigest()[:8]
    return f"_aisre_function_{slug}_{digest}"


def load_module(project_root: Path, code_uri: str, module_path: str) -> ModuleType:
    """Import `<project_root>/<code_uri>/<module_path as a path>.py` once, under a unique module name."""
    file = (Path(project_root).resolve() / code_uri / Path(*module_path.split("."))).with_suffix(".py")
    name = _module_name(file)
    with _lock:  # pollers and the HTTP server may load handlers from several threads at once
        if name in sys.modules:
            return sys.modules[name]
        if not file.is_file():
            raise FileNotFoundError(f"handler module {file} does not exist")
        spec = importlib.util.spec_from_file_location(name, file)
        if spec is None or spec.loader is None:
            raise ImportError(f"cannot load {file}")
        module = importlib.util.module_from_spec(spec)
        # Registered before exec, as a normal import would, so dataclasses and pickling find it.
        sys.modules[name] = module
        try:
            spec.loader.exec_module(module)
        except BaseException:
            del sys.modules[name]
            raise
        return module


def load_handler(project_root: Path, code_uri: str, handler: str) -> Handler:
    """The callable that SAM's `Handler: module.function` names, relative to `CodeUri`."""
    module_path, _, function_name = handler.rpartition(".")
    if not module_path:
        raise ValueError(f"handler {handler!r} is not of the form module.function")
    module = load_module(project_root, code_uri, module_path)
    function = getattr(module, function_name, None)
    if not callable(function):
        raise AttributeError(f"{module.__file__} has no function {function_name!r}")
    return function  # type: ignore[no-any-return]


class LambdaContext:
    """The parts of Lambda's context object that handlers and Powertools read."""

    def __init__(
        self,
        function_name: str,
        invoked_function_arn: str,
        memory_limit_in_mb: int = 128,
        timeout_seconds: float = 3.0,
        function_version: str = "$LATEST",
    ) -> None:
        self.function_name = function_name
        self.function_version = function_version
        self.invoked_function_arn = invoked_function_arn
        self.memory_limit_in_mb = memory_limit_in_mb
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{function_name}"
        self.log_stream_name = f"{time.strftime('%Y/%m/%d')}/[{function_version}]{uuid.uuid4().hex}"
        self.identity: Any = None
        self.client_context: Any = None
        self._deadline = time.monotonic() + timeout_seconds

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def context_factory(
    function_name: str, function_arn: str, memory_size: int = 128, timeout: float = 3.0
) -> Callable[[], LambdaContext]:
    """A maker of fresh contexts (new request id, full time budget) for each invocation of one function."""

    def make() -> LambdaContext:
        return LambdaContext(function_name, function_arn, memory_size, timeout)

    return make
