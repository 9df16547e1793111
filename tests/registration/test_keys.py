"""Event signing keys: created once, private on disk, rotated without orphaning badges."""

from __future__ import annotations

import multiprocessing
import os
import stat
import threading
from pathlib import Path

import pytest

from expo.registration import keys, tokens
from expo.registration.keys import KeyStoreError
from expo.registration.tokens import BadgeClaims

EVENT = 25


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_first_use_writes_one_private_key_file_readable_only_by_its_owner(tmp_path):
    keys_dir = tmp_path / "keys"
    event_keys = keys.load_or_create(keys_dir, EVENT)
    assert event_keys.current_key_id == 1
    assert [p.name for p in keys_dir.iterdir()] == ["event-25-k1.pem"]
    assert _mode(keys_dir / "event-25-k1.pem") == 0o600
    assert _mode(keys_dir) == 0o700


def test_key_directory_is_0700_even_under_a_permissive_umask(tmp_path):
    old = os.umask(0)
    try:
        keys.load_or_create(tmp_path / "a" / "keys", EVENT)
    finally:
        os.umask(old)
    assert _mode(tmp_path / "a" / "keys") == 0o700
    assert _mode(tmp_path / "a" / "keys" / "event-25-k1.pem") == 0o600


def test_loading_again_gives_the_same_key(tmp_path):
    first = keys.load_or_create(tmp_path, EVENT).public_keys_raw()
    second = keys.load_or_create(tmp_path, EVENT).public_keys_raw()
    assert first == second
    assert len(list(tmp_path.iterdir())) == 1


def test_each_event_has_its_own_key(tmp_path):
    expo = keys.load_or_create(tmp_path, 25).public_keys_raw()
    ascn = keys.load_or_create(tmp_path, 8).public_keys_raw()
    assert expo[1] != ascn[1]


def test_raw_public_keys_are_32_bytes_for_the_browser(tmp_path):
    raw = keys.load_or_create(tmp_path, EVENT).public_keys_raw()
    assert {kid: len(key) for kid, key in raw.items()} == {1: 32}


def test_current_key_signs_tokens_its_public_key_verifies(tmp_path):
    event_keys = keys.load_or_create(tmp_path, EVENT)
    claims = BadgeClaims(EVENT, 4821, 1, event_keys.current_key_id)
    text = tokens.issue(claims, event_keys.private_key(event_keys.current_key_id))
    assert tokens.verify(text, event_keys.public_keys(), event_id=EVENT) == claims


def test_rotation_makes_a_new_current_key_and_old_badges_still_verify(tmp_path):
    event_keys = keys.load_or_create(tmp_path, EVENT)
    before = tokens.issue(BadgeClaims(EVENT, 1, 1, 1), event_keys.private_key(1))
    assert event_keys.rotate() == 2
    after = tokens.issue(BadgeClaims(EVENT, 2, 1, 2), event_keys.private_key())

    reloaded = keys.load_or_create(tmp_path, EVENT)
    assert reloaded.current_key_id == 2
    assert tokens.verify(before, reloaded.public_keys(), event_id=EVENT).key_id == 1
    assert tokens.verify(after, reloaded.public_keys(), event_id=EVENT).key_id == 2
    assert _mode(tmp_path / "event-25-k2.pem") == 0o600


def test_rotating_a_stale_copy_adopts_the_key_another_process_just_added(tmp_path):
    first = keys.load_or_create(tmp_path, EVENT)
    second = keys.load_or_create(tmp_path, EVENT)
    first.rotate()
    second.rotate()
    assert first.public_keys_raw() == second.public_keys_raw()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["event-25-k1.pem", "event-25-k2.pem"]


def test_private_key_of_unknown_id_is_a_key_error(tmp_path):
    with pytest.raises(KeyError):
        keys.load_or_create(tmp_path, EVENT).private_key(9)


def test_key_file_readable_by_others_is_refused(tmp_path):
    keys.load_or_create(tmp_path, EVENT)
    (tmp_path / "event-25-k1.pem").chmod(0o644)
    with pytest.raises(KeyStoreError, match="chmod 600"):
        keys.load_or_create(tmp_path, EVENT)


def test_repr_shows_no_key_material(tmp_path):
    event_keys = keys.load_or_create(tmp_path, EVENT)
    assert "PRIVATE" not in repr(event_keys)
    assert "key_ids=[1]" in repr(event_keys)


def test_threads_creating_the_first_key_at_once_share_one_key(tmp_path):
    start = threading.Barrier(8)
    results: list[dict[int, bytes]] = []

    def create() -> None:
        start.wait()
        results.append(keys.load_or_create(tmp_path, EVENT).public_keys_raw())

    threads = [threading.Thread(target=create) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 8
    assert all(result == results[0] for result in results)
    assert [p.name for p in tmp_path.iterdir()] == ["event-25-k1.pem"]


def _create_in_child(keys_dir: str, start, results) -> None:
    start.wait()
    results.put(keys.load_or_create(Path(keys_dir), EVENT).public_keys_raw()[1])


def test_processes_creating_the_first_key_at_once_share_one_key(tmp_path):
    # spawn, not fork: a forked copy of the pytest process is not what production runs.
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(4)
    results = context.Queue()
    children = [
        context.Process(target=_create_in_child, args=(str(tmp_path), start, results))
        for _ in range(4)
    ]
    for child in children:
        child.start()
    public_keys = [results.get(timeout=60) for _ in children]
    for child in children:
        child.join(timeout=60)
        assert child.exitcode == 0
    assert len(set(public_keys)) == 1
    assert [p.name for p in tmp_path.iterdir()] == ["event-25-k1.pem"]
    assert public_keys[0] == keys.load_or_create(tmp_path, EVENT).public_keys_raw()[1]
