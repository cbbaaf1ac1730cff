"""A user's table of numbers: comma-separated text parsed into features and class labels.

Every problem raises :class:`~gradexplorer.engine.data.arrayfiles.FileProblem` with one line
for the user; :mod:`~gradexplorer.engine.data.inputs` adds the file's name. The rows are read
by :func:`~gradexplorer.engine.data.arrayfiles.read_csv_rows` (sized from the first line and
the file size, cancellable).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from gradexplorer.engine.compute.cancel import CancelCheck
from gradexplorer.engine.data.arrayfiles import FileProblem, check_table_fits, read_csv_rows
from gradexplorer.engine.model.spec import MAX_WIDTH

__all__ = ["LABEL_COLUMNS", "SEPARATORS", "features", "read_text_table", "whole_labels"]

#: Header names of the label column (any case).
LABEL_COLUMNS = ("label", "y")
#: What a one-column text file whose cells hold several numbers is told.
SEPARATORS = "has values separated by spaces, ';' or tabs; separate values with commas"


def read_text_table(path: str, size: int, check: CancelCheck
                    ) -> tuple[np.ndarray, np.ndarray | None]:
    """(features (rows, n) float64, labels (rows,) int64 or None) of a comma-separated file.

    Blank lines are skipped; the first row is a header when none of its cells is a number, and
    a header column ``label`` or ``y`` (any case) holds the labels. Rows in messages are 1-based
    file lines. Raises FileProblem (one line; the caller adds the file's name) or
    :class:`~gradexplorer.engine.compute.cancel.Cancelled`.
    """
    rows = read_csv_rows(path, check, size)
    header: tuple[int, list[str]] | None = None
    ref: tuple[int, list[str]] | None = None
    values: list[np.ndarray] = []
    line_no: list[int] = []
    all_single, last = True, None
    for row, cells in rows:
        if ref is None:
            if header is None and not any(_is_number(c) for c in cells):
                header = (row, cells)
                continue
            ref = header or (row, cells)
        all_single, last = all_single and len(cells) == 1, cells
        if len(cells) != len(ref[1]):
            raise FileProblem(f"row {row} has {len(cells)} values but row {ref[0]} has "
                              f"{len(ref[1])}")
        values.append(_row_values(row, cells))
        line_no.append(row)
        if len(values) % 4096 == 0:  # the size estimate from the first line was only an estimate
            check_table_fits(len(values), len(cells), label_columns=1)
    tail = last if values else (header[1] if header else None)  # old rule: all rows 1 cell
    if tail is not None and all_single and len(tail) == 1 and _other_separator(tail[0]):
        raise FileProblem(SEPARATORS)
    if not values:
        raise FileProblem("has a header row but no data rows" if header else
                          "has no data (only blank lines)")
    table = np.array(values, dtype=np.float64)
    del values
    cols = [j for j, c in enumerate(header[1] if header else []) if c.lower() in LABEL_COLUMNS]
    if table.shape[1] - min(len(cols), 1) > MAX_WIDTH:
        raise FileProblem(f"has {table.shape[1] - min(len(cols), 1):,} feature columns; at most "
                          f"{MAX_WIDTH} are supported")
    if not cols:
        return table, None
    if len(cols) > 1:
        raise FileProblem("has more than one label column ('label' / 'y'); keep one")
    assert header is not None  # label columns are named in the header
    return _split_labels(table, cols[0], header[1][cols[0]], line_no)


def _other_separator(cell: str) -> bool:
    """A one-cell row that is values split by ';', tabs or spaces (np.savetxt's default)."""
    parts = cell.split()
    return any(d in cell for d in ";\t") or len(parts) > 1 and all(map(_is_number, parts))


def _row_values(row: int, cells: list[str]) -> np.ndarray:
    """The numbers of one CSV row (float64), or a DataError naming its first bad cell."""
    try:
        return np.array([float(c) for c in cells], dtype=np.float64)
    except ValueError:
        if len(cells) == 1 and _other_separator(cells[0]):
            raise FileProblem(SEPARATORS) from None
        j = next(j for j, c in enumerate(cells) if not _is_number(c))
        what = "is empty" if not cells[j] else f"{cells[j]!r} is not a number"
        raise FileProblem(f"row {row}, column {j + 1}: {what}") from None


def _split_labels(table: np.ndarray, j: int, col: str,
                  line_no: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """(features, labels) of a table whose column j (named ``col``) holds the labels."""
    if table.shape[1] == 1:
        raise FileProblem(f"has only the label column '{col}', no feature columns")
    labels = whole_labels(table[:, j], lambda i: f"row {line_no[i]}, column '{col}'")
    return np.ascontiguousarray(np.delete(table, j, axis=1)), labels
def features(a: np.ndarray, what: str) -> np.ndarray:
    """``a`` as a C-contiguous float64 (rows, features) table; FileProblem if it is not one."""
    if a.dtype.kind not in "biuf":
        raise FileProblem(f"{what} holds {a.dtype} values, not real numbers")
    if a.ndim != 2:
        raise FileProblem(f"{what} is {a.ndim}-D with shape {a.shape}; expected a 2-D table "
                          "(rows × features)")
    if a.size == 0:
        raise FileProblem(f"{what} is empty (shape {a.shape})")
    return np.ascontiguousarray(a, dtype=np.float64)  # a is freshly read: no copy needed


def whole_labels(v: np.ndarray, where: Callable[[int], str]) -> np.ndarray:
    """Class labels ``v`` as int64, each a whole number 0..MAX_WIDTH − 1.

    FileProblem names ``where(i)`` of the first label that is not.
    """
    if v.dtype.kind not in "biuf":
        raise FileProblem(f"labels hold {v.dtype} values, not whole numbers")
    f = v.astype(np.float64)
    with np.errstate(invalid="ignore"):
        bad = ~np.isfinite(f) | (f < 0) | (f != np.floor(f)) | (f >= MAX_WIDTH)
    if bad.any():
        i = int(np.argmax(bad))
        raise FileProblem(f"{where(i)}: label {v[i].item()!r} is not a whole number from 0 to "
                          f"{MAX_WIDTH - 1}")
    return f.astype(np.int64)


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True
