"""Memory needed by a run, estimated before it starts, and the refusal of runs that do not fit."""

from __future__ import annotations

import os

from gradexplorer.engine.model.spec import SpecError

#: A run may use at most this fraction of the memory available when it starts.
MEMORY_FRACTION = 0.8


class RunTooLargeError(SpecError):
    """The run's memory estimate exceeds what is available; the message gives both figures."""


def estimate_bytes(widths: tuple[int, ...], batch: int, itemsize: int, *,
                   lsuv: bool = False, norm: bool = False, residual: bool = False) -> int:
    """Peak bytes of one propagation, from the arrays it keeps and its largest temporaries.

    Parameters
    ----------
    widths : (n_0, ..., n_L), input features then each layer's fan_out.
    batch : B, rows of the input batch.
    itemsize : bytes per element (4 for float32, 8 for float64).

    Kept for the whole run: every W_l (n_l × n_{l-1}) and b_l, every layer's input a_{l-1}
    (B × n_{l-1}) and derivative φ'(h_l) (B × n_l). Temporaries: one ∂L/∂W_l and about four
    batch-sized arrays of the widest layer. ``lsuv``: LSUV rescales float64 weights into new
    float64 arrays before the cast, so 16 bytes per weight are held while the network is built.
    ``norm``: every layer also keeps its normalized z_l (B × n_l); ``residual``: one more
    batch-sized temporary (the skip's gradient).
    """
    weights = sum(widths[i] * widths[i - 1] + widths[i] for i in range(1, len(widths)))
    stored = sum(batch * (widths[i - 1] + widths[i]) for i in range(1, len(widths)))
    widest = max(widths)
    largest_w = max(widths[i] * widths[i - 1] for i in range(1, len(widths)))
    if norm:
        stored += sum(batch * widths[i] for i in range(1, len(widths)))
    temporaries = largest_w + (5 if residual else 4) * batch * widest
    lsuv_build = weights * (16 - itemsize) if lsuv else 0
    return int((weights + stored + temporaries) * itemsize + lsuv_build)


def save_bytes(widths: tuple[int, ...], batch: int) -> int:
    """Extra bytes of a run that also keeps its arrays (``propagate(spec, arrays)``, ``--save``).

    All float64: x (B × n_0), every W_l, b_l, ∂L/∂W_l, ∂L/∂b_l, ∂L/∂h_l (B × n_l) and
    ∂L/∂a_L (B × n_L). For wide nets this is twice the weights again: it can triple the run.
    """
    layers = sum(2 * (widths[i] * widths[i - 1] + widths[i]) + batch * widths[i]
                 for i in range(1, len(widths)))
    return int((layers + batch * (widths[0] + widths[-1])) * 8)


def available_bytes() -> int:
    """Memory available to a new allocation now (Linux MemAvailable, else physical memory)."""
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):  # pragma: no cover - exotic platforms
        return 8 * 2**30


def format_bytes(n: float) -> str:
    """Human-readable size in binary units, e.g. ``"1.5 GiB"``."""
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if n < 1024 or unit == "TiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} TiB"  # pragma: no cover


def check_fits(nbytes: int, available: int | None = None, *,
               advice: str = "lower the depth, width or batch", field: str = "batch") -> None:
    """Raise :class:`RunTooLargeError` if ``nbytes`` exceeds MEMORY_FRACTION of ``available``.

    ``advice`` ends the message (the knobs that lower the need); ``field`` names the setting.
    """
    available = available_bytes() if available is None else available
    if nbytes > MEMORY_FRACTION * available:
        raise RunTooLargeError(
            field,
            f"this run needs about {format_bytes(nbytes)} of memory but only "
            f"{format_bytes(available)} is available; {advice}")
