"""Atomic file replacement: a file is either the old one or the complete new one, never half.

Everything is written to a temporary file in the target's folder, flushed to disk (fsync) and
renamed over the target only when complete (POSIX ``rename`` is atomic within a file system).
On any failure (a full disk: ENOSPC, a quota, an exception of the writer) the temporary file is
removed and the old file is untouched. A symlink is followed: its target is replaced and the
link stays a link. An existing file keeps its permission bits (and, if we may, its owner); a new
one gets the usual ``0666 & ~umask``. Special files (devices such as ``/dev/full``, FIFOs,
sockets) and folders are refused with :class:`UnsafeTargetError` before anything is written.

Use :func:`atomic_write` for file objects (text, bytes, ``np.savez(f, ...)``) and
:func:`atomic_path` for writers that want a file name (pyqtgraph exporters): the temporary name
keeps the target's extension, so a writer that picks its format by suffix still works.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from collections.abc import Iterator
from typing import IO


class UnsafeTargetError(OSError):
    """The target exists but is not a regular file (a folder, device, FIFO or socket)."""


def describe(exc: OSError, path: str | os.PathLike) -> str:
    """One line for the user: ``cannot write PATH: reason`` (``No space left on device``...)."""
    if isinstance(exc, UnsafeTargetError):  # str() would start with "[Errno 22]"
        return exc.strerror or str(exc)
    reason = exc.strerror or str(exc) or type(exc).__name__
    return f"cannot write {os.fspath(path)}: {reason}"


def resolve_target(path: str | os.PathLike) -> str:
    """The file that writing ``path`` replaces: symlinks followed; refuse non-regular files.

    Raises :class:`UnsafeTargetError` for a folder or a special file, FileNotFoundError when
    the folder does not exist.
    """
    shown = os.fspath(path)
    target = os.path.realpath(shown)
    try:
        st = os.stat(target)
    except FileNotFoundError:
        st = None
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise UnsafeTargetError(errno.EISDIR, f"cannot write {shown}: it is a folder")
    if st is not None and not stat.S_ISREG(st.st_mode):
        raise UnsafeTargetError(errno.EINVAL, f"cannot write {shown}: it is not a regular file "
                                              "(a device, FIFO or socket); choose a file name")
    folder = os.path.dirname(target) or "."
    if not os.path.isdir(folder):
        raise FileNotFoundError(errno.ENOENT, f"folder {folder} does not exist", folder)
    return target


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _copy_mode(tmp: str, target: str) -> None:
    """Give ``tmp`` the target's permissions (and owner, where allowed), or the default mode."""
    try:
        st = os.stat(target)
    except FileNotFoundError:
        os.chmod(tmp, 0o666 & ~_umask())
        return
    os.chmod(tmp, stat.S_IMODE(st.st_mode))
    if hasattr(os, "chown"):
        with contextlib.suppress(OSError):  # only root may give a file away; keep ours then
            tmp_st = os.stat(tmp)
            if (tmp_st.st_uid, tmp_st.st_gid) != (st.st_uid, st.st_gid):
                os.chown(tmp, st.st_uid, st.st_gid)


def _fsync_file(path: str) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_folder(folder: str) -> None:
    with contextlib.suppress(OSError):  # not every platform/file system allows it
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[str]:
    """Yield a temporary file name to write; on success it replaces ``path`` atomically.

    The name lies in the target's folder and ends in the target's extension. If the block
    raises, the temporary file is removed, the old file stays as it was and the exception
    propagates.
    Raises :class:`UnsafeTargetError` for folders and special files.
    """
    target = resolve_target(path)
    folder, name = os.path.split(target)
    stem, ext = os.path.splitext(name)
    fd, tmp = tempfile.mkstemp(prefix=f".{stem}.", suffix=f".tmp{ext}", dir=folder or ".")
    os.close(fd)
    try:
        yield tmp
        if not os.path.exists(tmp):
            raise OSError(errno.EIO, f"nothing was written to {os.fspath(path)}")
        _fsync_file(tmp)
        _copy_mode(tmp, target)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_folder(folder or ".")


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike, mode: str = "w", *, encoding: str | None = "utf-8",
                 newline: str | None = None) -> Iterator[IO]:
    """Open a temporary file for writing (``mode`` "w" or "wb"); replace ``path`` on success.

    Text mode uses ``encoding`` (default UTF-8) and ``newline``. The file is flushed and
    fsynced before the rename, so ENOSPC surfaces here as OSError with the old file intact.
    """
    if mode not in ("w", "wb"):
        raise ValueError(f"atomic_write writes with mode 'w' or 'wb', not {mode!r}")
    with atomic_path(path) as tmp:
        if mode == "wb":
            f = open(tmp, "wb")  # noqa: SIM115 - closed below, before the rename
        else:
            f = open(tmp, "w", encoding=encoding, newline=newline)  # noqa: SIM115
        with f:
            yield f
            f.flush()
            os.fsync(f.fileno())


def write_text(path: str | os.PathLike, text: str, *, newline: str | None = None) -> None:
    """Atomically replace ``path`` with ``text`` (UTF-8)."""
    with atomic_write(path, "w", newline=newline) as f:
        f.write(text)


def write_bytes(path: str | os.PathLike, data: bytes) -> None:
    """Atomically replace ``path`` with ``data``."""
    with atomic_write(path, "wb") as f:
        f.write(data)
