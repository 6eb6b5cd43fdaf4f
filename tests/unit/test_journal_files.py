"""The data directory's files read back: the snapshot with the journal applied, as a crash may have left them."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from aisre.local.datafiles import AppendLog, DataDirInUseError, lock_data_dir, read_json_lines, write_atomically
from aisre.local.journal import read_kept_items

KEYS = ("pk", "sk")
NOW = 1_000_000.0


def item(pk: str, sk: str = "a", **attributes: dict[str, str]) -> dict[str, dict[str, str]]:
    return {"pk": {"S": pk}, "sk": {"S": sk}, **attributes}


def key(pk: str, sk: str = "a") -> dict[str, dict[str, str]]:
    return {"pk": {"S": pk}, "sk": {"S": sk}}


def write_lines(path: Path, values: list[object], tail: bytes = b"") -> None:
    path.write_bytes(b"".join(json.dumps(value).encode() + b"\n" for value in values) + tail)


def snapshot_header(ttl_attribute: str | None = None) -> dict[str, object]:
    return {"format": 1, "table": "t", "ttl_attribute": ttl_attribute, "written_at": NOW}


def kept(tmp_path: Path, now: float = NOW) -> dict[str, dict[str, dict[str, str]]]:
    result = read_kept_items(tmp_path / "t.snapshot.jsonl", tmp_path / "t.journal.jsonl", KEYS, now)
    return {value["pk"]["S"]: value for value in result.items.values()}


def test_the_journal_applies_in_order_over_the_snapshot(tmp_path: Path) -> None:
    write_lines(tmp_path / "t.snapshot.jsonl", [snapshot_header(), item("a", n={"N": "1"}), item("b")])
    write_lines(
        tmp_path / "t.journal.jsonl",
        [
            {"put": [item("a", n={"N": "2"}), item("c")], "delete": []},
            {"put": [], "delete": [key("b")]},
            {"put": [item("a", n={"N": "3"})], "delete": []},
        ],
    )
    assert kept(tmp_path) == {"a": item("a", n={"N": "3"}), "c": item("c")}


def test_replaying_a_journal_the_snapshot_already_holds_changes_nothing(tmp_path: Path) -> None:
    # A crash between writing the new snapshot and emptying the journal leaves both: after-images replay safely.
    journal = [{"put": [item("a", n={"N": "2"})], "delete": [key("b")]}, {"put": [item("c")], "delete": []}]
    write_lines(tmp_path / "t.journal.jsonl", journal)
    write_lines(tmp_path / "t.snapshot.jsonl", [snapshot_header(), item("a", n={"N": "1"}), item("b")])
    once = kept(tmp_path)
    write_lines(tmp_path / "t.snapshot.jsonl", [snapshot_header(), *once.values()])
    assert kept(tmp_path) == once == {"a": item("a", n={"N": "2"}), "c": item("c")}


def test_items_past_their_ttl_are_dropped_and_the_ttl_attribute_is_remembered(tmp_path: Path) -> None:
    write_lines(
        tmp_path / "t.snapshot.jsonl",
        [
            snapshot_header("expires"),
            item("old", expires={"N": str(NOW - 1)}),
            item("new", expires={"N": str(NOW + 60)}),
        ],
    )
    write_lines(tmp_path / "t.journal.jsonl", [{"put": [item("gone", expires={"N": "5"}), item("kept")], "delete": []}])
    result = read_kept_items(tmp_path / "t.snapshot.jsonl", tmp_path / "t.journal.jsonl", KEYS, NOW)
    assert sorted(value["pk"]["S"] for value in result.items.values()) == ["kept", "new"]
    assert (result.expired, result.ttl_attribute) == (2, "expires")


def test_a_ttl_set_in_the_journal_applies_to_the_snapshot_too(tmp_path: Path) -> None:
    write_lines(tmp_path / "t.snapshot.jsonl", [snapshot_header(), item("old", ttl={"N": "1"})])
    write_lines(tmp_path / "t.journal.jsonl", [{"ttl_attribute": "ttl"}])
    assert kept(tmp_path) == {}


def test_a_line_cut_short_at_the_end_is_dropped_and_nothing_else(tmp_path: Path) -> None:
    write_lines(tmp_path / "t.journal.jsonl", [{"put": [item("a")], "delete": []}], tail=b'{"put":[{"pk":{"S":"b"')
    result = read_kept_items(tmp_path / "t.snapshot.jsonl", tmp_path / "t.journal.jsonl", KEYS, NOW)
    assert [value["pk"]["S"] for value in result.items.values()] == ["a"]
    assert result.problems == []


def test_damage_before_the_last_line_stops_the_read_and_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "t.journal.jsonl"
    path.write_bytes(
        b'{"put":[{"pk":{"S":"a"},"sk":{"S":"a"}}],"delete":[]}\n\x00\x00garbage\n{"put":[],"delete":[]}\n'
    )
    values, problem = read_json_lines(path)
    assert values == [{"put": [item("a")], "delete": []}]
    assert problem == "line 2 of t.journal.jsonl cannot be read"


def test_a_missing_file_reads_as_empty(tmp_path: Path) -> None:
    assert read_json_lines(tmp_path / "nothing.jsonl") == ([], None)
    assert kept(tmp_path) == {}


def test_an_append_log_adds_whole_lines_and_a_new_one_can_start_empty(tmp_path: Path) -> None:
    path = tmp_path / "log.jsonl"
    log = AppendLog(path)
    log.append(b'{"a":1}')
    log.append(b'{"b":2}')
    log.sync()
    log.close()
    assert read_json_lines(path) == ([{"a": 1}, {"b": 2}], None)
    AppendLog(path, truncate=True).close()
    assert path.read_bytes() == b""


def test_an_atomic_write_replaces_the_file_whole(tmp_path: Path) -> None:
    path = tmp_path / "snapshot.jsonl"
    path.write_bytes(b"old\n")
    assert write_atomically(path, iter([b"1", b"2"])) == 2
    assert path.read_bytes() == b"1\n2\n"
    assert sorted(entry.name for entry in tmp_path.iterdir()) == ["snapshot.jsonl"]


def test_a_data_dir_is_locked_by_one_process_at_a_time(tmp_path: Path) -> None:
    fd = lock_data_dir(tmp_path / "data")
    try:
        assert (tmp_path / "data" / "LOCK").read_text() == str(os.getpid())
        # flock is per open file: a second open, as another process would make, is refused.
        with pytest.raises(DataDirInUseError, match=r"in use by another aisre emulator \(pid \d+\)"):
            lock_data_dir(tmp_path / "data", wait_seconds=0.2)
    finally:
        os.close(fd)
    os.close(lock_data_dir(tmp_path / "data", wait_seconds=0.2))
