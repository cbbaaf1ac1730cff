"""--norm / --residual / --residual-scale on run, train, render and jacobian; one-line errors."""

from __future__ import annotations

import json

import numpy as np
import pytest

from gradexplorer.cli.main import main


def test_run_json_carries_the_architecture_and_normalized_statistics(capsys):
    code = main(["run", "--depth", "4", "--width", "16", "--in-features", "16", "--batch", "32",
                 "--norm", "layer", "--residual", "--residual-scale", "0.5", "--format", "json"])
    out, _ = capsys.readouterr()
    assert code == 0
    doc = json.loads(out)
    assert {k: doc["config"][k] for k in ("norm", "residual", "residual_scale")} == \
        {"norm": "layer", "residual": True, "residual_scale": 0.5}
    assert "layer norm" in doc["data"] and "residual α = 0.5" in doc["data"]
    assert all(abs(row["normed_mean"]) < 1e-12 for row in doc["layers"])


def test_save_keeps_the_keys_for_pytorch(tmp_path, capsys):
    path = tmp_path / "bn.npz"
    assert main(["run", "--depth", "3", "--width", "8", "--batch", "16", "--norm", "batch",
                 "--save", str(path)]) == 0
    capsys.readouterr()
    keys = set(np.load(path).files)
    assert {"x", "W1", "b3", "grad_output", "grad_h1", "grad_W3", "grad_b2"} <= keys


@pytest.mark.parametrize("args, message", [
    (["run", "--norm", "group"], "unknown norm 'group'"),
    (["run", "--residual-scale", "0.5"], "add --residual"),
    (["run", "--residual", "--residual-scale", "-1"], "zero or positive"),
    (["run", "--norm", "batch", "--batch", "1"], "batch norm needs a batch of at least 2"),
    (["train", "--norm", "batch", "--batch-size", "1", "--steps", "2"],
     "batch norm needs mini-batches of at least 2 rows"),
    (["jacobian", "--norm", "batch"], "per batch, not per input"),
    (["train", "--norm", "batch", "--residual", "--residual-scale", "x"],
     "residual scale must be a number"),
])
def test_bad_combinations_are_one_line_and_exit_2(capsys, args, message):
    code = main([*args, "--depth", "3", "--width", "8"])
    _, err = capsys.readouterr()
    assert code == 2
    assert message in err and len(err.strip().splitlines()) == 1


def test_train_with_batch_norm_and_jacobian_with_layer_norm_run(capsys):
    assert main(["train", "--depth", "3", "--width", "16", "--norm", "batch", "--steps", "20",
                 "--eval-every", "20", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["network"]["norm"] == "batch" and doc["verdict"]["text"] == "completed"
    assert main(["jacobian", "--depth", "3", "--width", "8", "--in-features", "8",
                 "--norm", "layer", "--residual", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["config"]["residual"] is True
