"""Array files are sized from their headers before any data is read (issue 12, case 6), and the
training estimate counts the data set (checked against a measured peak in a subprocess)."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile

import numpy as np
import pytest

from gradexplorer.engine.data import arrayfiles
from gradexplorer.engine.data.inputs import DataError, load_table
from gradexplorer.engine.data.tasks import teacher_bytes
from gradexplorer.engine.model.spec import MAX_WIDTH, NetworkSpec
from gradexplorer.engine.training.trainer import TrainConfig, _teacher_eval_rows, training_bytes


def _npy_bytes(shape, dtype="<f8", body: bytes = b"") -> bytes:
    """A .npy file whose header declares ``shape`` followed by ``body`` (maybe far too short)."""
    import io

    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        buf, {"descr": dtype, "fortran_order": False, "shape": tuple(shape)})
    return buf.getvalue() + body


@pytest.fixture
def no_body_reads(monkeypatch):
    """Fail the test if any array data would be read (the refusal must come from headers)."""
    def boom(*args, **kwargs):
        raise AssertionError("data were read before the size check")
    monkeypatch.setattr(arrayfiles, "_read_body", boom)


def test_npy_header_claiming_a_huge_shape_is_refused_unread(tmp_path, no_body_reads):
    p = tmp_path / "huge.npy"
    p.write_bytes(_npy_bytes((10**7, 8000), body=b"\0" * 64))
    with pytest.raises(DataError, match=r"huge\.npy: holds 10,000,000 × 8,000 values; loading "
                                        r"them needs about .* but only .* is available"):
        load_table(p)


def test_npy_with_too_many_features_is_refused_unread(tmp_path, no_body_reads):
    p = tmp_path / "wide.npy"
    p.write_bytes(_npy_bytes((3, MAX_WIDTH + 1)))
    with pytest.raises(DataError, match=rf"has {MAX_WIDTH + 1:,} columns; at most {MAX_WIDTH}"):
        load_table(p)


def test_truncated_npy_body_is_one_line(tmp_path):
    p = tmp_path / "short.npy"
    p.write_bytes(_npy_bytes((100, 4), body=b"\0" * 80))
    with pytest.raises(DataError, match=r"short\.npy: is truncated: 80 of 3,200 data bytes"):
        load_table(p)


def test_npz_member_declaring_a_huge_size_is_refused_before_inflating(tmp_path, monkeypatch,
                                                                      no_body_reads):
    """A 40 MB all-zero member deflates to ~40 KB; with 64 MiB available it must be refused
    from the zip directory's declared size alone."""
    p = tmp_path / "bomb.npz"
    np.savez_compressed(p, x=np.zeros((5000, 1000)))
    assert p.stat().st_size < 200_000
    with zipfile.ZipFile(p) as zf:
        assert zf.getinfo("x.npy").file_size > 40_000_000
    monkeypatch.setattr(arrayfiles, "available_bytes", lambda: 64 * 2**20)
    with pytest.raises(DataError, match=r"bomb\.npz: array x declares 38\.1 MiB uncompressed"):
        load_table(p)


def test_npz_member_whose_header_claims_a_huge_shape(tmp_path, no_body_reads):
    p = tmp_path / "claims.npz"
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("x.npy", _npy_bytes((10**7, 8000)))
    with pytest.raises(DataError, match=r"claims\.npz: holds 10,000,000 × 8,000 values"):
        load_table(p)


def test_npz_member_inflating_beyond_its_declared_size_is_not_read_past_it(tmp_path):
    """The header declares more data than the zip member holds: refused as damaged."""
    p = tmp_path / "liar.npz"
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("x.npy", _npy_bytes((1000, 100), body=b"\0" * 800))
    with pytest.raises(DataError, match=r"liar\.npz: is damaged: its header declares 800,000 "
                                        r"bytes"):
        load_table(p)


def test_million_column_csv_is_refused_from_its_first_line(tmp_path, monkeypatch):
    p = tmp_path / "wide.csv"
    row = ",".join(["1"] * 1_000_000) + "\n"
    p.write_text(row * 3)

    def no_parse(*args, **kwargs):
        raise AssertionError("the CSV rows were parsed")
    monkeypatch.setattr(arrayfiles.csv, "reader", no_parse)
    with pytest.raises(DataError, match=rf"wide\.csv: has 1,000,000\+? columns; at most "
                                        rf"{MAX_WIDTH} features"):
        load_table(p)


def test_csv_with_label_column_at_the_cap_loads(tmp_path):
    p = tmp_path / "cap.csv"
    header = ",".join([f"f{i}" for i in range(MAX_WIDTH)] + ["label"])
    p.write_text(header + "\n" + ",".join(["0.5"] * MAX_WIDTH + ["1"]) + "\n")
    x, y = load_table(p)
    assert x.shape == (1, MAX_WIDTH) and y.tolist() == [1]
    q = tmp_path / "over.csv"
    q.write_text(",".join(["1"] * (MAX_WIDTH + 1)) + "\n")
    with pytest.raises(DataError, match=rf"over\.csv: has {MAX_WIDTH + 1:,} feature columns"):
        load_table(q)


def test_large_csv_is_refused_from_its_estimated_rows(tmp_path, monkeypatch):
    p = tmp_path / "long.csv"
    p.write_text("1,2,3,4\n" * 20000)
    monkeypatch.setattr(arrayfiles, "available_bytes", lambda: 2**20)
    with pytest.raises(DataError, match=r"long\.csv: holds 20,000 × 4 values"):
        load_table(p)


def test_teacher_estimate_counts_the_data_set():
    """The case of the issue: 100000 × 8192 inputs alone are 6.1 GiB in float64, and drawing
    them needs twice that; the estimate used to leave them out."""
    spec = NetworkSpec(depth=20, width=256, in_features=8192)
    cfg = TrainConfig(task="teacher", samples=100_000)
    widths = spec.layer_widths(8192)
    train_est = training_bytes(spec, cfg, widths, cfg.classes, _teacher_eval_rows(cfg),
                               100_000 * 8192)
    assert train_est > 100_000 * 8192 * 8
    assert teacher_bytes(8192, 100_000) >= 2 * 100_000 * 8192 * 8


# Peak from /proc/self/status VmHWM (this process image's own high-water mark; ru_maxrss would
# carry over the parent's through fork/exec).
_PEAK = """
import json, sys
from gradexplorer.engine.data.tasks import teacher_bytes
from gradexplorer.engine.model.spec import NetworkSpec
from gradexplorer.engine.training.trainer import (TrainConfig, _teacher_eval_rows, train,
                                                  training_bytes)
samples, n0 = 30000, 1536
spec = NetworkSpec(depth=2, width=64, in_features=n0, batch=64)
cfg = TrainConfig(task="teacher", samples=samples, steps=2, batch_size=64, eval_every=1)
def status(key):
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) * 1024 for line in f if line.startswith(key + ":"))
base = status("VmRSS")
for _ in train(spec, cfg):
    pass
peak = status("VmHWM") - base
est = max(teacher_bytes(n0, samples), training_bytes(
    spec, cfg, spec.layer_widths(n0), cfg.classes, _teacher_eval_rows(cfg), samples * n0))
print(json.dumps({"peak": peak, "estimate": est}))
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/status")
def test_teacher_memory_estimate_within_10_percent_of_measured_peak():
    out = subprocess.run([sys.executable, "-c", _PEAK], capture_output=True, text=True,
                         check=True, timeout=300)
    doc = json.loads(out.stdout)
    assert doc["peak"] == pytest.approx(doc["estimate"], rel=0.10)


@pytest.mark.parametrize("source", ["normal", "uniform"])
def test_drawn_inputs_are_sized_before_the_draw(monkeypatch, source):
    """A run far too large was refused only after its input batch was drawn: 65536 × 8192
    float64 peaked at 8.4 GB and took 13 s before "needs about 8.3 TiB" (an 8 GB machine
    swaps or kills the process first)."""
    from gradexplorer.engine.compute.memory import RunTooLargeError
    from gradexplorer.engine.data import inputs
    from gradexplorer.engine.runs.prepare import prepare

    def drawn(*args, **kwargs):
        raise AssertionError("the batch was drawn before the memory check")

    monkeypatch.setattr(inputs, "draw_in_blocks", drawn)
    spec = NetworkSpec(depth=1000, width=MAX_WIDTH, in_features=MAX_WIDTH, batch=65536,
                       input=source)
    with pytest.raises(RunTooLargeError, match=r"needs about 8\.\d TiB"):
        prepare(spec)
