"""`gradexplorer jacobian` (the CLI twin of the Jacobian tab): numbers, JSON, one-line errors.

Kept beside the tab's tests: both print the same engine numbers.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from gradexplorer.cli.main import main
from gradexplorer.engine.model.spec import NetworkSpec
from gradexplorer.engine.runs.jacobian import compare_isometry, jacobian_spectrum

FLAGS = ["--depth", "8", "--width", "64", "--in-features", "64", "--activation", "relu",
         "--init", "kaiming_normal", "--batch", "16"]
SPEC = NetworkSpec(depth=8, width=64, in_features=64, activation="relu", init="kaiming_normal",
                   batch=16)


def run(capsys, *args):
    code = main(["jacobian", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_json_has_the_engines_numbers(capsys):
    code, out, err = run(capsys, *FLAGS, "--format", "json", "--eigenvalues",
                         "--input-index", "3")
    assert code == 0, err
    doc = json.loads(out)
    expected = jacobian_spectrum(SPEC, input_index=3)
    (s,) = doc["spectra"]
    assert doc["input_index"] == 3 and doc["config"] == SPEC.to_dict()
    assert s["log10_mean"] == pytest.approx(expected.log10_mean)
    assert s["relative_variance"] == pytest.approx(expected.relative_variance)
    assert s["predicted_relative_variance"] == pytest.approx(16.0)
    logs = np.array([np.nan if v is None else v for v in s["log10_eigenvalues"]])
    finite = np.isfinite(expected.log10_eigenvalues)
    np.testing.assert_allclose(logs[finite], expected.log10_eigenvalues[finite])


def test_compare_table_lists_both_weights(capsys):
    code, out, _ = run(capsys, *FLAGS, "--compare")
    assert code == 0
    gaussian, orthogonal = compare_isometry(SPEC)
    assert "(i.i.d.)" in out and "(orthogonal)" in out
    assert f"{gaussian.relative_variance:.5g}" in out
    assert f"{orthogonal.relative_variance:.5g}" in out


def test_non_square_has_no_variance_prediction(capsys):
    code, out, _ = run(capsys, "--widths", "32,16", "--in-features", "8", "--batch", "4")
    assert code == 0 and "variance predicted only for square layers" in out
    assert "8,32,16)" in out and "--in-features" not in out


@pytest.mark.parametrize("args, message", [
    (["--input-index", "99", "--batch", "4"], "outside the batch"),
    (["--input-index", "x"], "whole number"),
    (["--width", "-3"], "width"),
])
def test_user_errors_are_one_line(capsys, args, message):
    code, out, err = run(capsys, *args)
    assert code == 2 and out == ""
    assert message in err and len(err.strip().splitlines()) == 1
