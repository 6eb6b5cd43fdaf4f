"""Which AWS service a failure came from, so that an answer can name it ("the table is unavailable (DynamoDB)")
instead of passing on botocore's text, which carries the endpoint's address.

`unavailable(error)` looks through the error and what caused it for a failure of a service the platform depends
on: a connection refused, reset or timed out, a throttle, a 5xx, or (DynamoDB) a table that is not there. The
service is read off the failing call itself: PynamoDB's errors are DynamoDB's, and a botocore client call names
its service on the frame of `BaseClient._make_api_call` in the traceback. Anything else (a validation error, a
bug) is not a dependency's failure and stays what it is.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from aisre.core.errors import DependencyUnavailableError

# botocore's service ids, and what the platform uses each for.
_SERVICES: dict[str, tuple[str, str]] = {
    "DynamoDB": ("the table", "DynamoDB"),
    "SQS": ("the queue", "SQS"),
    "SFN": ("the workflow", "Step Functions"),
    "SNS": ("the topic", "SNS"),
}
_THROTTLING = frozenset(
    {
        "ProvisionedThroughputExceededException", "ThrottlingException", "Throttling", "RequestLimitExceeded",
        "TooManyRequestsException", "ThrottledException", "LimitExceededException",
        "InternalServerError", "InternalFailure", "ServiceUnavailable", "ServiceUnavailableException",
    }
)  # fmt: skip
_MAX_CHAIN = 16


def unavailable(error: BaseException) -> DependencyUnavailableError | None:
    """The dependency failure behind `error`, as an error naming the service, or None if there is none."""
    import botocore.exceptions as botocore_errors
    from pynamodb.exceptions import PynamoDBException

    through_pynamodb = False
    for link in _chain(error):
        if isinstance(link, PynamoDBException):
            through_pynamodb = True
            continue
        if not isinstance(link, botocore_errors.BotoCoreError | botocore_errors.ClientError):
            continue
        service = "DynamoDB" if through_pynamodb else _service_of(link)
        if _is_outage(link, service, botocore_errors):
            what, name = _SERVICES.get(service or "", ("a service the platform depends on", service or "AWS"))
            return DependencyUnavailableError(
                f"{what} is unavailable ({name}); nothing was done, retry later", details={"dependency": name}
            )
    return None


def _chain(error: BaseException) -> Iterator[BaseException]:
    """`error`, then what caused it: `__cause__`, `__context__`, and PynamoDB's own `cause`."""
    seen: set[int] = set()
    pending: list[BaseException] = [error]
    while pending and len(seen) < _MAX_CHAIN:
        link = pending.pop(0)
        if id(link) in seen:
            continue
        seen.add(id(link))
        yield link
        for cause in (getattr(link, "cause", None), link.__cause__, link.__context__):
            if isinstance(cause, BaseException):
                pending.append(cause)


def _is_outage(error: BaseException, service: str | None, botocore_errors: Any) -> bool:
    if isinstance(error, botocore_errors.HTTPClientError | botocore_errors.ConnectionError):
        return True  # refused, reset, timed out: EndpointConnectionError, ReadTimeoutError, ...
    if isinstance(error, botocore_errors.ClientError):
        response: dict[str, Any] = error.response or {}
        code = str(response.get("Error", {}).get("Code", ""))
        status = int(response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
        # A table that is not there is storage that is not there (as while an emulator starts again).
        missing_table = service == "DynamoDB" and code == "ResourceNotFoundException"
        return status >= 500 or code in _THROTTLING or missing_table
    return False


def _service_of(error: BaseException) -> str | None:
    """The service id of the botocore client call that raised `error` (from its traceback), if any."""
    traceback = error.__traceback__
    while traceback is not None:
        frame = traceback.tb_frame
        if frame.f_code.co_name == "_make_api_call":
            meta = getattr(frame.f_locals.get("self"), "meta", None)
            service_model = getattr(meta, "service_model", None)
            if service_model is not None:
                service_id: str = service_model.service_id
                return service_id
        traceback = traceback.tb_next
    return None
