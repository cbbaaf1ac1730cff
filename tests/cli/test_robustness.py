"""Command-line robustness found by QA: blow-ups are results (exit 0, strict JSON, quiet stderr),
bad settings are one line and exit 2, and a closed pipe is not a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from gradexplorer.cli.main import main
from gradexplorer.engine.runs.statistics import linear_histogram

SMALL = ("--depth", "4", "--width", "8", "--batch", "4", "--in-features", "8")


def _strict(text: str):
    return json.loads(text, parse_constant=lambda c: pytest.fail(f"non-strict JSON token {c}"))


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "gradexplorer", *args], capture_output=True,
                          text=True, timeout=120)


@pytest.mark.parametrize("args", [
    ("--gain", "1e308"),  # σ_w² overflows: the theory was a ValueError
    ("--bias-init", "normal", "--bias-std", "1e308"),       # bias_std ** 2 was an OverflowError
    ("--activation", "softplus", "--init", "normal", "--gain", "1e100"),  # act_std ** 2 overflowed
    ("--activation", "elu", "--input-std", "1e300"),
    ("--activation", "linear", "--init", "normal", "--gain", "1e300", "--loss", "cross_entropy"),
])
def test_run_blow_up_is_a_result(capsys, args):
    code = main(["run", *SMALL, *args, "--format", "json", "--theory"])
    out, err = capsys.readouterr()
    assert code == 0, err
    doc = _strict(out)
    assert len(doc["layers"]) == 4


def test_jacobian_blow_up_is_a_result(capsys):
    for args in (("--gain", "1e308"), ("--bias-init", "normal", "--bias-std", "1e308")):
        assert main(["jacobian", *SMALL, *args, "--format", "json"]) == 0
        _strict(capsys.readouterr().out)


def test_jacobian_compare_with_overflowing_sigma_w2_is_one_line(capsys):
    code = main(["jacobian", *SMALL, "--gain", "1e200", "--init", "normal", "--compare"])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "lower the gain" in err


@pytest.mark.parametrize("gain", ["1e300", "1e-300"])
def test_lsuv_gain_out_of_float_range_is_one_line(capsys, gain):
    code = main(["run", *SMALL, "--init", "lsuv", "--gain", gain])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "with init lsuv, gain must be between" in err


def test_overflow_warnings_stay_off_stderr():
    p = _cli("run", *SMALL, "--input-mean", "1e308")
    assert p.returncode == 0 and p.stderr == ""


def test_closed_pipe_is_not_a_traceback():
    # train streams and flushes a row per step, so the write after the reader left must fail
    proc = subprocess.Popen([sys.executable, "-m", "gradexplorer", "train", "--depth", "2",
                             "--width", "4", "--steps", "100000", "--eval-every", "1"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.readline()
    proc.stdout.close()
    err = proc.stderr.read().decode()
    proc.stderr.close()
    assert proc.wait(timeout=120) == 141
    assert "Traceback" not in err and err == ""


@pytest.mark.parametrize("name, message", [
    ("", "--save needs a file name ending in .npz"),
    ("out.txt", "give a file name ending in .npz"),
    ("noext", "give a file name ending in .npz"),
])
def test_save_needs_an_npz_name(capsys, tmp_path, name, message):
    path = str(tmp_path / name) if name else ""
    code = main(["run", *SMALL, "--save", path])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and message in err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("size", ["0", "-5", "145"])
def test_render_font_size_out_of_range_is_one_line(capsys, tmp_path, size):
    code = main(["render", "-o", str(tmp_path / "x.png"), "--font-size", size])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "--font-size must be between" in err
    assert not os.path.exists(tmp_path / "x.png")


def test_theory_table_shows_infinite_depth_scales_as_inf(capsys):
    assert main(["theory", "--activation", "tanh", "--sigma-w2", "1", "--depth", "3"]) == 0
    out = capsys.readouterr().out
    assert "trainable depth  inf layers" in out and "xi_c             inf layers" in out
    assert main(["theory", "--sigma-w2", "0", "--depth", "3"]) == 0
    assert "-inf" in capsys.readouterr().out  # gradient exactly 0 below the top: log10 = -inf
    assert main(["theory", "--depth", "3", "--format", "json"]) == 0
    doc = _strict(capsys.readouterr().out)
    assert doc["trainable_depth"] is None


def test_theory_with_overflowing_first_layer_length_is_a_result(capsys):
    code = main(["theory", "--activation", "relu", "--sigma-w2", "1e10",
                 "--input-second-moment", "1e308", "--format", "json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert _strict(out)["phase"] == "chaotic"


def test_linear_histogram_puts_huge_values_in_the_top_bin():
    h = linear_histogram(np.array([1e308, 1e308, -1e308, 0.0]), -4.0, 4.0, 64, "x")
    counts = np.round(h.density * (h.edges[1] - h.edges[0]) * h.n)
    assert counts[-1] == 2 and counts[0] == 1 and h.clipped == 3


@pytest.mark.parametrize("command, args, message", [
    ("run", ("--input", " "), "--input must be normal, uniform, digits or a path"),
    ("run", ("--input", ""), "--input must be normal, uniform, digits or a path"),
    ("train", ("--task", ""), "--task and --input take digits, teacher, normal or a path"),
])
def test_empty_input_names_the_flag(capsys, command, args, message):
    code = main([command, *SMALL, *args])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and message in err


def test_tilde_paths_are_expanded(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / "data.csv").write_text("a,b\n1,2\n3,4\n")
    code = main(["run", *SMALL, "--batch", "2", "--input=~/data.csv", "--save=~/run.npz"])
    assert code == 0, capsys.readouterr().err
    assert (tmp_path / "run.npz").is_file()


def test_render_explicit_depth_must_agree_with_set_widths(capsys, tmp_path):
    code = main(["render", "-o", str(tmp_path / "x.png"), "--set", "depth=4",
                 "--set", "widths=8,8"])
    err = capsys.readouterr().err
    assert code == 2 and "widths lists 2 layers but depth is 4" in err


def test_save_counts_the_kept_arrays_in_the_memory_check(capsys, tmp_path, monkeypatch):
    from gradexplorer.engine.compute import memory
    widths = (8,) + (32,) * 4
    path = tmp_path / "run.npz"
    assert main(["run", "--depth", "4", "--width", "32", "--batch", "16", "--in-features", "8",
                 "--save", str(path)]) == 0
    with np.load(path) as z:
        assert memory.save_bytes(widths, 16) == sum(z[k].nbytes for k in z.files)
    # memory for the run alone, not for the run and its saved arrays: refused up front
    plain = memory.estimate_bytes(widths, 16, 8)
    monkeypatch.setattr(memory, "available_bytes", lambda: int(plain / memory.MEMORY_FRACTION) + 1)
    capsys.readouterr()
    assert main(["run", "--depth", "4", "--width", "32", "--batch", "16", "--in-features", "8",
                 "--format", "csv"]) == 0
    capsys.readouterr()
    code = main(["run", "--depth", "4", "--width", "32", "--batch", "16", "--in-features", "8",
                 "--save", str(tmp_path / "again.npz")])
    err = capsys.readouterr().err
    assert code == 2 and "this run needs about" in err and not (tmp_path / "again.npz").exists()


def test_float32_network_is_the_float64_draw_cast_layer_by_layer():
    from gradexplorer.engine.model.activations import get_activation
    from gradexplorer.engine.model.network import build_network
    from gradexplorer.engine.model.spec import NetworkSpec

    act = get_activation("tanh", 0.01)
    x = np.ones((4, 8))
    for init in ("kaiming_uniform", "orthogonal", "lsuv"):
        f64 = NetworkSpec(depth=3, width=16, in_features=8, batch=4, init=init)
        f32 = f64.replace(dtype="float32")
        n64 = build_network(f64, f64.layer_widths(), x, act)
        n32 = build_network(f32, f32.layer_widths(), x, act)
        for a, b in zip(n64.layers, n32.layers, strict=True):
            assert b.weight.dtype == np.float32
            np.testing.assert_array_equal(a.weight.astype(np.float32), b.weight)


def test_lsuv_memory_estimate_counts_the_float64_rescale():
    from gradexplorer.engine.compute.memory import estimate_bytes

    widths = (64, 512, 512, 512)
    weights = sum(widths[i] * widths[i - 1] + widths[i] for i in range(1, len(widths)))
    for itemsize in (4, 8):
        extra = (estimate_bytes(widths, 32, itemsize, lsuv=True)
                 - estimate_bytes(widths, 32, itemsize))
        assert extra == weights * (16 - itemsize)


def test_app_without_a_display_is_one_line_not_a_qt_abort(capsys, monkeypatch):
    monkeypatch.setattr(sys, "platform", "linux")
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(name, raising=False)
    assert main([]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no display" in err


def test_too_many_widths_names_widths(capsys):
    assert main(["run", "--widths", ",".join(["4"] * 1001)]) == 2
    assert "--widths lists 1001 layers; at most 1000" in capsys.readouterr().err
