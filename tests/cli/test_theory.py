"""``gradexplorer theory`` through argparse: table, strict JSON, critical line, bad input."""

from __future__ import annotations

import argparse
import json

import pytest

from gradexplorer.cli.theory import add_parser as add_theory_parser
from gradexplorer.cli.theory import run_theory


def _run(argv, capsys):
    parser = argparse.ArgumentParser(prog="gradexplorer")
    add_theory_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["theory", *argv])
    assert args.handler is run_theory
    code = run_theory(args)
    out, err = capsys.readouterr()
    return code, out, err


def test_point_json(capsys):
    code, out, err = _run(["--activation", "tanh", "--sigma-w2", "1.5", "--sigma-b2", "0.05",
                           "--depth", "30", "--format", "json"], capsys)
    assert code == 0 and err == ""
    doc = json.loads(out)
    assert doc["q_star"] == pytest.approx(0.41803720, rel=1e-7)
    assert doc["chi1"] == pytest.approx(0.93863627, rel=1e-7)
    assert doc["phase"] == "ordered"
    assert doc["trainable_depth"] == pytest.approx(6 * doc["xi_c"])
    assert len(doc["layers"]) == 30 and doc["layers"][0]["layer"] == 1
    assert doc["layers"][0]["q"] == pytest.approx(1.55)  # q_1 = σ_w² E[x²] + σ_b²
    assert doc["layers"][-1]["log10_grad_rms_rel"] == 0.0
    assert doc["layers"][-1]["chi"] is None  # no layer above the top one


def test_point_json_nonfinite_is_null(capsys):
    code, out, _ = _run(["--activation", "relu", "--sigma-w2", "2", "--depth", "3",
                         "--format", "json"], capsys)
    doc = json.loads(out)
    assert code == 0 and doc["phase"] == "critical"
    assert doc["xi_c"] is None and doc["xi_grad"] is None
    assert "Infinity" not in out and "NaN" not in out


def test_point_table(capsys):
    code, out, _ = _run(["--activation", "sigmoid", "--sigma-w2", "1", "--depth", "21"], capsys)
    assert code == 0
    assert "chi1             0.0557207" in out and "ordered" in out
    first = next(line for line in out.splitlines() if line.split()[:1] == ["1"])
    assert float(first.split()[2]) == pytest.approx(-12.59, abs=0.01)


def test_critical_line(capsys):
    code, out, _ = _run(["--critical-line", "--sigma-b2-max", "2", "--points", "21",
                         "--format", "json"], capsys)
    rows = json.loads(out)["critical_line"]
    assert code == 0 and len(rows) == 21
    assert rows[10]["sigma_b2"] == 1.0
    assert rows[10]["sigma_w2"] == pytest.approx(3.4432, abs=5e-5)
    assert rows[10]["q_star"] == pytest.approx(3.0364, abs=5e-5)
    code, out, _ = _run(["--critical-line", "--activation", "relu", "--points", "3"], capsys)
    assert code == 0
    lines = out.splitlines()
    assert lines[2].split() == ["0", "2", "0"] and lines[3].split()[1:] == ["nan", "nan"]


@pytest.mark.parametrize("argv", [
    ["--sigma-w2", "-1"], ["--sigma-w2", "nan"], ["--sigma-b2", "inf"], ["--activation", "swish"],
    ["--depth", "0"], ["--depth", "2.5"], ["--format", "xml"], ["--input-second-moment", "x"],
    ["--negative-slope", "1.5"], ["--critical-line", "--points", "0"],
    ["--critical-line", "--sigma-b2-max", "-2"],
])
def test_bad_input_is_one_line_status_2(argv, capsys):
    code, out, err = _run(argv, capsys)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("gradexplorer theory: ")
    assert "Traceback" not in err
