"""Switches for the local stack's speed work, so that each piece can be measured with and without it.

`AISRE_LOCAL_SPEEDUPS_OFF=piece[,piece...]` (or `all`) turns pieces off in `aisre serve` and in its
emulator, which inherits the variable. Only speed work is switchable: the emulator's correctness fixes
(moto_patches.py) always apply. docs/local-stack.md gives each piece's measured worth.
"""

from __future__ import annotations

import functools
import os

VARIABLE = "AISRE_LOCAL_SPEEDUPS_OFF"

PIECES = frozenset(
    {
        # the emulator (emulator.py, moto_patches.py, dynamodb_front.py)
        "dynamodb_front",  # DynamoDB on its own port, httptools on one event loop
        "direct_handler",  # DynamoDB straight to moto's DynamoHandler, without Flask
        "update_expression_cache",  # each distinct UpdateExpression parsed once
        "size_once",  # a new item measured once, not once per attribute
        "plain_json",  # data-plane results dumped as JSON, not through moto's serializer
        "scoped_query",  # a base-table Query reads its partition only, an index Query sorts once
        "index_book",  # an index Query reads its slice of a sorted book of the index (index_book.py)
        "method_names_cache",  # moto's method listing of a response class, once per class
        "sqs_clock",  # SQS reads the clock as time.time(), not datetime arithmetic per queued message
        "backend_host_cache",  # moto's backend lookup by Host, once per host
        "keep_alive",  # moto's own port keeps connections open and answers in one write
        # the server (loopback.py) and both processes (gc_policy.py)
        "loopback",  # the server's DynamoDB calls skip urllib3 and http.client
        "gc_freeze",  # survivors frozen every 2 s, a full collection when idle
    }
)


@functools.cache
def _off() -> frozenset[str]:
    names = {name.strip() for name in os.environ.get(VARIABLE, "").split(",") if name.strip()}
    if "all" in names:
        return PIECES
    unknown = names - PIECES
    if unknown:
        raise ValueError(f"{VARIABLE}: unknown piece(s) {sorted(unknown)}; known: {sorted(PIECES)}")
    return frozenset(names)


def enabled(piece: str) -> bool:
    """Whether `piece` (one of PIECES) is on in this process; read from the environment once."""
    if piece not in PIECES:
        raise ValueError(f"not a speed piece: {piece!r}")
    return piece not in _off()
