"""Training writers: the CLI and the Train tab share them."""

from __future__ import annotations

import csv
import io
import json

from gradexplorer.engine.model.spec import NetworkSpec
from gradexplorer.engine.training.trainer import TrainConfig, TrainRecord, train
from gradexplorer.io.training import CsvWriter, JsonWriter, csv_fields, record_dict

SPEC = NetworkSpec(depth=3, width=8, input="digits", activation="tanh")
CONFIG = TrainConfig(steps=6, eval_every=2, batch_size=16)


def _records():
    return list(train(SPEC, CONFIG))


def test_csv_has_a_row_per_record_with_the_engines_numbers():
    records = _records()
    out = io.StringIO()
    writer = CsvWriter(out)
    for rec in records:
        writer.add(rec)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    kept = [r for r in records if isinstance(r, TrainRecord)]
    assert list(rows[0]) == csv_fields(3) and len(rows) == len(kept)
    assert [int(r["step"]) for r in rows] == [r.step for r in kept]
    assert float(rows[-1]["log10_grad_norm_3"]) == kept[-1].log10_grad_norm[2]


def test_json_is_strict_and_matches_record_dict():
    records = _records()
    out = io.StringIO()
    writer = JsonWriter(out)
    for rec in records:
        writer.add(rec)
    doc = json.loads(out.getvalue(), parse_constant=lambda c: 1 / 0)
    kept = [r for r in records if isinstance(r, TrainRecord)]
    assert doc["format"] == "gradexplorer-train" and doc["widths"] == [64, 8, 8, 8]
    assert doc["records"] == [record_dict(r) for r in kept]
    assert doc["verdict"]["steps"] == 6
