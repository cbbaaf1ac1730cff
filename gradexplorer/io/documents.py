"""The run document: what ``gradexplorer run --format json/csv`` prints and the GUI exports.

JSON (strict: non-finite numbers are null)::

    {"format": "gradexplorer-run", "version": 1, "config": NetworkSpec.to_dict(),
     "data": "<input description>", "widths": [n_0, ..., n_L],
     "loss": {"name", "value"}, "verdict": {"kind", "log10_ratio", "per_layer", "text",
     "headline", "status", "details", "flags"}, "warnings": [...],
     "seconds": <wall time of the run>, "layers": [<one row per layer>]}

CSV: a header of :data:`~gradexplorer.engine.runs.result.LAYER_FIELDS` (plus the theory
columns when present), one row per layer, empty cells for null values, ``\\n`` line ends.
Both are returned as text so the CLI prints exactly what the GUI writes to a file.
"""

from __future__ import annotations

import csv
import io
import json

from gradexplorer.engine.model.spec import NetworkSpec
from gradexplorer.engine.runs.result import LAYER_FIELDS, RunResult
from gradexplorer.engine.runs.verdict import gradient_verdict, run_verdict
from gradexplorer.io.numbers import finite_or_none

FORMAT = "gradexplorer-run"
VERSION = 1
#: Columns added by :func:`layer_rows` with ``theory=True``.
THEORY_FIELDS = ("theory_preact_var", "theory_log10_grad_preact_rms")


def layer_rows(result: RunResult, theory: bool = False) -> list[dict]:
    """One dict per layer (``result.rows()``); with ``theory`` the mean-field predictions too.

    ``theory_preact_var`` is the predicted E[h_l²], the length map q_l (Poole et al. 2016);
    ``theory_log10_grad_preact_rms`` the predicted log10 RMS of ∂L/∂h_l, as the GUI draws them.
    Raises ValueError if ``theory`` is asked for and the result has none.
    """
    rows = result.rows()
    if theory:
        pred = result.theory
        if pred is None:
            raise ValueError("no theory predictions for this run")
        for i, row in enumerate(rows):
            row["theory_preact_var"] = finite_or_none(pred.preact_second_moment[i])
            row["theory_log10_grad_preact_rms"] = finite_or_none(pred.log10_grad_preact_rms[i])
    return rows


def run_document(result: RunResult, spec: NetworkSpec, rows: list[dict] | None = None) -> dict:
    """The JSON-ready document of a finished run (see the module docstring)."""
    rows = layer_rows(result) if rows is None else rows
    verdict = gradient_verdict(result.series("log10_grad_preact_rms"))
    whole = run_verdict(result) if verdict.kind != "undefined" else None
    return {
        "format": FORMAT, "version": VERSION,
        "config": spec.to_dict(), "data": result.start.data_description,
        "widths": list(result.start.widths),
        "loss": {"name": result.loss.loss, "value": finite_or_none(result.loss.value)},
        "verdict": {"kind": verdict.kind, "log10_ratio": finite_or_none(verdict.log10_ratio),
                    "per_layer": finite_or_none(verdict.per_layer), "text": verdict.text,
                    "headline": whole.headline if whole else "undefined",
                    "status": whole.status if whole else verdict.text,
                    "details": list(whole.details) if whole else [verdict.text],
                    "flags": sorted(whole.flags) if whole else ["undefined"]},
        "warnings": list(result.end.warnings),
        "seconds": result.end.seconds,
        "layers": rows,
    }


def run_json(result: RunResult, spec: NetworkSpec, rows: list[dict] | None = None) -> str:
    """:func:`run_document` as strict JSON text (indent 1, trailing newline)."""
    return json.dumps(run_document(result, spec, rows), indent=1, allow_nan=False) + "\n"


def run_csv(rows: list[dict]) -> str:
    """The layer rows as CSV text (see the module docstring)."""
    fields = list(LAYER_FIELDS) + [k for k in (rows[0] if rows else {}) if k not in LAYER_FIELDS]
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: ("" if v is None else v) for k, v in row.items()})
    return buf.getvalue()


def run_text(result: RunResult, spec: NetworkSpec, fmt: str,
             rows: list[dict] | None = None) -> str:
    """The document in format ``fmt`` (``json`` or ``csv``); ValueError for another format."""
    rows = layer_rows(result) if rows is None else rows
    if fmt == "json":
        return run_json(result, spec, rows)
    if fmt == "csv":
        return run_csv(rows)
    raise ValueError(f"a run document is json or csv, not {fmt!r}")
