"""The on-disk pack cache: reused while nothing changes, refreshed (and re-validated) when a file changes."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from laqs_assist.errors import PackError
from laqs_assist.packs import open_pack
from laqs_assist.packs.cache import cache_dir

MINIPACK = Path(__file__).parent / "fixtures" / "minipack"


@pytest.fixture
def pack_copy(tmp_path, monkeypatch):
    monkeypatch.setenv("LAQS_CACHE", str(tmp_path / "cache"))
    dest = tmp_path / "minipack"
    shutil.copytree(MINIPACK, dest)
    return dest


def test_a_second_open_is_served_from_the_cache(pack_copy):
    first = open_pack(pack_copy)
    cached = list(cache_dir().glob("pack-*.pickle"))
    assert len(cached) == 1
    second = open_pack(pack_copy)
    assert second is not first  # read back from disk, not the same object
    assert second.id == first.id and set(second.criteria) == set(first.criteria)
    assert second.aspects["1.1"].criteria == first.aspects["1.1"].criteria


def test_a_changed_file_is_loaded_afresh(pack_copy):
    open_pack(pack_copy)
    aspect = pack_copy / "aspects" / "1.1.yaml"
    aspect.write_text(aspect.read_text().replace("Statements only", "Statements, edited"))
    os.utime(aspect, ns=(aspect.stat().st_atime_ns, aspect.stat().st_mtime_ns + 1_000_000))
    assert open_pack(pack_copy).aspects["1.1"].title == "Statements, edited"


def test_a_pack_broken_after_caching_still_fails_with_its_line(pack_copy):
    open_pack(pack_copy)
    aspect = pack_copy / "aspects" / "1.1.yaml"
    aspect.write_text(aspect.read_text().replace("group: \"1\"", "group: \"9\""))
    os.utime(aspect, ns=(aspect.stat().st_atime_ns, aspect.stat().st_mtime_ns + 1_000_000))
    with pytest.raises(PackError) as info:
        open_pack(pack_copy)
    assert "aspects/1.1.yaml:" in info.value.line() and "'9'" in info.value.line()


def test_an_unusable_cache_folder_only_means_loading(pack_copy, tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    monkeypatch.setenv("LAQS_CACHE", str(blocker / "cache"))
    assert open_pack(pack_copy).id == "mini"


def test_a_damaged_cache_file_is_replaced(pack_copy):
    open_pack(pack_copy)
    (entry,) = cache_dir().glob("pack-*.pickle")
    entry.write_bytes(b"not a pickle")
    assert open_pack(pack_copy).id == "mini"
    assert entry.read_bytes() != b"not a pickle"


def _touch(path: Path) -> None:
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 1_000_000))


def test_one_entry_is_kept_per_pack_folder(pack_copy, tmp_path):
    open_pack(pack_copy)
    aspect = pack_copy / "aspects" / "1.1.yaml"
    for _ in range(3):
        _touch(aspect)
        open_pack(pack_copy)
    assert len(list(cache_dir().glob("pack-*.pickle"))) == 1
    other = tmp_path / "other"
    shutil.copytree(MINIPACK, other)
    open_pack(other)
    open_pack(pack_copy)
    assert len(list(cache_dir().glob("pack-*.pickle"))) == 2  # another folder has its own entry


def test_a_change_to_the_model_code_loads_afresh(pack_copy, tmp_path, monkeypatch):
    from laqs_assist.packs import cache

    code = tmp_path / "model_stand_in.py"
    code.write_text("# stands in for the model module\n")
    monkeypatch.setattr(cache, "_CODE", (*cache._CODE, str(code)))
    open_pack(pack_copy)
    (before,) = cache_dir().glob("pack-*.pickle")
    _touch(code)
    open_pack(pack_copy)
    (after,) = cache_dir().glob("pack-*.pickle")
    assert after.name != before.name  # a new entry; the stale one is gone


def test_entries_named_before_folders_had_a_prefix_are_removed(pack_copy):
    cache_dir().mkdir(parents=True)
    legacy = cache_dir() / "pack-0123456789abcdef01234567.pickle"
    legacy.write_bytes(b"old")
    open_pack(pack_copy)
    assert not legacy.exists()
    assert len(list(cache_dir().glob("pack-*.pickle"))) == 1
