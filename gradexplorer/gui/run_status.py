"""The run-time label's words while the plots are behind the controls or show a preview."""

from __future__ import annotations

from gradexplorer.engine.model.spec import NetworkSpec

PENDING_TEXT = "newer settings pending…"


def preview_text(rows: int) -> str:
    """Run time label and header note while a drag's fast first pass (``rows`` rows) is shown."""
    return f"preview ({rows} rows)"


def run_time_text(spec: NetworkSpec, shown: NetworkSpec | None, preview_rows: int | None, *,
                  queued: bool, running: bool, started: bool) -> str | None:
    """What the run-time label says about the plots (None: leave it as it is).

    Parameters
    ----------
    spec : the settings on screen (the app state's).
    shown : the spec of the run the plots show (None before any).
    preview_rows : batch rows when that run is a drag's preview, else None.
    queued, running : a newer value waits; a run computes or its records are not all shown.
    started : the running run's progress has started (its first layer arrived).
    """
    if (not queued and running and preview_rows and shown is not None and shown != spec
            and shown.replace(batch=spec.batch) == spec):  # this value's full run computes
        return f"{preview_text(preview_rows)}; full run…"
    if queued or (shown is not None and shown != spec and running):
        return PENDING_TEXT
    if preview_rows:
        return preview_text(preview_rows)
    if running and not started:
        return "running…"
    return None
