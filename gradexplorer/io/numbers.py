"""Numbers for strict JSON: non-finite values become None (JSON null)."""

from __future__ import annotations

import math
import numbers


def finite_or_none(value) -> int | float | None:
    """``value`` as a plain Python number for strict JSON, or None if missing or non-finite.

    Integers (Python or NumPy, not bool) stay ``int``; everything else becomes ``float``; inf,
    -inf and NaN become None, as does None itself. Raises TypeError/ValueError for a value that
    is not a number.
    """
    if value is None:
        return None
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return int(value)
    v = float(value)
    return v if math.isfinite(v) else None
