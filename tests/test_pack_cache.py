"""The on-disk pack cache: reused while nothing changes, refreshed (and re-validated) when a file changes, and
never unpickling an entry the user did not write."""

from __future__ import annotations

import hashlib
import hmac
import os
import pickle
import shutil
import stat
from pathlib import Path

import pytest

from laqs_assist.errors import PackError
from laqs_assist.packs import cache, load_pack, open_pack
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


# --- Only entries the user wrote are unpickled ---------------------------------------------------------------

ROOT = os.geteuid() == 0
needs_root = pytest.mark.skipif(not ROOT, reason="giving a file to another user needs root")
NOBODY = 65534


class _Plant:
    """Unpickling this touches `marker`: the harmless stand-in for a planted cache file's code."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (Path(self.marker),))


def _plant(tmp_path: Path, name: str = "ran") -> tuple[bytes, Path]:
    marker = tmp_path / f"marker-{name}"
    payload = pickle.dumps(_Plant(marker))
    control = tmp_path / f"control-{name}"
    pickle.loads(pickle.dumps(_Plant(control)))
    assert control.exists()  # the plant is live: unpickling it does run its code
    return payload, marker


def _signed(payload: bytes, key: bytes) -> bytes:
    return cache._MAGIC + hmac.new(key, payload, hashlib.sha256).digest() + payload


def _key_file() -> Path:
    return cache_dir() / cache._KEY_NAME


@pytest.fixture
def loads(monkeypatch):
    """Counts how often the pack is loaded from its YAML rather than served from the cache."""
    from laqs_assist.packs import loader

    calls = []
    real = loader.load_pack

    def counting(path):
        calls.append(path)
        return real(path)

    monkeypatch.setattr(loader, "load_pack", counting)
    return calls


def _cached_entry(pack_copy: Path) -> Path:
    open_pack(pack_copy)
    (entry,) = cache_dir().glob("pack-*.pickle")
    return entry


def _assert_rewritten_and_served(pack_copy: Path, entry: Path, loads: list) -> None:
    """A good entry is back in place: the user's, 0600, signed under the current key, and the next start uses it."""
    st = entry.stat()
    assert st.st_uid == os.geteuid() and stat.S_IMODE(st.st_mode) == 0o600
    data = entry.read_bytes()
    assert data.startswith(cache._MAGIC)
    payload = data[len(cache._MAGIC) + 32:]
    assert data == _signed(payload, _key_file().read_bytes())
    before = len(loads)
    assert open_pack(pack_copy) == load_pack(pack_copy)
    assert len(loads) == before  # served from the rewritten entry


def test_the_folder_key_and_entries_are_private_whatever_the_umask(pack_copy):
    old = os.umask(0)
    try:
        entry = _cached_entry(pack_copy)
    finally:
        os.umask(old)
    assert stat.S_IMODE(cache_dir().stat().st_mode) == 0o700
    assert stat.S_IMODE(entry.stat().st_mode) == 0o600
    key = _key_file()
    assert stat.S_IMODE(key.stat().st_mode) == 0o600 and len(key.read_bytes()) == 32


@pytest.mark.parametrize("form", ["plain pickle", "header, foreign key", "header, no digest"])
def test_a_planted_entry_is_never_unpickled(pack_copy, tmp_path, loads, form):
    entry = _cached_entry(pack_copy)
    payload, marker = _plant(tmp_path)
    planted = {
        "plain pickle": payload,
        "header, foreign key": _signed(payload, os.urandom(32)),
        "header, no digest": cache._MAGIC + payload,
    }[form]
    entry.write_bytes(planted)
    loads.clear()
    assert open_pack(pack_copy) == load_pack(pack_copy)
    assert not marker.exists()
    assert len(loads) == 1
    _assert_rewritten_and_served(pack_copy, entry, loads)


@pytest.mark.parametrize("damage", ["same-length edit", "digest byte", "truncated", "header only"])
def test_a_tampered_entry_is_refused(pack_copy, loads, damage):
    entry = _cached_entry(pack_copy)
    data = entry.read_bytes()
    head = len(cache._MAGIC) + 32
    if damage == "same-length edit":  # still a valid pickle, of a pack with another title
        assert b"Statements only" in data
        data = data.replace(b"Statements only", b"Statements ONLY")
        assert pickle.loads(data[head:]).aspects["1.1"].title == "Statements ONLY"
    elif damage == "digest byte":
        data = data[: head - 1] + bytes([data[head - 1] ^ 1]) + data[head:]
    elif damage == "truncated":
        data = data[: len(data) // 2]
    else:
        data = data[:head]
    entry.write_bytes(data)
    loads.clear()
    pack = open_pack(pack_copy)
    assert pack == load_pack(pack_copy) and pack.aspects["1.1"].title == "Statements only"
    assert len(loads) == 1
    _assert_rewritten_and_served(pack_copy, entry, loads)


def _plant_signed(pack_copy: Path, tmp_path: Path) -> tuple[Path, Path]:
    """A plant signed with the folder's own key, so only the owner and mode checks stand in its way."""
    entry = _cached_entry(pack_copy)
    payload, marker = _plant(tmp_path)
    entry.write_bytes(_signed(payload, _key_file().read_bytes()))
    return entry, marker


def test_a_signed_entry_of_the_users_own_is_trusted(pack_copy, tmp_path):
    # The control for the two tests below: with owner and mode right, a signed entry is unpickled.
    entry, marker = _plant_signed(pack_copy, tmp_path)
    entry.chmod(0o600)
    assert open_pack(pack_copy) == load_pack(pack_copy)  # not a pack, so loaded afresh
    assert marker.exists()


@pytest.mark.parametrize("mode", [0o666, 0o620, 0o602], ids=oct)
def test_an_entry_others_can_write_is_refused(pack_copy, tmp_path, loads, mode):
    entry, marker = _plant_signed(pack_copy, tmp_path)
    entry.chmod(mode)
    loads.clear()
    assert open_pack(pack_copy) == load_pack(pack_copy)
    assert not marker.exists()
    assert len(loads) == 1
    _assert_rewritten_and_served(pack_copy, entry, loads)


@needs_root
def test_an_entry_owned_by_another_user_is_refused(pack_copy, tmp_path, loads):
    entry, marker = _plant_signed(pack_copy, tmp_path)
    entry.chmod(0o600)
    os.chown(entry, NOBODY, NOBODY)  # root can still read it; the owner is what counts
    loads.clear()
    assert open_pack(pack_copy) == load_pack(pack_copy)
    assert not marker.exists()
    assert len(loads) == 1
    _assert_rewritten_and_served(pack_copy, entry, loads)


def test_an_entry_that_is_a_link_is_refused(pack_copy, tmp_path, loads):
    entry, marker = _plant_signed(pack_copy, tmp_path)
    elsewhere = tmp_path / "elsewhere.pickle"
    entry.rename(elsewhere)
    entry.symlink_to(elsewhere)
    loads.clear()
    assert open_pack(pack_copy) == load_pack(pack_copy)
    assert not marker.exists()
    assert len(loads) == 1
    assert not entry.is_symlink()
    _assert_rewritten_and_served(pack_copy, entry, loads)


@pytest.mark.parametrize("fault", ["mode 0644", "mode 0640", "mode 0660", "another user's", "wrong size", "missing"])
def test_a_key_others_could_know_is_replaced(pack_copy, tmp_path, loads, fault):
    entry, marker = _plant_signed(pack_copy, tmp_path)  # as if someone had read the key and signed with it
    key = _key_file()
    old = key.read_bytes()
    if fault.startswith("mode"):
        key.chmod(int(fault[-4:], 8))
    elif fault == "another user's":
        if not ROOT:
            pytest.skip("giving a file to another user needs root")
        os.chown(key, NOBODY, NOBODY)
    elif fault == "wrong size":
        key.write_bytes(old[:16])
    else:
        key.unlink()
    loads.clear()
    assert open_pack(pack_copy) == load_pack(pack_copy)
    assert not marker.exists()
    assert len(loads) == 1
    st = key.stat()
    assert key.read_bytes() != old and len(key.read_bytes()) == 32
    assert st.st_uid == os.geteuid() and stat.S_IMODE(st.st_mode) == 0o600
    _assert_rewritten_and_served(pack_copy, entry, loads)


@pytest.mark.parametrize("fault", ["mode 0777", "mode 0770", "another user's"])
def test_a_cache_folder_others_can_write_is_not_used(pack_copy, tmp_path, loads, fault):
    entry, marker = _plant_signed(pack_copy, tmp_path)
    entry.chmod(0o600)
    folder = cache_dir()
    if fault.startswith("mode"):
        folder.chmod(int(fault[-4:], 8))
    else:
        if not ROOT:
            pytest.skip("giving a folder to another user needs root")
        os.chown(folder, NOBODY, NOBODY)
    planted = entry.read_bytes()
    loads.clear()
    for _ in range(2):
        assert open_pack(pack_copy) == load_pack(pack_copy)
    assert not marker.exists()
    assert len(loads) == 2  # loaded every time: nothing is read from, or written to, such a folder
    assert entry.read_bytes() == planted
