"""Training records as CSV or strict JSON: the schema of ``gradexplorer train``.

Both writers take the record stream of :func:`gradexplorer.engine.training.trainer.train`
(a ``TrainStart``, ``TrainRecord``s, a ``TrainEnd``) one record at a time through ``add`` and
write to a text stream. :class:`CsvWriter` writes a row per record as it comes (so the CLI can
stream); :class:`JsonWriter` writes the whole document at ``TrainEnd``. The CLI prints with them
and the Train tab of the GUI exports with them, so the two read the same way.
"""

from __future__ import annotations

import csv
import json
from typing import TextIO

from gradexplorer.engine.training.trainer import TrainEnd, TrainRecord, TrainStart
from gradexplorer.io.numbers import finite_or_none

FORMAT = "gradexplorer-train"
VERSION = 1
#: Per-layer arrays of a record (one CSV column per layer: ``<name>_<l>``, l = 1..L).
ARRAY_FIELDS = ("log10_grad_norm", "log10_update_ratio", "act_std", "saturated_fraction")
#: Scalars of a record, in column order.
SCALAR_FIELDS = ("step", "train_loss", "train_accuracy", "test_loss", "test_accuracy",
                 "readout_log10_grad_norm", "readout_log10_update_ratio")


def record_dict(rec: TrainRecord) -> dict:
    """A record as a JSON-ready dict (arrays as lists; non-finite numbers as None)."""
    d = {k: finite_or_none(getattr(rec, k)) for k in SCALAR_FIELDS}
    d["step"] = rec.step
    for k in ARRAY_FIELDS:
        d[k] = [finite_or_none(v) for v in getattr(rec, k)]
    return d


def csv_fields(depth: int) -> list[str]:
    """The CSV header for a network of ``depth`` layers."""
    return list(SCALAR_FIELDS) + [f"{k}_{i}" for k in ARRAY_FIELDS for i in range(1, depth + 1)]


class JsonWriter:
    """Collects a run and writes one strict-JSON document to ``out`` at ``TrainEnd``."""

    def __init__(self, out: TextIO):
        self.out, self.doc = out, {"format": FORMAT, "version": VERSION}

    def add(self, rec) -> None:
        """Take the next record of the stream."""
        if isinstance(rec, TrainStart):
            self.doc.update(config=rec.config, network=rec.network, task=rec.task,
                            widths=list(rec.widths), n_outputs=rec.n_outputs,
                            classification=rec.classification, n_train=rec.n_train,
                            n_test=rec.n_test, n_parameters=rec.n_parameters, records=[])
        elif isinstance(rec, TrainRecord):
            self.doc["records"].append(record_dict(rec))
        elif isinstance(rec, TrainEnd):
            self.doc["verdict"] = {"text": rec.verdict, "diverged": rec.diverged,
                                   "steps": rec.steps, "stalled_layers": list(rec.stalled_layers),
                                   "frozen_layers": list(rec.frozen_layers),
                                   "summary": rec.summary}
            self.doc["seconds"] = rec.seconds
            self.out.write(json.dumps(self.doc, indent=1, allow_nan=False) + "\n")


class CsvWriter:
    """Writes a header at ``TrainStart`` and a row per ``TrainRecord`` to ``out``.

    Cells hold the numbers as Python prints them (``inf``/``nan`` included, as the CLI always
    did); a missing value (an accuracy of a regression task) is an empty cell.
    """

    def __init__(self, out: TextIO):
        self.out, self.writer = out, None

    def add(self, rec) -> None:
        """Take the next record of the stream."""
        if isinstance(rec, TrainStart):
            self.writer = csv.writer(self.out, lineterminator="\n")
            self.writer.writerow(csv_fields(len(rec.widths) - 1))
        elif isinstance(rec, TrainRecord):
            row = [getattr(rec, k) for k in SCALAR_FIELDS]
            for k in ARRAY_FIELDS:
                row.extend(getattr(rec, k).tolist())
            self.writer.writerow(["" if v is None else v for v in row])


#: Writer class per format name.
WRITERS = {"json": JsonWriter, "csv": CsvWriter}
