"""Session files: every malformed field is refused with one message naming it; nothing is
clamped; FIFOs and special files are refused without blocking; saves are atomic."""

from __future__ import annotations

import errno
import json
import os
import stat
import threading

import pytest

from gradexplorer.engine.model.spec import NetworkSpec
from gradexplorer.io import sessions
from gradexplorer.io.sessions import FORMAT, Pin, Session, SessionError, load_session, save_session

SPEC = NetworkSpec(depth=6, width=12, in_features=10, batch=16, activation="relu", gain=1.3)


def _doc(changes=None, **top):
    doc = {"format": FORMAT, "version": 1, "spec": {**SPEC.to_dict(), **(changes or {})},
           "pins": []}
    doc.update(top)
    return doc


def _load(tmp_path, doc_or_text):
    path = tmp_path / "s.json"
    text = doc_or_text if isinstance(doc_or_text, str) else json.dumps(doc_or_text)
    path.write_text(text, encoding="utf-8")
    return load_session(path)


def test_round_trip(tmp_path):
    session = Session(SPEC, (Pin("a", SPEC.replace(gain=2.0)),))
    save_session(tmp_path / "s.json", session)
    assert load_session(tmp_path / "s.json") == session



def test_a_session_saved_with_a_byte_order_mark_opens(tmp_path):
    """A session edited in an editor that writes a UTF-8 BOM (Windows Notepad before 2019, some
    Excel/PowerShell exports) was refused: "not valid JSON (Unexpected UTF-8 BOM ...)"."""
    session = Session(SPEC, (Pin("a", SPEC.replace(gain=2.0)),))
    save_session(tmp_path / "s.json", session)
    path = tmp_path / "s.json"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert load_session(path) == session

@pytest.mark.parametrize("spec, words", [
    ({"widths": 5}, "spec.widths must be a list of whole numbers or null, got 5"),
    ({"widths": [4, "x"]}, "spec.widths must be a list"),
    ({"depth": "7"}, "spec.depth must be a whole number, got '7'"),
    ({"depth": 7.5}, "spec.depth must be a whole number"),
    ({"depth": True}, "spec.depth must be a whole number"),
    ({"seed": 10 ** 40}, "spec.seed must be a whole number below 2**63"),
    ({"gain": 5e6}, "spec.gain must be between 0.0001 and 999999, got 5e+06"),
    ({"gain": 1e-9}, "spec.gain must be between 0.0001 and 999999"),
    ({"bias_std": 5e6}, "spec.bias_std must be between 0 and 999999, got 5e+06"),
    ({"input_mean": 1e308}, "spec.input_mean must be between -1e+06 and 1e+06"),
    ({"negative_slope": 0.9999}, "spec.negative_slope must be between 0 and 0.999"),
    ({"depth": 5000}, "spec.depth: depth must be between 1 and 1000"),
    ({"activation": "x" * 5000}, "spec.activation must be a name, got 'xxxxx"),
    ({"activation": "swish"}, "spec.activation: unknown activation 'swish'"),
    ({"standardize": "yes"}, "spec.standardize must be true or false"),
    ({"bogus": 1}, "unknown setting 'bogus'"),
])
def test_bad_spec_fields_are_named_not_clamped(tmp_path, spec, words):
    with pytest.raises(SessionError) as info:
        _load(tmp_path, _doc(spec))
    message = str(info.value)
    assert words in message and "\n" not in message and len(message) < 300


@pytest.mark.parametrize("top, words", [
    ({"pins": 5}, "pins must be a list, got 5"),
    ({"pins": [5]}, "pins[0] needs a text label and a spec"),
    ({"pins": [{"label": "a", "spec": {"gain": 5e6}}]}, "pins[0].spec.gain must be between"),
    ({"pins": [{"label": "a" * 300, "spec": {}}]}, "pins[0].label is longer than 200"),
    ({"spec": 5}, "spec must be a mapping of settings, got 5"),
    ({"version": 0}, "no valid version number"),
    ({"version": -5}, "no valid version number"),
    ({"version": "1"}, "no valid version number"),
    ({"version": 2}, "newer than this gradexplorer understands"),
    ({"format": "x"}, "not a gradexplorer session file"),
])
def test_bad_top_level_fields(tmp_path, top, words):
    with pytest.raises(SessionError) as info:
        _load(tmp_path, _doc(**top))
    assert words in str(info.value)


@pytest.mark.parametrize("text, words", [
    ('{"format": "gradexplorer-session", "version": 1, "spec": {"depth": ' + "9" * 5000 + "}}",
     "not valid JSON"),
    ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
    ("{not json", "not valid JSON"),
    ("\udcff", "not valid JSON"),
])
def test_garbage_files(tmp_path, text, words):
    path = tmp_path / "s.json"
    path.write_bytes(text.encode("utf-8", "surrogateescape"))
    with pytest.raises(SessionError) as info:
        load_session(path)
    assert words in str(info.value) and len(str(info.value)) < 300


def test_fifo_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "s.json"
    os.mkfifo(fifo)
    outcome = []
    worker = threading.Thread(target=lambda: outcome.append(_try_load(fifo)), daemon=True)
    worker.start()
    worker.join(5)
    assert not worker.is_alive(), "loading a FIFO blocked"
    assert "not a regular file" in outcome[0]


def _try_load(path):
    try:
        load_session(path)
    except SessionError as exc:
        return str(exc)
    return "loaded"


def test_folder_missing_and_huge_files(tmp_path, monkeypatch):
    with pytest.raises(SessionError, match="is a folder"):
        load_session(tmp_path)
    with pytest.raises(SessionError, match="cannot read"):
        load_session(tmp_path / "missing.json")
    monkeypatch.setattr(sessions, "MAX_BYTES", 10)
    (tmp_path / "big.json").write_text(json.dumps(_doc()))
    with pytest.raises(SessionError, match="too large"):
        load_session(tmp_path / "big.json")


def test_failed_save_keeps_the_old_file_and_leaves_no_temporary(tmp_path, monkeypatch):
    path = tmp_path / "s.json"
    save_session(path, Session(SPEC))
    before = path.read_bytes()
    os.chmod(path, 0o640)

    def full(*args):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(SessionError, match="No space left on device"):
        save_session(path, Session(SPEC.replace(depth=3)))
    assert path.read_bytes() == before and sorted(os.listdir(tmp_path)) == ["s.json"]
    monkeypatch.undo()
    save_session(path, Session(SPEC.replace(depth=3)))
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


def test_save_follows_a_symlink(tmp_path):
    real = tmp_path / "real.json"
    link = tmp_path / "link.json"
    save_session(real, Session(SPEC))
    link.symlink_to(real)
    save_session(link, Session(SPEC.replace(depth=3)))
    assert link.is_symlink() and load_session(real).spec.depth == 3


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full")
def test_save_refuses_a_device():
    with pytest.raises(SessionError, match="not a regular file"):
        save_session("/dev/full", Session(SPEC))
