"""The data directory's files: its lock, append-only JSON-lines logs synced at most every second, files replaced
atomically, and JSON lines read back whatever a crash left at their end.

Durability, stated once: a line is handed to the OS (os.write) before the request it records is answered, so a
process killed with SIGKILL loses nothing it acknowledged; the OS writes it to disk when fsync runs, at most a
second later, so a machine that loses power loses at most the last second.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

SYNC_EVERY_SECONDS = 1.0
LOCK_FILE = "LOCK"


class DataDirInUseError(RuntimeError):
    """Another emulator holds the data directory's lock."""


def lock_data_dir(directory: Path, wait_seconds: float = 3.0) -> int:
    """Create `directory` if need be and hold its lock for the life of this process; return the lock's fd.

    Two emulators writing one journal would interleave their writes and each lose the other's. The lock is an
    flock, so the kernel releases it when its holder dies, even by SIGKILL. A stack restarting its emulator
    may find the old one still exiting: hence the short wait before giving up.
    """
    directory.mkdir(parents=True, exist_ok=True)
    fd = os.open(directory / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            if time.monotonic() > deadline:
                holder = os.pread(fd, 64, 0).decode(errors="replace").strip() or "unknown"
                os.close(fd)
                raise DataDirInUseError(
                    f"the data directory {directory} is in use by another aisre emulator (pid {holder}); stop that "
                    "`aisre serve`, or give this one its own (AISRE_DATA_DIR, --data-dir) or none (--ephemeral)"
                ) from None
            time.sleep(0.1)
    os.ftruncate(fd, 0)
    os.pwrite(fd, str(os.getpid()).encode(), 0)
    return fd


class AppendLog:
    """A file that JSON lines are appended to, each in one write(2) so that a line is whole or absent."""

    def __init__(self, path: Path, *, truncate: bool = False) -> None:
        self.path = path
        flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND | (os.O_TRUNC if truncate else 0)
        self._fd = os.open(path, flags, 0o644)
        self._dirty = False
        self._lock = threading.Lock()

    def append(self, line: bytes) -> None:
        """Hand `line` (no newline) to the OS; syncing it is the Syncer's job."""
        data = memoryview(line + b"\n")
        with self._lock:
            while data:
                written = os.write(self._fd, data)
                data = data[written:]
            self._dirty = True

    def sync(self) -> None:
        with self._lock:
            if not self._dirty or self._fd < 0:
                return
            self._dirty = False
            fd = self._fd
        os.fsync(fd)

    def close(self) -> None:
        with self._lock:
            fd, self._fd = self._fd, -1
            dirty, self._dirty = self._dirty, False
        if fd >= 0:
            if dirty:
                os.fsync(fd)
            os.close(fd)


class Syncer:
    """A daemon thread that fsyncs every registered log at most every `period` seconds, when it has new lines."""

    def __init__(self, period: float = SYNC_EVERY_SECONDS) -> None:
        self.period = period
        self._logs: list[AppendLog] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="data-syncer", daemon=True)

    def start(self) -> Syncer:
        self._thread.start()
        return self

    def register(self, log: AppendLog) -> None:
        with self._lock:
            self._logs.append(log)

    def unregister(self, log: AppendLog) -> None:
        with self._lock:
            if log in self._logs:
                self._logs.remove(log)

    def sync_all(self) -> None:
        with self._lock:
            logs = list(self._logs)
        for log in logs:
            try:
                log.sync()
            except OSError as error:  # a full or failing disk: say so, keep serving (the OS still has the lines)
                print(f"aisre emulator: syncing {log.path} failed: {error}", file=sys.stderr, flush=True)

    def _run(self) -> None:
        while not self._stop.wait(self.period):
            self.sync_all()


def write_atomically(path: Path, lines: Iterator[bytes]) -> int:
    """Replace `path` with `lines` (one per line) so that a reader sees the old file or the new one, never a
    mix: written beside it, fsynced, renamed over it, the directory fsynced. Returns the number of lines."""
    partial = path.with_name(path.name + ".partial")
    count = 0
    with partial.open("wb") as stream:
        for line in lines:
            stream.write(line)
            stream.write(b"\n")
            count += 1
        stream.flush()
        os.fsync(stream.fileno())
    os.replace(partial, path)
    sync_directory(path.parent)
    return count


def sync_directory(directory: Path) -> None:
    """fsync a directory, so that a rename or a new file in it survives a power loss."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def read_json_lines(path: Path) -> tuple[list[Any], str | None]:
    """The JSON values of `path`'s lines, and what was wrong with it, if anything.

    A line cut short by a crash can only be the last one (lines are appended whole); it is dropped. Anything
    unreadable before the last line means the file was damaged: reading stops there and the problem is returned,
    so that the caller keeps the damaged file aside rather than overwrite it.
    """
    if not path.exists():
        return [], None
    with path.open("rb") as stream:
        lines = stream.read().split(b"\n")
    try:
        # The common case, a file written whole: one parse of all its lines is twice as fast as one per line.
        whole: list[Any] = json.loads(b"[" + b",".join(line for line in lines if line.strip()) + b"]")
        return whole, None
    except ValueError:
        pass
    values: list[Any] = []
    # The text after the last newline is a line still being written when the writer died (or nothing).
    last = len(lines) - 1
    for number, line in enumerate(lines):
        if not line.strip():
            continue
        try:
            values.append(json.loads(line))
        except ValueError:
            if number == last:
                break
            return values, f"line {number + 1} of {path.name} cannot be read"
    return values, None


def set_aside(path: Path) -> Path:
    """Rename a damaged file out of the way (kept, never deleted) and return its new name."""
    kept = path.with_name(f"{path.name}.damaged-{time.strftime('%Y%m%dT%H%M%S')}")
    with contextlib.suppress(FileNotFoundError):
        os.replace(path, kept)
    return kept
