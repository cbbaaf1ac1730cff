"""Atomic writes: the old file survives any failure, no temporary file is left behind,
symlinks are followed, permissions kept, special files refused."""

from __future__ import annotations

import errno
import os
import stat

import numpy as np
import pytest

from gradexplorer.io import atomic


def _enospc(*args, **kwargs):
    raise OSError(errno.ENOSPC, "No space left on device")


def _listing(folder):
    return sorted(p.name for p in folder.iterdir())


def test_text_bytes_and_npz_replace_the_file(tmp_path):
    path = tmp_path / "a.txt"
    atomic.write_text(path, "héllo\n")
    assert path.read_text(encoding="utf-8") == "héllo\n"
    atomic.write_bytes(path, b"\x00\x01")
    assert path.read_bytes() == b"\x00\x01"
    npz = tmp_path / "run.npz"
    with atomic.atomic_write(npz, "wb") as f:
        np.savez(f, x=np.arange(5.0))
    with np.load(npz) as z:
        np.testing.assert_array_equal(z["x"], np.arange(5.0))
    assert _listing(tmp_path) == ["a.txt", "run.npz"]


def test_failing_writer_keeps_the_old_file_and_removes_the_temporary(tmp_path):
    path = tmp_path / "old.npz"
    with atomic.atomic_write(path, "wb") as f:
        np.savez(f, x=np.ones(3))
    before = path.read_bytes()

    class Full:
        """A file object that takes a few bytes, then reports a full disk."""

        def __init__(self, f):
            self.f, self.n = f, 0

        def write(self, data):
            self.n += 1
            if self.n > 2:
                _enospc()
            return self.f.write(data)

        def __getattr__(self, name):
            return getattr(self.f, name)

    with pytest.raises(OSError) as info, atomic.atomic_write(path, "wb") as f:
        np.savez(Full(f), x=np.zeros(10_000))
    assert info.value.errno == errno.ENOSPC
    assert path.read_bytes() == before
    assert _listing(tmp_path) == ["old.npz"]


def test_failing_fsync_or_rename_keeps_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "s.json"
    path.write_text("old")
    monkeypatch.setattr(os, "fsync", _enospc)
    with pytest.raises(OSError):
        atomic.write_text(path, "new")
    monkeypatch.undo()
    monkeypatch.setattr(os, "replace", _enospc)
    with pytest.raises(OSError):
        atomic.write_text(path, "new")
    assert path.read_text() == "old" and _listing(tmp_path) == ["s.json"]


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full")
def test_dev_full_is_refused_not_overwritten():
    with pytest.raises(atomic.UnsafeTargetError, match="not a regular file"):
        atomic.write_text("/dev/full", "x")


def test_fifo_and_folder_are_refused(tmp_path):
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    with pytest.raises(atomic.UnsafeTargetError, match="not a regular file"):
        atomic.write_text(fifo, "x")
    with pytest.raises(atomic.UnsafeTargetError, match="it is a folder"):
        atomic.write_text(tmp_path, "x")
    with pytest.raises(FileNotFoundError):
        atomic.write_text(tmp_path / "missing" / "a.txt", "x")
    assert _listing(tmp_path) == ["pipe.json"]


def test_symlink_is_followed_and_stays_a_link(tmp_path):
    target = tmp_path / "real.json"
    target.write_text("old")
    link = tmp_path / "link.json"
    link.symlink_to(target)
    atomic.write_text(link, "new")
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert target.read_text() == "new"


def test_permissions_of_an_existing_file_are_kept(tmp_path):
    path = tmp_path / "private.json"
    path.write_text("old")
    os.chmod(path, 0o600)
    atomic.write_text(path, "new")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    os.chmod(path, 0o640)
    atomic.write_text(path, "newer")
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


def test_a_new_file_gets_the_umask_mode_not_mkstemps_0600(tmp_path):
    old = os.umask(0o022)
    try:
        atomic.write_text(tmp_path / "new.txt", "x")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "new.txt").stat().st_mode) == 0o644


def test_path_writers_get_a_temporary_name_with_the_same_extension(tmp_path):
    path = tmp_path / "plot.png"
    path.write_bytes(b"old image")
    with atomic.atomic_path(path) as tmp:
        assert tmp.endswith(".png") and os.path.dirname(tmp) == str(tmp_path)
        with open(tmp, "wb") as f:
            f.write(b"new image")
    assert path.read_bytes() == b"new image"
    with pytest.raises(RuntimeError), atomic.atomic_path(path) as tmp:
        with open(tmp, "wb") as f:
            f.write(b"half")
        raise RuntimeError("exporter failed")
    assert path.read_bytes() == b"new image" and _listing(tmp_path) == ["plot.png"]


def test_describe_is_one_line():
    assert atomic.describe(OSError(errno.ENOSPC, "No space left on device"), "/x/a.json") == \
        "cannot write /x/a.json: No space left on device"


def test_describe_of_a_refused_target_has_no_errno_prefix(tmp_path):
    fifo = tmp_path / "pipe.npz"
    os.mkfifo(fifo)
    with pytest.raises(atomic.UnsafeTargetError) as info:
        atomic.resolve_target(fifo)
    line = atomic.describe(info.value, fifo)
    assert line.startswith(f"cannot write {fifo}: it is not a regular file")
    assert "Errno" not in line
