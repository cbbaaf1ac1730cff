"""The shared parser: ASCII decimal numbers only, no ignored empty values, long values cut,
help texts that agree with the engine, and a --help that loads neither NumPy nor the engine."""

from __future__ import annotations

import importlib
import pathlib
import subprocess
import sys

import pytest

from gradexplorer.cli import defaults
from gradexplorer.cli.main import SUBCOMMANDS, build_parser, main
from gradexplorer.cli.parsing import FLOAT_FIELDS, INT_FIELDS, NETWORK_OPTIONS

SMALL = ("--depth", "3", "--width", "4", "--batch", "4", "--in-features", "4")
CLI = pathlib.Path(__file__).resolve().parents[2] / "gradexplorer" / "cli"


def _err(capsys, *argv):
    code = main(list(argv))
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    return code, err


@pytest.mark.parametrize("argv, words", [
    (("run", "--depth", "1_000"), "depth must be a whole number, got '1_000'"),
    (("run", "--depth", "١٢"), "depth must be a whole number"),          # Arabic-Indic digits
    (("run", "--width", "１６"), "width must be a whole number"),         # full-width digits
    (("run", "--gain", "1_0.5"), "gain must be a number"),
    (("run", "--gain", "٠.٥"), "gain must be a number"),
    (("run", "--widths", "8,1_6"), "widths must be whole numbers separated by commas"),
    (("train", "--steps", "1_0"), "steps must be a whole number"),
    (("train", "--lr", "١"), "learning rate must be a number"),
    (("jacobian", "--input-index", "٣"), "input index must be a whole number"),
    (("theory", "--depth", "1_0"), "--depth must be a whole number"),
    (("theory", "--sigma-w2", "٢"), "--sigma-w2 must be a number"),
    (("render", "-o", "x.png", "--font-size", "١٦"), "font size must be a whole number"),
    (("render", "-o", "x.png", "--size", "١٦٠٠x١٠٠٠"), "--size must look like 1600x1000"),
    (("render", "-o", "x.png", "--set", "depth=1_000"), "--set depth must be a whole number"),
    (("render", "-o", "x.png", "--set", "gain=١"), "--set gain must be a number"),
])
def test_only_ascii_decimal_numbers(capsys, tmp_path, monkeypatch, argv, words):
    monkeypatch.chdir(tmp_path)
    code, err = _err(capsys, *argv)
    assert code == 2 and words in err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("argv, words", [
    (("render", "-o", "x.png", "--preset", ""), "preset is empty"),
    (("render", "-o", "", "--preset", "relu-he"), "output is empty"),
    (("run", "--depth", ""), "depth is empty"),
    (("run", "--activation", " "), "activation is empty"),
    (("render", "-o", "x.png", "--set", "=3"), "--set needs KEY=VALUE"),
])
def test_empty_values_are_errors_not_ignored(capsys, tmp_path, monkeypatch, argv, words):
    monkeypatch.chdir(tmp_path)
    code, err = _err(capsys, *argv)
    assert code == 2 and words in err


@pytest.mark.parametrize("argv", [
    ("run", "--depth", "9" * 5000), ("run", "--activation", "x" * 5000),
    ("run", "--format", "x" * 5000), ("run", "--input", "x" * 5000),
    ("theory", "--activation", "x" * 5000), ("theory", "--sigma-w2", "x" * 5000),
    ("run", "--bogus" + "x" * 5000), ("train", "--optimizer", "x" * 5000),
    ("render", "-o", "x.png", "--preset", "x" * 5000),
])
def test_long_values_are_cut_in_messages(capsys, tmp_path, monkeypatch, argv):
    monkeypatch.chdir(tmp_path)
    code, err = _err(capsys, *argv)
    assert code == 2 and "xxxxx" * 20 not in err and "99999" * 20 not in err
    assert len(err) < 400


def test_numbers_that_are_fine_still_parse(capsys):
    assert main(["run", *SMALL, "--gain", "+1.5e0", "--bias-std", ".5", "--bias-init", "normal",
                 "--seed", " 7 ", "--format", "json"]) == 0
    assert '"gain": 1.5' in capsys.readouterr().out


def test_help_defaults_and_names_match_the_engine():
    from gradexplorer.engine.model import spec
    from gradexplorer.engine.training import trainer

    for name in ("ACTIVATION_NAMES", "INIT_NAMES", "MODE_NAMES", "BIAS_INIT_NAMES", "INPUT_NAMES",
                 "LOSS_NAMES", "DTYPE_NAMES", "NORM_NAMES", "MAX_DEPTH"):
        assert getattr(defaults, name) == getattr(spec, name), name
    for name in ("OPTIMIZER_NAMES", "TRAIN_LOSS_NAMES"):
        assert getattr(defaults, name) == getattr(trainer, name), name
    base, config = spec.NetworkSpec(), trainer.TrainConfig()
    assert all(getattr(base, k) == v for k, v in defaults.SPEC_DEFAULTS.items())
    assert all(getattr(config, k) == v for k, v in defaults.TRAIN_DEFAULTS.items())
    assert INT_FIELDS == set(spec._INT_FIELDS) and FLOAT_FIELDS == set(spec._FLOAT_FIELDS)


def test_every_spec_field_has_one_network_option():
    import dataclasses

    from gradexplorer.engine.model.spec import NetworkSpec

    fields = {f.name for f in dataclasses.fields(NetworkSpec)} - {"extra", "input_path"}
    assert sorted(o.field for o in NETWORK_OPTIONS) == sorted(fields)


def test_no_argparse_privates_and_no_swallowed_import_errors():
    for path in CLI.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "._actions" not in text and "_print_message" not in text, path
        assert "except ImportError" not in text and "except Exception" not in text, path


def test_a_broken_subcommand_fails_loudly(monkeypatch):
    real = importlib.import_module

    def broken(name, *args):
        if name == "gradexplorer.cli.jacobian":
            raise ImportError("simulated broken module")
        return real(name, *args)

    monkeypatch.setattr(importlib, "import_module", broken)
    with pytest.raises(ImportError, match="simulated"):
        build_parser()


def test_every_subcommand_is_listed():
    listed = set(SUBCOMMANDS)
    modules = {p.stem for p in CLI.glob("*.py")} - {"__init__", "main", "parsing", "values",
                                                      "defaults"}
    assert listed == modules


@pytest.mark.parametrize("argv", [["--help"], ["--version"], ["run", "--help"],
                                  ["train", "--help"], ["theory", "--help"]])
def test_help_imports_no_numpy_scipy_engine_or_qt(argv):
    code = ("import sys\nfrom gradexplorer.cli.main import main\n"
            f"try:\n    main({argv!r})\nexcept SystemExit:\n    pass\n"
            "heavy = [m for m in sys.modules if m.split('.')[0] in ('numpy', 'scipy', "
            "'PySide6', 'pyqtgraph') or m.startswith(('gradexplorer.engine', "
            "'gradexplorer.gui'))]\n"
            "print(heavy, file=sys.stderr)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60)
    assert proc.stderr.strip() == "[]"
    assert proc.stdout.startswith(("usage:", "gradexplorer 0"))


@pytest.mark.parametrize("task, knobs", [
    ("teacher", "lower --samples, --in-features, --width, --depth or --batch-size"),
    ("digits", "lower --width, --depth or --batch-size"),
])
def test_training_out_of_memory_names_the_training_knobs(capsys, monkeypatch, task, knobs):
    from gradexplorer.engine.compute import memory

    monkeypatch.setattr(memory, "available_bytes", lambda: 1000)
    code, err = _err(capsys, "train", "--task", task, "--depth", "2", "--width", "8",
                     "--steps", "2")
    assert code == 2 and "this run needs about" in err and knobs in err
    assert "lower the depth, width or batch" not in err
