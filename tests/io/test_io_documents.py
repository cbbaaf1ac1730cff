"""The run document: what `gradexplorer run --format json/csv` prints."""

from __future__ import annotations

import csv
import io
import json

import pytest

from gradexplorer.cli.main import main
from gradexplorer.engine.model.spec import NetworkSpec
from gradexplorer.engine.runs.propagation import propagate
from gradexplorer.engine.runs.result import LAYER_FIELDS, collect
from gradexplorer.io import documents

SPEC = NetworkSpec(depth=5, width=12, in_features=8, batch=16, activation="relu",
                   init="kaiming_normal")


@pytest.fixture(scope="module")
def result():
    return collect(propagate(SPEC))


def test_json_document_keys_and_values(result):
    doc = json.loads(documents.run_json(result, SPEC))
    assert list(doc) == ["format", "version", "config", "data", "widths", "loss", "verdict",
                         "warnings", "seconds", "layers"]
    assert {"kind", "text", "headline", "status", "details", "flags"} <= set(doc["verdict"])
    assert doc["format"] == "gradexplorer-run" and doc["version"] == 1
    assert doc["config"] == SPEC.to_dict() and doc["widths"] == [8, 12, 12, 12, 12, 12]
    assert [row["layer"] for row in doc["layers"]] == [1, 2, 3, 4, 5]
    assert doc["layers"][2]["log10_grad_preact_rms"] == pytest.approx(
        float(result.series("log10_grad_preact_rms")[2]))


def test_theory_columns(result):
    rows = documents.layer_rows(result, theory=True)
    assert set(documents.THEORY_FIELDS) <= set(rows[0])
    # He init for ReLU keeps q_l = q_1 (Poole et al. 2016: σ_w² = 2 is the fixed line)
    assert rows[-1]["theory_preact_var"] == pytest.approx(rows[0]["theory_preact_var"])
    text = documents.run_csv(rows)
    header = next(csv.reader(io.StringIO(text)))
    assert header == list(LAYER_FIELDS) + list(documents.THEORY_FIELDS)


def test_cli_prints_the_document(result, capsys, monkeypatch):
    import gradexplorer.engine.runs.result as result_module

    monkeypatch.setattr(result_module, "collect", lambda records: result)
    for fmt in ("json", "csv"):
        assert main(["run", "--depth", "5", "--width", "12", "--in-features", "8", "--batch",
                     "16", "--activation", "relu", "--init", "kaiming_normal",
                     "--format", fmt]) == 0
        assert capsys.readouterr().out == documents.run_text(result, SPEC, fmt)


def test_other_formats_are_refused(result):
    with pytest.raises(ValueError, match="json or csv"):
        documents.run_text(result, SPEC, "xml")
