"""`gradexplorer train`: default task, formats, divergence, and one-line errors (exit 2)."""

from __future__ import annotations

import csv
import io
import json

import pytest

from gradexplorer.cli.main import main
from gradexplorer.cli.train import resolve_task

SMALL = ("--depth", "3", "--width", "32", "--activation", "relu", "--init", "kaiming_normal")


def train(capsys, *args):
    code = main(["train", *args])
    out, err = capsys.readouterr()
    return code, out, err


def strict(text: str) -> dict:
    return json.loads(text, parse_constant=lambda c: pytest.fail(f"non-strict JSON token {c}"))


def test_table_defaults_to_the_digits_and_learns(capsys):
    code, out, err = train(capsys, *SMALL, "--steps", "200", "--eval-every", "50", "--lr", "0.05")
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0].startswith("# 3 layers, widths 64→32 → 10 readout, relu")
    assert lines[1].startswith("# digits (UCI, 64 features, 10 classes)")
    assert "sgd (momentum 0.9), lr 0.05, batch 64, 200 steps" in lines[2]
    assert lines[3].split()[:4] == ["step", "loss", "train", "acc"]
    rows = [ln.split() for ln in lines if ln.strip()[:1].isdigit()]
    assert [r[0] for r in rows] == ["50", "100", "150", "200"]
    assert float(rows[-1][2].rstrip("%")) > 90 and float(rows[-1][3].rstrip("%")) > 85
    assert "verdict: completed" in lines
    assert lines[-2].startswith("every layer learns")


def test_json_is_strict_and_holds_config_and_records(capsys):
    code, out, _ = train(capsys, *SMALL, "--steps", "40", "--eval-every", "20", "--optimizer",
                         "adam", "--lr", "1e-3", "--format", "json")
    assert code == 0
    doc = strict(out)
    assert doc["format"] == "gradexplorer-train" and doc["config"]["optimizer"] == "adam"
    assert doc["network"]["input"] == "digits" and doc["widths"] == [64, 32, 32, 32]
    assert [r["step"] for r in doc["records"]] == [20, 40]
    rec = doc["records"][-1]
    assert len(rec["log10_grad_norm"]) == 3 and len(rec["saturated_fraction"]) == 3
    assert 0 <= rec["test_accuracy"] <= 1 and rec["readout_log10_update_ratio"] < 0
    assert doc["verdict"]["text"] == "completed" and doc["verdict"]["steps"] == 40


def test_divergence_is_reported_not_an_error_and_json_stays_strict(capsys):
    code, out, err = train(capsys, *SMALL, "--steps", "100", "--eval-every", "1", "--lr", "50",
                           "--format", "json")
    assert code == 0 and err == ""
    doc = strict(out)
    assert doc["verdict"]["diverged"] and doc["verdict"]["text"].startswith("diverged at step ")
    assert len(doc["records"]) == doc["verdict"]["steps"] < 100
    code, out, _ = train(capsys, *SMALL, "--steps", "100", "--eval-every", "5", "--lr", "50")
    assert code == 0 and out.splitlines()[-2].startswith("verdict: diverged at step ")


def test_csv_one_row_per_evaluation_with_per_layer_columns(capsys):
    code, out, _ = train(capsys, *SMALL, "--steps", "30", "--eval-every", "10", "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["step"] for r in rows] == ["10", "20", "30"]
    assert {"log10_grad_norm_1", "log10_grad_norm_3", "log10_update_ratio_3", "act_std_2",
            "saturated_fraction_1", "test_accuracy", "train_loss"} <= set(rows[0])
    assert float(rows[-1]["log10_update_ratio_1"]) < 0


def test_teacher_task_takes_in_features_and_mse(capsys):
    code, out, _ = train(capsys, "--depth", "2", "--width", "16", "--task", "teacher",
                         "--in-features", "9", "--samples", "300", "--classes", "3", "--loss",
                         "mse", "--steps", "20", "--eval-every", "10", "--format", "json")
    assert code == 0
    doc = strict(out)
    assert doc["widths"][0] == 9 and doc["n_outputs"] == 3 and not doc["classification"]
    assert doc["records"][0]["test_accuracy"] is None and doc["n_train"] == 240


def test_labelled_file_as_task_or_input(capsys, tmp_path):
    path = tmp_path / "points.csv"
    path.write_text("a,b,label\n" + "\n".join(f"{i},{i % 5},{i % 2}" for i in range(40)) + "\n")
    for flag in ("--task", "--input"):
        code, out, _ = train(capsys, "--depth", "2", "--width", "8", flag, str(path), "--steps",
                             "10", "--eval-every", "10", "--batch-size", "16", "--format", "json")
        assert code == 0
        doc = strict(out)
        assert doc["widths"][0] == 2 and doc["n_outputs"] == 2 and "points.csv" in doc["task"]


@pytest.mark.parametrize("args,message", [
    (("--optimizer", "rmsprop"), "unknown optimizer 'rmsprop'"),
    (("--lr", "-1"), "learning rate must be a finite number > 0"),
    (("--steps", "ten"), "steps must be a whole number, got 'ten'"),
    (("--loss", "random"), "unknown loss 'random'"),
    (("--batch-size", "5000"), "batch size 5000 is larger than the 1438 training rows"),
    (("--task", "/nonexistent/data.csv"), "/nonexistent/data.csv: file not found"),
    (("--task", "digits", "--input", "x.csv"), "--task digits and --input x.csv ask for"),
    (("--depth", "0"), "depth must be between 1 and 1000"),
    (("--format", "xml"), "invalid choice: 'xml'"),
])
def test_bad_input_is_one_line_on_stderr_and_exit_2(capsys, args, message):
    code, out, err = train(capsys, *SMALL, "--steps", "5", *args)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("gradexplorer train: ") and message in err


def test_unlabelled_file_is_an_error(capsys, tmp_path):
    path = tmp_path / "plain.csv"
    path.write_text("1,2\n3,4\n5,6\n")
    code, out, err = train(capsys, "--task", str(path))
    assert code == 2 and out == "" and "has no labels" in err and err.count("\n") == 1


def test_resolve_task():
    assert resolve_task(None, None) == ("digits", None)
    assert resolve_task(None, "normal") == ("teacher", None)
    assert resolve_task("Teacher", "uniform") == ("teacher", None)
    assert resolve_task("a.csv", None) == ("file", "a.csv")
    assert resolve_task(None, "digits") == ("digits", None)


def test_the_timing_line_of_one_slow_step_reads_right(capsys, monkeypatch):
    import dataclasses

    import gradexplorer.engine.training.trainer as trainer

    real = trainer.train

    def slow(*args, **kwargs):
        for rec in real(*args, **kwargs):
            yield (dataclasses.replace(rec, seconds=16.3) if isinstance(rec, trainer.TrainEnd)
                   else rec)

    monkeypatch.setattr(trainer, "train", slow)
    assert main(["train", "--depth", "2", "--width", "8", "--steps", "1"]) == 0
    assert capsys.readouterr().out.rstrip().endswith("(1 step in 16.30 s, 0.061 steps/s)")
