"""`gradexplorer run`: formats, verdicts, the .npz for PyTorch, and one-line errors."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

import numpy as np
import pytest

from gradexplorer.cli.main import main
from gradexplorer.engine.model.activations import get_activation

REQUIRED = ("layer", "fan_in", "fan_out", "preact_mean", "preact_std", "act_mean", "act_std",
            "saturated_fraction", "grad_preact_rms", "log10_grad_preact_rms", "grad_weight_norm",
            "log10_grad_weight_norm", "weight_norm")


def run(capsys, *args):
    code = main(["run", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_sigmoid_xavier_50_layers_is_vanishing(capsys):
    code, out, _ = run(capsys, "--depth", "50", "--activation", "sigmoid",
                       "--init", "xavier_normal")
    assert code == 0
    verdict = next(ln for ln in out.splitlines() if ln.startswith("verdict: "))
    assert verdict.startswith("verdict: gradient at layer 1 is 10^-") and "vanishing" in verdict
    assert len([ln for ln in out.splitlines() if ln.strip()[:1].isdigit()]) == 50


def test_relu_he_gain_1_5_is_exploding(capsys):
    code, out, _ = run(capsys, "--depth", "50", "--activation", "relu", "--init", "kaiming_normal",
                       "--gain", "1.5")
    assert code == 0
    verdict = next(ln for ln in out.splitlines() if ln.startswith("verdict: "))
    assert "exploding" in verdict


def test_json_is_strict_and_has_the_schema(capsys):
    # linear + N(0,1) weights overflows float64 in the plain values: they must become null
    code, out, _ = run(capsys, "--depth", "200", "--width", "64", "--activation", "tanh",
                       "--init", "normal", "--format", "json")
    assert code == 0
    doc = json.loads(out, parse_constant=lambda c: pytest.fail(f"non-strict JSON token {c}"))
    assert doc["config"]["depth"] == 200 and len(doc["layers"]) == 200
    for key in REQUIRED:
        assert key in doc["layers"][0]
    assert doc["layers"][0]["layer"] == 1 and doc["layers"][0]["fan_in"] == 256
    assert doc["verdict"]["kind"] in ("vanishing", "stable", "exploding")


def test_json_nulls_for_overflow_and_exact_log10(capsys):
    code, out, _ = run(capsys, "--depth", "400", "--width", "16", "--in-features", "16",
                       "--activation", "linear", "--init", "orthogonal", "--gain", "8",
                       "--format", "json")
    doc = json.loads(out)
    first = doc["layers"][0]
    assert first["grad_preact_rms"] is None  # 8^399 ≈ 10^360 does not fit in a float64
    last = doc["layers"][-1]["log10_grad_preact_rms"]
    assert first["log10_grad_preact_rms"] - last == pytest.approx(399 * np.log10(8), abs=1e-9)


def test_csv_has_one_row_per_layer(capsys):
    code, out, _ = run(capsys, "--depth", "7", "--width", "9", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and len(rows) == 7 and rows[6]["layer"] == "7"
    assert float(rows[0]["log10_grad_preact_rms"]) == pytest.approx(
        np.log10(float(rows[0]["grad_preact_rms"])))


def test_saved_npz_reproduces_the_gradients(capsys, tmp_path):
    path = tmp_path / "run.npz"
    code, out, _ = run(capsys, "--depth", "4", "--width", "10", "--in-features", "6",
                       "--batch", "5",
                       "--activation", "tanh", "--bias-init", "normal", "--bias-std", "0.1",
                       "--loss", "cross_entropy", "--save", str(path), "--format", "json")
    assert code == 0
    doc = json.loads(out)
    z = np.load(path)
    act = get_activation("tanh")
    a, pre, acts = z["x"], [], [z["x"]]
    for i in range(1, 5):
        h = a @ z[f"W{i}"].T + z[f"b{i}"]
        a = act.forward(h)
        pre.append(h)
        acts.append(a)
    g_a = z["grad_output"]
    for i in range(4, 0, -1):
        g_h = g_a * act.derivative(pre[i - 1])
        np.testing.assert_allclose(z[f"grad_h{i}"], g_h, rtol=1e-12)
        np.testing.assert_allclose(z[f"grad_W{i}"], g_h.T @ acts[i - 1], rtol=1e-12)
        np.testing.assert_allclose(z[f"grad_b{i}"], g_h.sum(0), rtol=1e-12, atol=1e-15)
        rms = np.sqrt(np.mean(g_h ** 2))
        assert doc["layers"][i - 1]["grad_preact_rms"] == pytest.approx(rms, rel=1e-12)
        g_a = g_h @ z[f"W{i}"]


@pytest.mark.parametrize("args, needle", [
    (["--depth", "0"], "depth must be between 1 and 1000"),
    (["--width", "abc"], "width must be a whole number"),
    (["--gain", "nan"], "gain must be a finite number"),
    (["--activation", "swish"], "unknown activation 'swish'"),
    (["--widths", "10,x"], "widths must be whole numbers"),
    (["--depth", "3", "--widths", "10,20"], "widths lists 2 layers but depth is 3"),
    (["--input", "/no/such/file.npy"], "file.npy"),
    (["--depth", "1000", "--width", "8192", "--batch", "65536"], "needs about"),
    (["--save", "/no/such/folder/out.npz"], "cannot write"),
    (["--format", "xml"], "invalid choice"),
])
def test_bad_input_is_one_line_and_exit_2(capsys, args, needle):
    code = main(["run", *args])
    out, err = capsys.readouterr()
    assert code == 2 if code is not None else False
    assert needle in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_malformed_data_file_is_one_line(capsys, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("1,2,3\n4,five,6\n")
    code, _, err = run(capsys, "--input", str(bad))
    assert code == 2 and "bad.csv" in err and len(err.strip().splitlines()) == 1


def test_module_entry_point_runs():
    cmd = [sys.executable, "-m", "gradexplorer", "run", "--depth", "3", "--width", "4",
           "--format", "csv"]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True)
    assert len(out.stdout.strip().splitlines()) == 4


def test_nan_input_runs_and_says_so(capsys, tmp_path):
    path = tmp_path / "nan.csv"
    path.write_text("a,b,c\n1,2,3\n4,nan,6\n7,8,9\n")
    code, out, err = run(capsys, "--input", str(path), "--depth", "3", "--width", "4",
                         "--batch", "3")
    assert code == 0 and "Traceback" not in err
    assert "non-finite" in out and "no verdict" in out
