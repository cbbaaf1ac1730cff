"""A full disk, a closed stdout or a broken pipe: one clear line and exit 2 (141 quietly for a
reader that left), never a traceback; --save never destroys the file it replaces."""

from __future__ import annotations

import errno
import os
import stat
import subprocess
import sys

import numpy as np
import pytest

from gradexplorer.cli.main import main

SMALL = ("--depth", "3", "--width", "4", "--batch", "4", "--in-features", "4")
COMMANDS = [
    ("run", *SMALL), ("run", *SMALL, "--format", "json"), ("run", *SMALL, "--format", "csv"),
    ("theory", "--depth", "3"), ("theory", "--critical-line", "--format", "json"),
    ("jacobian", *SMALL), ("jacobian", *SMALL, "--format", "json"),
    ("train", *SMALL, "--steps", "2"), ("train", *SMALL, "--steps", "2", "--format", "csv"),
    ("train", *SMALL, "--steps", "2", "--format", "json"),
    ("presets",), ("--help",), ("--version",), ("run", "--help"),
]


class Stream:
    """A stdout whose writes (or flushes) fail with ``error``."""

    def __init__(self, error: OSError, on_flush: bool = False):
        self.error, self.on_flush, self.text = error, on_flush, []

    def write(self, text):
        if not self.on_flush:
            raise self.error
        self.text.append(text)
        return len(text)

    def flush(self):
        if self.on_flush and self.text:
            raise self.error


@pytest.mark.parametrize("argv", COMMANDS)
@pytest.mark.parametrize("on_flush", [False, True])
def test_full_disk_is_one_line_and_exit_2(capsys, monkeypatch, argv, on_flush):
    monkeypatch.setattr(sys, "stdout", Stream(OSError(errno.ENOSPC, "No space left on device"),
                                              on_flush))
    code = main(list(argv))
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and "cannot write the output: No space left on device" in err


@pytest.mark.parametrize("argv", COMMANDS[:3] + COMMANDS[7:9])
def test_broken_pipe_is_quiet_141(capsys, monkeypatch, argv):
    monkeypatch.setattr(sys, "stdout", Stream(BrokenPipeError(errno.EPIPE, "Broken pipe")))
    assert main(list(argv)) == 141
    assert capsys.readouterr().err == ""


def test_closed_stdout_is_refused_before_any_file_is_opened(capsys, monkeypatch, tmp_path):
    monkeypatch.setattr(sys, "stdout", None)
    assert main(["run", *SMALL, "--save", str(tmp_path / "x.npz")]) == 2
    assert "standard output is closed" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def _shell(command: str) -> subprocess.CompletedProcess:
    return subprocess.run(f"{sys.executable} -m gradexplorer {command}", shell=True,
                          capture_output=False, stderr=subprocess.PIPE, text=True, timeout=120)


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full")
@pytest.mark.parametrize("command", ["run --format csv", "theory", "presets", "--help",
                                     "train --steps 2"])
def test_real_dev_full_and_closed_stdout(command):
    small = " ".join(SMALL) if command.split()[0] in ("run", "train") else ""
    for redirect in ("> /dev/full", ">&-"):
        proc = _shell(f"{command} {small} {redirect}")
        assert proc.returncode == 2, (redirect, proc.stderr)
        assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr


def test_save_on_a_full_disk_keeps_the_old_file(capsys, monkeypatch, tmp_path):
    path = tmp_path / "old.npz"
    assert main(["run", *SMALL, "--save", str(path), "--format", "csv"]) == 0
    before = path.read_bytes()
    os.chmod(path, 0o600)
    real = np.savez

    def full(file, **arrays):
        file.write(b"PK\x03\x04 half an archive")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(np, "savez", full)
    capsys.readouterr()
    assert main(["run", *SMALL, "--seed", "3", "--save", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"cannot write {path}: No space left on device" in err
    assert path.read_bytes() == before and os.listdir(tmp_path) == ["old.npz"]
    monkeypatch.setattr(np, "savez", real)
    assert main(["run", *SMALL, "--seed", "3", "--save", str(path)]) == 0
    assert path.read_bytes() != before and stat.S_IMODE(path.stat().st_mode) == 0o600
    with np.load(path) as z:
        assert "W1" in z.files


def test_save_through_a_symlink_writes_the_target(capsys, tmp_path):
    real = tmp_path / "real.npz"
    real.write_bytes(b"old")
    link = tmp_path / "link.npz"
    link.symlink_to(real)
    assert main(["run", *SMALL, "--save", str(link)]) == 0
    assert link.is_symlink()
    with np.load(real) as z:
        assert "x" in z.files


@pytest.mark.parametrize("target", ["/dev/full.npz", "fifo.npz"])
def test_save_refuses_special_files(capsys, tmp_path, monkeypatch, target):
    monkeypatch.chdir(tmp_path)
    if target == "fifo.npz":
        os.mkfifo(target)
    elif not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full")
    else:
        target = "/dev/full"
    code = main(["run", *SMALL, "--save", target])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1


def test_save_to_a_fifo_is_refused_in_plain_words(tmp_path):
    fifo = tmp_path / "f.npz"
    os.mkfifo(fifo)
    proc = subprocess.run([sys.executable, "-m", "gradexplorer", "run", "--depth", "2",
                           "--width", "8", "--save", str(fifo)],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "not a regular file" in proc.stderr
    assert "Errno" not in proc.stderr
