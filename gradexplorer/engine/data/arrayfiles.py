"""Reading a user's array file sized from its headers first, in cancellable chunks.

Before any data is read, a ``.npy`` file's header (shape, dtype), a ``.npz`` member's declared
uncompressed size (zip central directory) and header, and a ``.csv`` file's first line (column
count) and size give the table's size; a table with more than ``MAX_WIDTH`` feature columns, or
one whose loading would need more than the memory limit (``MEMORY_FRACTION`` of the available
memory), is refused at once. The data are then read in blocks of ``CHUNK_BYTES`` with a cancel
check between blocks, and never beyond the size the header declared (a compressed member that
inflates further is not inflated further).

Every problem raises :class:`FileProblem` with one line for the user (the caller prefixes the
file name).
"""

from __future__ import annotations

import csv
import io
import math
import zipfile
from collections.abc import Iterator
from typing import IO, Any, cast

import numpy as np

from gradexplorer.engine.compute.cancel import CancelCheck
from gradexplorer.engine.compute.memory import MEMORY_FRACTION, available_bytes, format_bytes
from gradexplorer.engine.model.spec import MAX_WIDTH

__all__ = ["CHUNK_BYTES", "LOAD_FACTOR", "FileProblem", "check_table_fits", "read_npy",
           "read_npz", "read_csv_rows"]

#: Bytes read between two cancel checks.
CHUNK_BYTES = 8 * 2**20
#: Bytes per cell while a table is loaded: the float64 table, the per-feature statistics'
#: temporaries (three float64 arrays of the table's size) and one more copy (the raw dtype or
#: the CSV rows before stacking).
LOAD_FACTOR = 5 * 8
_MAX_HEADER = 1 << 20


class FileProblem(ValueError):
    """One line saying why the file cannot be loaded (without the file name)."""


def check_table_fits(rows: int, cols: int, *, label_columns: int = 0,
                     available: int | None = None) -> None:
    """Refuse a table of ``rows × cols`` cells before it is read.

    Parameters
    ----------
    rows, cols : the declared (or, for CSV, estimated) table size; ``cols`` counts every column.
    label_columns : columns that may be a label and not a feature (CSV: 1).
    available : bytes available (default: ``memory.available_bytes()``).

    Raises
    ------
    FileProblem
        More than ``MAX_WIDTH`` (8192) feature columns, or ``LOAD_FACTOR`` bytes per cell exceed
        ``MEMORY_FRACTION`` of the available memory.
    """
    if cols - label_columns > MAX_WIDTH:
        raise FileProblem(f"has {cols:,} columns; at most {MAX_WIDTH} features are supported")
    need = LOAD_FACTOR * rows * cols
    available = available_bytes() if available is None else available
    if need > MEMORY_FRACTION * available:
        raise FileProblem(f"holds {rows:,} × {cols:,} values; loading them needs about "
                          f"{format_bytes(need)} of memory but only {format_bytes(available)} "
                          "is available")


def _header(fh: IO[bytes]) -> tuple[tuple[int, ...], bool, np.dtype[Any]]:
    """(shape, fortran_order, dtype) from an open ``.npy`` stream positioned at its start."""
    fmt = np.lib.format
    try:
        version = fmt.read_magic(fh)
        if version == (1, 0):
            shape, fortran, dtype = fmt.read_array_header_1_0(fh, max_header_size=_MAX_HEADER)
        elif version == (2, 0):
            shape, fortran, dtype = fmt.read_array_header_2_0(fh, max_header_size=_MAX_HEADER)
        else:
            raise FileProblem(f"uses .npy format version {version[0]}.{version[1]}; save it "
                              "with numpy.save")
    except FileProblem:
        raise
    except (ValueError, OSError, EOFError) as exc:
        raise FileProblem(f"has a damaged NumPy header ({str(exc).splitlines()[0][:120]})") \
            from None
    if dtype.hasobject or dtype.fields is not None or dtype.kind not in "biuf":
        raise FileProblem(f"holds {dtype} values, not real numbers")
    return tuple(int(n) for n in shape), bool(fortran), dtype


def _read_body(fh: io.BufferedIOBase, shape: tuple[int, ...], fortran: bool, dtype: np.dtype[Any],
               check: CancelCheck, limit: int | None) -> np.ndarray:
    count = math.prod(shape)
    nbytes = count * dtype.itemsize
    if limit is not None and nbytes > limit:
        raise FileProblem(f"is damaged: its header declares {nbytes:,} bytes of data but the "
                          f"archive member holds {limit:,}")
    flat = np.empty(count, dtype=dtype)
    buf = memoryview(flat.view(np.uint8).data)
    pos = 0
    while pos < nbytes:
        check()
        n = fh.readinto(buf[pos:pos + CHUNK_BYTES])
        if not n:
            raise FileProblem(f"is truncated: {pos:,} of {nbytes:,} data bytes present")
        pos += n
    return np.asarray(flat.reshape(shape, order="F" if fortran else "C"))


def _check_array_shape(shape: tuple[int, ...]) -> None:
    if len(shape) == 2:
        check_table_fits(shape[0], shape[1])
    elif math.prod(shape) * 8 * 2 > MEMORY_FRACTION * available_bytes():
        raise FileProblem(f"holds an array of shape {shape}, too large for the memory available")


def read_npy(path: str, check: CancelCheck) -> np.ndarray:
    """The array of a ``.npy`` file (any shape; the caller checks 2-D), sized first.

    Raises
    ------
    FileProblem
        Damaged header, non-numeric dtype, too many features or too large (see
        :func:`check_table_fits`), truncated data. ``Cancelled`` if ``check`` fires.
    """
    with open(path, "rb") as fh:
        shape, fortran, dtype = _header(fh)
        _check_array_shape(shape)
        return _read_body(fh, shape, fortran, dtype, check, None)


def read_npz(path: str, check: CancelCheck) -> tuple[np.ndarray | None, np.ndarray | None,
                                                      list[str]]:
    """Arrays ``x`` and ``y`` of a ``.npz`` file (either may be None) and the member names.

    Each member's declared uncompressed size (from the zip directory) is checked against the
    memory limit before it is opened, and its ``.npy`` header before its data are inflated;
    inflation stops at the size the header declares.

    Raises
    ------
    FileProblem
        As :func:`read_npy`, or a member declared larger than the memory limit allows.
    """
    with zipfile.ZipFile(path) as zf:
        infos = {i.filename[:-4] if i.filename.endswith(".npy") else i.filename: i
                 for i in zf.infolist()}
        out: dict[str, np.ndarray | None] = {"x": None, "y": None}
        for key in ("x", "y"):
            info = infos.get(key)
            if info is None:
                continue
            declared = int(info.file_size)  # the zip directory's uncompressed size
            need = declared + LOAD_FACTOR * declared // 8  # raw + float64 work (≥ 8-byte cells)
            available = available_bytes()
            if need > MEMORY_FRACTION * available:
                raise FileProblem(f"array {key} declares {format_bytes(declared)} uncompressed; "
                                  f"loading it needs at least {format_bytes(need)} of memory "
                                  f"but only {format_bytes(available)} is available")
            with zf.open(info) as raw:
                # a ZipExtFile has the readinto a BufferedReader needs of its raw stream
                fh = io.BufferedReader(cast(io.RawIOBase, raw), buffer_size=CHUNK_BYTES)
                shape, fortran, dtype = _header(fh)
                if key == "x":
                    _check_array_shape(shape)
                out[key] = _read_body(fh, shape, fortran, dtype, check, declared)
    return out["x"], out["y"], sorted(infos)


def read_csv_rows(path: str, check: CancelCheck, size: int) -> Iterator[tuple[int, list[str]]]:
    """Yield ``(line number, cells)`` of the non-blank rows of a CSV file, sized first.

    The first line's column count is checked against ``MAX_WIDTH`` (+ a label column) before the
    rest is read (a line is read in blocks, so a 1,000,000-column line is refused after its
    first block of ``CHUNK_BYTES``), and the rows estimated from the file size and the first
    line's length against the memory limit; the caller re-checks as rows accumulate.

    Raises
    ------
    FileProblem
        Too many columns, or too large. ``UnicodeDecodeError`` for a non-UTF-8 file.
    """
    with open(path, encoding="utf-8-sig", newline="") as fh:
        head = ""
        while "\n" not in head:
            check()
            block = fh.read(CHUNK_BYTES)
            if not block:
                break
            head += block
            cols = head.split("\n", 1)[0].count(",") + 1
            if cols > MAX_WIDTH + 1:
                raise FileProblem(f"has {cols:,}+ columns; at most {MAX_WIDTH} features are "
                                  "supported")
        first = head.split("\n", 1)[0]
        cols = first.count(",") + 1
        rows = max(1, size // max(1, len(first.encode("utf-8")) + 1))
        check_table_fits(rows, cols, label_columns=1)
        fh.seek(0)
        for i, r in enumerate(csv.reader(fh)):
            check()
            if len(r) > 1 or (r and r[0].strip()):
                yield i + 1, [c.strip() for c in r]
