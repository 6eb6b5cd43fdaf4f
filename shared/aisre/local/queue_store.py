"""The emulator's SQS messages, written to the data directory every second and sent again after a start.

Alerts published to the alert topic wait in the alert queue until a poller hands them to the ingest handler,
and failed ones wait in its dead-letter queue: both must outlive the emulator. Queues hold few messages
(pollers drain them within milliseconds), so the whole of every queue is written out, atomically, each second
something changed: a crash loses at most the last second of sends and deletes. moto's own SQS (served on its
werkzeug port) is left unpatched: this reads its queues from a thread.

Sent again means: each kept message goes back into its queue, when provisioning has created it, through moto's
send_message: visible at once, with a new message id and a receive count of 0. A message that was being
processed (received, not yet deleted) when the emulator stopped is delivered again; the platform's ingest
already takes a repeated alert as a duplicate.
"""

from __future__ import annotations

import base64
import json
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from aisre.local.datafiles import read_json_lines, set_aside, write_atomically

SAVE_EVERY_SECONDS = 1.0
RESTORE_CHECK_SECONDS = 0.1  # while kept messages wait for their queue to be created
FILE_NAME = "messages.jsonl"

QueueKey = tuple[str, str, str]  # (account, region, queue name)


def _say(message: str) -> None:
    print(f"aisre emulator: {message}", file=sys.stderr, flush=True)


class QueueStore:
    """Saves every queue's messages to `directory`/messages.jsonl; sends the saved ones again on start."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.path = directory / FILE_NAME
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._last_saved: Any = None
        directory.mkdir(parents=True, exist_ok=True)
        lines, problem = read_json_lines(self.path)
        if problem:
            _say(f"{problem}: kept as {set_aside(self.path).name}; the messages before it are restored")
        # Kept messages whose queue does not exist yet (provisioning creates it): saved again as they are
        # until they are sent, so that a save before then does not drop them.
        self._waiting: dict[QueueKey, list[dict[str, Any]]] = {}
        for line in lines:
            key = (line["account"], line["region"], line["queue"])
            self._waiting.setdefault(key, []).append(line["message"])
        self.restored = 0
        self._thread = threading.Thread(target=self._run, name="queue-store", daemon=True)

    def start(self) -> QueueStore:
        self._thread.start()
        return self

    def stop(self) -> None:
        """Save what the queues hold now (the emulator is exiting)."""
        self._stop.set()
        self.save()

    def _run(self) -> None:
        since_save = 0.0
        while not self._stop.is_set():
            period = RESTORE_CHECK_SECONDS if self._waiting else SAVE_EVERY_SECONDS
            if self._stop.wait(period):
                return
            try:
                if self._waiting:
                    self.restore_created_queues()
                since_save += period
                if since_save >= SAVE_EVERY_SECONDS:
                    since_save = 0.0
                    self.save()
            except Exception as error:  # a bad moment of moto's (a queue deleted mid-read): next time
                _say(f"saving the queues' messages failed: {error!r}")

    def restore_created_queues(self) -> int:
        """Send the kept messages of each queue that exists by now; return how many were sent."""
        with self._lock:
            sent = 0
            queues = _queues()
            for key in [key for key in self._waiting if key in queues]:
                backend, queue = queues[key]
                messages = self._waiting.pop(key)
                for message in messages:
                    backend.send_message(
                        queue.name,
                        message["body"],
                        message_attributes=message.get("message_attributes") or None,
                        delay_seconds=0,
                        deduplication_id=message.get("deduplication_id"),
                        group_id=message.get("group_id"),
                        validate_group_id=False,
                    )
                sent += len(messages)
                _say(f"queue {key[2]}: {len(messages)} messages restored from {self.directory}")
            self.restored += sent
            return sent

    def save(self) -> bool:
        """Write every queue's messages if they changed since the last save; True if written."""
        with self._lock:
            lines = list(self._lines())
            if lines == self._last_saved:
                return False
            write_atomically(self.path, iter(lines))
            self._last_saved = lines
            return True

    def _lines(self) -> Iterator[bytes]:
        for key, (_backend, queue) in sorted(_queues().items()):
            for message in list(queue._messages):
                yield _line(key, _message_json(message))
        for key, messages in sorted(self._waiting.items()):
            for message in messages:
                yield _line(key, message)


def _queues() -> dict[QueueKey, tuple[Any, Any]]:
    from moto.sqs.models import sqs_backends

    found: dict[QueueKey, tuple[Any, Any]] = {}
    backend: Any
    for account, region, backend in list(sqs_backends.iter_backends()):
        for name, queue in list(backend.queues.items()):
            found[(account, region, name)] = (backend, queue)
    return found


def _message_json(message: Any) -> dict[str, Any]:
    return {
        "body": message.body,
        "message_attributes": message.message_attributes,
        "group_id": message.group_id,
        "deduplication_id": message.deduplication_id,
    }


def _line(key: QueueKey, message: dict[str, Any]) -> bytes:
    account, region, queue = key
    record = {"account": account, "region": region, "queue": queue, "message": message}
    return json.dumps(record, separators=(",", ":"), default=_bytes_as_base64).encode()


def _bytes_as_base64(value: Any) -> str:
    # Binary message attributes: SQS's JSON protocol carries them base64-encoded, as they come back here.
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(value).decode()
    raise TypeError(f"{type(value).__name__} is not JSON")
