"""Input batches: bundled digits, synthetic inputs, user files and their error messages."""

from __future__ import annotations

import math
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from gradexplorer.engine.data import arrayfiles
from gradexplorer.engine.data import inputs as data
from gradexplorer.engine.data.inputs import (
    DataError,
    InputBatch,
    input_features,
    load_digits,
    load_table,
    make_inputs,
)
from gradexplorer.engine.model.spec import NetworkSpec, SpecError

FIRST_ROW = [0, 0, 5, 13, 9, 1, 0, 0, 0, 0, 13, 15, 10, 15, 5, 0, 0, 3, 15, 2, 0, 11, 8, 0,
             0, 4, 12, 0, 0, 8, 8, 0, 0, 5, 8, 0, 0, 9, 8, 0, 0, 4, 11, 0, 1, 12, 7, 0,
             0, 2, 14, 5, 10, 12, 0, 0, 0, 0, 6, 13, 10, 0, 0, 0]
CONSTANT_PIXELS = [0, 32, 39]


def rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


# --- bundled digits ------------------------------------------------------------------------------
def test_digits_shape_labels_and_values():
    x, y = load_digits()
    assert x.shape == (1797, 64) and x.dtype == np.float64
    assert y.shape == (1797,) and y.dtype == np.int64
    assert x.min() == 0.0 and x.max() == 16.0
    assert np.array_equal(x, np.round(x))
    assert x[0].tolist() == FIRST_ROW and y[0] == 0
    assert y[:10].tolist() == list(range(10))
    assert np.bincount(y).tolist() == [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
    assert np.flatnonzero(x.std(axis=0) == 0).tolist() == CONSTANT_PIXELS


def test_digits_cached_and_read_only():
    x1, y1 = load_digits()
    x2, y2 = load_digits()
    assert x1 is x2 and y1 is y2
    assert not x1.flags.writeable and not y1.flags.writeable
    with pytest.raises(ValueError):
        x1[0, 0] = 1.0


def test_digits_batch_subset_without_standardizing():
    spec = NetworkSpec(input="digits", batch=300, standardize=False, seed=3)
    b = make_inputs(spec, rng(3))
    x, y = load_digits()
    idx = rng(3).permutation(1797)[:300]
    assert isinstance(b, InputBatch)
    assert np.array_equal(b.x, x[idx]) and np.array_equal(b.labels, y[idx])
    assert len(np.unique(idx)) == 300
    assert b.n_classes == 10 and b.labels.dtype == np.int64
    assert b.description == "digits (UCI, 64 features), raw pixels 0..16, 300 of 1797 rows"
    assert input_features(spec) == 64


def test_digits_standardized_over_whole_data_set():
    b = make_inputs(NetworkSpec(input="digits", batch=1797), rng(1))
    assert b.description == "digits (UCI, 64 features), standardized, 1797 of 1797 rows"
    varying = np.setdiff1d(np.arange(64), CONSTANT_PIXELS)
    np.testing.assert_allclose(b.x[:, varying].mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(b.x[:, varying].std(axis=0), 1.0, rtol=1e-12)
    assert np.all(b.x[:, CONSTANT_PIXELS] == 0.0)
    # a small batch uses the whole set's statistics, not its own
    x, _ = load_digits()
    small = make_inputs(NetworkSpec(input="digits", batch=5), rng(2))
    idx = rng(2).permutation(1797)[:5]
    expect = (x[idx][:, varying] - x[:, varying].mean(0)) / x[:, varying].std(0)
    np.testing.assert_allclose(small.x[:, varying], expect, rtol=1e-12, atol=1e-12)


def test_digits_batch_too_large():
    with pytest.raises(DataError) as err:
        make_inputs(NetworkSpec(input="digits", batch=1798), rng())
    assert err.value.field == "batch" and "1797 rows" in str(err.value)
    assert isinstance(err.value, SpecError)


# --- synthetic inputs ----------------------------------------------------------------------------
def test_normal_moments_and_formula():
    spec = NetworkSpec(input="normal", batch=4000, in_features=100, input_mean=1.5, input_std=2.0)
    b = make_inputs(spec, rng(7))
    assert b.x.shape == (4000, 100) and b.labels is None and b.n_classes is None
    assert abs(b.x.mean() - 1.5) < 4 * 2.0 / math.sqrt(b.x.size)        # ≈ 0.004
    assert abs(b.x.std() - 2.0) < 4 * 2.0 / math.sqrt(2 * b.x.size)     # ≈ 0.003
    np.testing.assert_array_equal(b.x, rng(7).standard_normal((4000, 100)) * 2.0 + 1.5)
    assert b.description == "N(1.5, 2²) × 100 features"
    assert input_features(spec) == 100


def test_uniform_moments_and_bounds():
    spec = NetworkSpec(input="uniform", batch=4000, in_features=100, input_mean=-1.0,
                       input_std=0.5)
    b = make_inputs(spec, rng(8))
    half = math.sqrt(3) * 0.5
    assert b.x.min() >= -1.0 - half and b.x.max() < -1.0 + half
    assert b.x.min() < -1.0 - half + 0.001 and b.x.max() > -1.0 + half - 0.001
    assert abs(b.x.mean() + 1.0) < 4 * 0.5 / math.sqrt(b.x.size)
    assert abs(b.x.std() - 0.5) < 4 * 0.5 * math.sqrt(0.8 / b.x.size)  # var of s² for uniform
    assert b.description.startswith("U(-1.866, -0.134) × 100 features")


def test_same_seed_same_batch_and_fresh_arrays():
    for kind in ("normal", "uniform", "digits"):
        spec = NetworkSpec(input=kind, batch=64, in_features=32)
        a, b = make_inputs(spec, rng(5)), make_inputs(spec, rng(5))
        assert np.array_equal(a.x, b.x) and a.x is not b.x
        assert not np.array_equal(a.x, make_inputs(spec, rng(6)).x)
        assert a.x.flags.c_contiguous and a.x.flags.writeable and a.x.flags.owndata


def test_dtype_float32_honoured():
    for kind in ("normal", "uniform", "digits"):
        spec = NetworkSpec(input=kind, batch=16, in_features=8, dtype="float32")
        b = make_inputs(spec, rng())
        assert b.x.dtype == np.float32 and b.x.flags.c_contiguous
    b64 = make_inputs(NetworkSpec(input="digits", batch=16), rng())
    b32 = make_inputs(NetworkSpec(input="digits", batch=16, dtype="float32"), rng())
    np.testing.assert_array_equal(b32.x, b64.x.astype(np.float32))


# --- user files ----------------------------------------------------------------------------------
def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_csv_with_label_header(tmp_path):
    p = write(tmp_path / "pts.csv", "f1, f2 ,Label\n1,2,0\n3,4,2\n\n5,6,1\n")
    x, y = load_table(p)
    assert x.tolist() == [[1, 2], [3, 4], [5, 6]] and y.tolist() == [0, 2, 1]
    assert x.dtype == np.float64 and y.dtype == np.int64
    spec = NetworkSpec(input="file", input_path=str(p), batch=3, standardize=False)
    b = make_inputs(spec, rng(0))
    idx = rng(0).permutation(3)
    assert b.x.tolist() == x[idx].tolist() and b.labels.tolist() == y[idx].tolist()
    assert b.n_classes == 3 and input_features(spec) == 2
    assert b.description == "file pts.csv (2 features, 3 classes), raw values, 3 of 3 rows"


def test_csv_y_column_without_header_and_txt(tmp_path):
    x, y = load_table(write(tmp_path / "a.csv", "y,f\n1,0.5\n0,-2e3\n"))
    assert x.tolist() == [[0.5], [-2000.0]] and y.tolist() == [1, 0]
    x, y = load_table(write(tmp_path / "b.txt", "1,2,3\n4,5,6\n"))
    assert x.tolist() == [[1, 2, 3], [4, 5, 6]] and y is None
    x, y = load_table(write(tmp_path / "c.csv", "a,b\n1,2\n"))
    assert x.tolist() == [[1, 2]] and y is None


def test_npz_labels_and_npy(tmp_path):
    np.savez(tmp_path / "d.npz", x=np.arange(6).reshape(3, 2), y=np.array([2, 0, 1]))
    x, y = load_table(tmp_path / "d.npz")
    assert x.tolist() == [[0, 1], [2, 3], [4, 5]] and y.tolist() == [2, 0, 1]
    np.save(tmp_path / "e.npy", np.arange(6, dtype=np.float32).reshape(2, 3))
    x, y = load_table(str(tmp_path / "e.npy"))
    assert x.dtype == np.float64 and x.tolist() == [[0, 1, 2], [3, 4, 5]] and y is None


def test_file_standardized_with_whole_file_stats(tmp_path):
    data = np.array([[1.0, 7.0, 0.0], [2.0, 7.0, 10.0], [3.0, 7.0, 20.0], [6.0, 7.0, 30.0]])
    np.save(tmp_path / "s.npy", data)
    spec = NetworkSpec(input="file", input_path=str(tmp_path / "s.npy"), batch=2)
    b = make_inputs(spec, rng(4))
    idx = rng(4).permutation(4)[:2]
    expect = (data[idx] - data.mean(0)) / np.where(data.std(0) > 0, data.std(0), 1)
    np.testing.assert_allclose(b.x, expect, rtol=1e-12)
    assert np.all(b.x[:, 1] == 0.0) and b.labels is None and b.n_classes is None
    assert b.description == "file s.npy (3 features), standardized, 2 of 4 rows"
    with pytest.raises(DataError) as err:
        make_inputs(spec.replace(batch=5), rng())
    assert err.value.field == "batch" and "4 rows" in str(err.value)


def test_non_finite_cells_are_counted_not_rejected(tmp_path):
    p = write(tmp_path / "nf.csv", "1,nan\ninf,4\n2,6\n")
    x, _ = load_table(p)
    assert np.isnan(x[0, 1]) and np.isposinf(x[1, 0])
    b = make_inputs(NetworkSpec(input="file", input_path=str(p), batch=3, dtype="float32"), rng())
    assert b.description.endswith("contains 2 non-finite values")
    assert np.count_nonzero(np.isfinite(b.x)) == 4
    # finite cells standardized with finite-cell statistics: column 0 is {1, 2}
    assert sorted(b.x[np.isfinite(b.x[:, 0]), 0].tolist()) == [-1.0, 1.0]


def test_cache_sees_file_changes(tmp_path):
    p = write(tmp_path / "c.csv", "1,2\n")
    assert load_table(p)[0].tolist() == [[1, 2]]
    write(p, "1,2,3\n4,5,6\n")
    os.utime(p, ns=(1, 2))
    assert load_table(p)[0].tolist() == [[1, 2, 3], [4, 5, 6]]


BAD_TEXT = [
    ("empty.csv", "", "empty"),
    ("blank.csv", "\n \n", "no data"),
    ("onlyhead.csv", "a,b\n", "no data rows"),
    ("cell.csv", "a,b\n1,2\n3,x\n", "row 3, column 2: 'x' is not a number"),
    ("hole.csv", "1,2\n3,\n", "row 2, column 2: is empty"),
    ("semi.csv", "1;2\n", "separate values with commas"),
    ("tabs.txt", "a\tb\n1\t2\n", "';' or tabs"),
    ("savetxt.txt", "1.0 2.0\n3.0 4.0\n", "separated by spaces"),  # np.savetxt's default
    ("ragged.csv", "1,2\n3,4,5\n", "row 2 has 3 values but row 1 has 2"),
    ("frac.csv", "a,label\n1,2\n3,2.5\n", "row 3, column 'label': label 2.5"),
    ("neg.csv", "a,label\n1,-1\n", "row 2, column 'label': label -1.0"),
    ("nanlab.csv", "a,y\n1,nan\n", "label nan"),
    ("onlylab.csv", "label\n1\n", "no feature columns"),
    ("twolab.csv", "label,y,a\n1,2,3\n", "more than one label column"),
    ("bad.xlsx", "1,2\n", "unknown file type '.xlsx'"),
    ("fake.npy", "1,2\n", "is not a NumPy .npy file"),
    ("fake.npz", "1,2\n", "is not a NumPy .npz file"),
]


@pytest.mark.parametrize(("name", "text", "expect"), BAD_TEXT)
def test_bad_text_files(tmp_path, name, text, expect):
    p = write(tmp_path / name, text)
    with pytest.raises(DataError) as err:
        load_table(p)
    msg = str(err.value)
    assert err.value.field == "input_path"
    assert name in msg and expect in msg and "\n" not in msg


BAD_ARRAYS = [
    ("one.npy", lambda p: np.save(p, np.arange(5.0)), "1-D with shape (5,)"),
    ("three.npy", lambda p: np.save(p, np.zeros((2, 2, 2))), "3-D"),
    ("none.npy", lambda p: np.save(p, np.zeros((0, 3))), "empty"),
    ("str.npy", lambda p: np.save(p, np.array([["a"]])), "not real numbers"),
    ("obj.npy", lambda p: np.save(p, np.array([[None]]), allow_pickle=True),
     "holds object values, not real numbers"),  # refused from the header: nothing unpickled
    ("nox.npz", lambda p: np.savez(p, a=np.ones((2, 2))), "no array named 'x' (found: a)"),
    ("yshape.npz", lambda p: np.savez(p, x=np.ones((3, 2)), y=np.arange(2)), "expected (3,)"),
    ("yfrac.npz", lambda p: np.savez(p, x=np.ones((2, 2)), y=np.array([0, 0.5])), "y[1]"),
    ("yneg.npz", lambda p: np.savez(p, x=np.ones((2, 2)), y=np.array([0, -3])), "label -3"),
    ("x1d.npz", lambda p: np.savez(p, x=np.ones(3)), "array x is 1-D"),
]


@pytest.mark.parametrize(("name", "save", "expect"), BAD_ARRAYS)
def test_bad_array_files(tmp_path, name, save, expect):
    p = tmp_path / name
    save(p)
    with pytest.raises(DataError) as err:
        load_table(p)
    msg = str(err.value)
    assert err.value.field == "input_path" and name in msg and expect in msg
    assert "\n" not in msg


def test_truncated_binary_and_missing_files(tmp_path):
    np.savez(tmp_path / "ok.npz", x=np.ones((50, 50)))
    (tmp_path / "cut.npz").write_bytes((tmp_path / "ok.npz").read_bytes()[:60])
    (tmp_path / "bin.csv").write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe")
    (tmp_path / "dir.csv").mkdir()
    cases = [("cut.npz", "cannot be read as .npz"), ("bin.csv", "not a UTF-8 text file"),
             ("dir.csv", "is a folder"), ("missing.csv", "file not found")]
    for name, expect in cases:
        with pytest.raises(DataError) as err:
            load_table(tmp_path / name)
        assert name in str(err.value) and expect in str(err.value)
    with pytest.raises(DataError) as err:
        input_features(NetworkSpec(input="file", input_path=str(tmp_path / "missing.csv")))
    assert err.value.field == "input_path"


def test_unreadable_file(tmp_path, monkeypatch):
    p = write(tmp_path / "secret.csv", "1,2\n")

    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(data, "open", denied, raising=False)   # chmod 0 does not stop root
    monkeypatch.setattr(arrayfiles, "open", denied, raising=False)
    with pytest.raises(DataError, match=r"secret\.csv: cannot be read \(permission denied\)"):
        load_table(p)


# --- packaging -----------------------------------------------------------------------------------
def test_digits_load_from_wheel_layout(tmp_path):
    """Installed wheels hold the data at gradexplorer/resources/ (pyproject force-include)."""
    repo = Path(__file__).resolve().parents[2]
    site = tmp_path / "site"
    shutil.copytree(repo / "gradexplorer", site / "gradexplorer",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(repo / "resources", site / "gradexplorer" / "resources")
    code = ("import gradexplorer.engine.data.inputs as d, gradexplorer.resource_files as r;"
            "x, y = d.load_digits();"
            "print(r.resource_path('data', 'optdigits.csv.gz'), x.shape,"
            "      int(x.sum()), int(y.sum()))")
    env = {**os.environ, "PYTHONPATH": str(site)}
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, text=True,
                         capture_output=True, check=True).stdout.split()
    x, y = load_digits()
    assert out[0] == str(site / "gradexplorer" / "resources" / "data" / "optdigits.csv.gz")
    assert out[1:] == ["(1797,", "64)", str(int(x.sum())), str(int(y.sum()))]
