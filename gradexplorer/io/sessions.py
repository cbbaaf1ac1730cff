"""Session files: the spec (and pinned runs' specs) as JSON, validated field by field.

Format (version 1)::

    {"format": "gradexplorer-session", "version": 1,
     "spec": {...NetworkSpec.to_dict()...},
     "pins": [{"label": "tanh, gain 1", "spec": {...}}, ...],
     "train_pins": [...]}

``pins`` is optional; so is ``train_pins``, the Train tab's pinned runs as measured data
(:mod:`gradexplorer.io.train_pins`; written only when there are some, so sessions without
them are the same as before). Loading never changes anything on failure: :func:`load_session` either
returns a complete :class:`Session` or raises :class:`SessionError` with one line naming the bad
field (``pins[1].spec.gain must be between 0.0001 and 1000, got 5000``). Values outside what the
app's controls can show are refused, never clamped. Only regular files of at most
:data:`MAX_BYTES` are read; a FIFO, device or folder is refused without blocking.
"""

from __future__ import annotations

import json
import math
import os
import stat
from dataclasses import dataclass, field
from typing import Any

from gradexplorer.engine.model.spec import NetworkSpec, SpecError
from gradexplorer.io import atomic
from gradexplorer.io.train_pins import train_pins_from_data

FORMAT = "gradexplorer-session"
VERSION = 1
#: Larger files are not sessions (a session with 100 pins is about 60 kB).
MAX_BYTES = 4 * 2**20
MAX_PINS = 100
MAX_LABEL = 200
#: Values the app's controls show exactly, for the fields whose control is narrower than the
#: spec allows: the number boxes hold any typed number in ±999999 (gui.controls.widgets.
#: TYPED_MAX; the spec judges it) with 4 decimals for the gain, 3 for the negative slope.
CONTROL_LIMITS = {
    "gain": (1e-4, 999_999.0), "negative_slope": (0.0, 0.999), "bias_std": (0.0, 999_999.0),
    "input_mean": (-1e6, 1e6), "input_std": (0.0, 999_999.0), "residual_scale": (0.0, 999_999.0),
}
_INT_FIELDS = ("depth", "width", "in_features", "batch", "seed")
_FLOAT_FIELDS = ("negative_slope", "gain", "bias_std", "input_mean", "input_std",
                 "residual_scale")
_NAME_FIELDS = ("activation", "init", "mode", "bias_init", "input", "loss", "dtype", "norm")
#: Longer names and paths are not settings (they would only flood the message line).
_MAX_TEXT = 4096


class SessionError(Exception):
    """A session file cannot be read or written; the message says why, in one line."""


@dataclass(frozen=True)
class Pin:
    """A pinned run: its legend label and the spec that reproduces it."""

    label: str
    spec: NetworkSpec


@dataclass(frozen=True)
class Session:
    """What a session file holds."""

    spec: NetworkSpec
    pins: tuple[Pin, ...] = field(default_factory=tuple)
    train_pins: tuple = field(default_factory=tuple)  # of io.train_pins.TrainPin

    def to_dict(self) -> dict:
        """The JSON document (see the module docstring)."""
        doc = {
            "format": FORMAT,
            "version": VERSION,
            "spec": self.spec.to_dict(),
            "pins": [{"label": p.label, "spec": p.spec.to_dict()} for p in self.pins],
        }
        if self.train_pins:
            doc["train_pins"] = [p.to_dict() for p in self.train_pins]
        return doc

    @classmethod
    def from_dict(cls, data: object) -> Session:
        """Parse a JSON document; raise :class:`SessionError` if it is not a valid session."""
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise SessionError("not a gradexplorer session file")
        version = data.get("version")
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            raise SessionError(f"session file has no valid version number "
                               f"(version must be a whole number from 1, got {_clip(version)})")
        if version > VERSION:
            raise SessionError(f"session file is version {version}, newer than this gradexplorer "
                               f"understands (version {VERSION}); please update gradexplorer")
        spec = spec_from_session(data.get("spec"), "spec")
        pins = pins_from_data(data.get("pins", []))
        train_pins = train_pins_from_data(data.get("train_pins"), SessionError,
                                          spec_from_session)
        return cls(spec, pins, train_pins)


def pins_from_data(pins_data: object) -> tuple[Pin, ...]:
    """The pinned runs of a session's (or the stored settings') ``pins`` list, checked:
    at most :data:`MAX_PINS`, each a text label and a valid spec; SessionError otherwise."""
    if pins_data is None:
        pins_data = []
    if not isinstance(pins_data, list):
        raise SessionError(f"session file has a malformed pinned run: pins must be a list, "
                           f"got {_clip(pins_data)}")
    if len(pins_data) > MAX_PINS:
        raise SessionError(f"session file has {len(pins_data)} pinned runs; at most "
                           f"{MAX_PINS} are allowed")
    pins = []
    for i, item in enumerate(pins_data):
        where = f"pins[{i}]"
        if not isinstance(item, dict) or not isinstance(item.get("label"), str):
            raise SessionError(f"session file has a malformed pinned run: {where} needs a "
                               f"text label and a spec")
        if len(item["label"]) > MAX_LABEL:
            raise SessionError(f"session file has a malformed pinned run: {where}.label is "
                               f"longer than {MAX_LABEL} characters")
        pins.append(Pin(item["label"], spec_from_session(item.get("spec"), f"{where}.spec")))
    return tuple(pins)


def _clip(value: Any, limit: int = 40) -> str:
    """``repr(value)`` cut to ``limit`` characters, for messages."""
    try:
        text = repr(value)
    except ValueError:  # an int too long to print (sys.set_int_max_str_digits)
        return "a number too long to show"
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _check_type(name: str, value: Any, where: str) -> None:
    def bad(kind: str):
        return SessionError(f"session file has an invalid setting: {where}.{name} must be "
                            f"{kind}, got {_clip(value)}")

    if name in _INT_FIELDS:
        if isinstance(value, bool) or not isinstance(value, int):
            raise bad("a whole number")
        if value.bit_length() > 64:
            raise bad("a whole number below 2**63")
    elif name in _FLOAT_FIELDS:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise bad("a number")
        if isinstance(value, int) and value.bit_length() > 1024 or not math.isfinite(value):
            raise bad("a finite number")
    elif name in _NAME_FIELDS:
        if not isinstance(value, str) or len(value) > 100:
            raise bad("a name")
    elif name == "input_path":
        if value is not None and (not isinstance(value, str) or len(value) > _MAX_TEXT):
            raise bad("a file path or null")
    elif name in ("standardize", "residual"):
        if not isinstance(value, bool):
            raise bad("true or false")
    elif name == "widths":
        if value is not None and (not isinstance(value, list) or not all(
                isinstance(w, int) and not isinstance(w, bool) and w.bit_length() < 64
                for w in value)):
            raise bad("a list of whole numbers or null")


def spec_from_session(data: object, where: str = "spec") -> NetworkSpec:
    """A :class:`NetworkSpec` from a session's JSON dict, checked field by field.

    Types are strict (JSON numbers, not strings; lists for widths); values must lie in the
    spec's ranges and in :data:`CONTROL_LIMITS`. Raises :class:`SessionError` naming
    ``where.field``.
    """
    if not isinstance(data, dict):
        raise SessionError(f"session file has an invalid setting: {where} must be a mapping of "
                           f"settings, got {_clip(data)}")
    for name, value in data.items():
        _check_type(str(name), value, where)
    try:
        spec = NetworkSpec.from_dict(data)
    except SpecError as exc:
        prefix = f"{where}.{exc.field}: " if getattr(exc, "field", None) else f"{where}: "
        raise SessionError(f"session file has an invalid setting: {prefix}{exc}") from None
    for name, (lo, hi) in CONTROL_LIMITS.items():
        value = getattr(spec, name)
        if not lo <= value <= hi:
            raise SessionError(f"session file has an invalid setting: {where}.{name} must be "
                               f"between {lo:g} and {hi:g}, got {value:g}")
    return spec


def save_session(path: str | os.PathLike, session: Session) -> None:
    """Write ``session`` to ``path`` as strict JSON, atomically (see :mod:`..atomic`).

    Raises :class:`SessionError` (one line) when the file cannot be written; the old file is
    then unchanged and no temporary file is left behind.
    """
    text = json.dumps(session.to_dict(), indent=2, allow_nan=False) + "\n"
    try:
        atomic.write_text(path, text)
    except OSError as exc:
        raise SessionError(atomic.describe(exc, path)) from None


def read_regular_file(path: str | os.PathLike, max_bytes: int, what: str = "file") -> bytes:
    """The bytes of ``path`` if it is a regular file of at most ``max_bytes``; else OSError.

    Opens without blocking (a FIFO with no writer would wait forever) and refuses FIFOs,
    devices, sockets and folders with a one-line message.
    """
    shown = os.fspath(path)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(shown, flags)
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise IsADirectoryError(f"{shown} is a folder, not a {what}")
        if not stat.S_ISREG(st.st_mode):
            raise OSError(f"{shown} is not a regular file (a FIFO, device or socket), "
                          f"not a {what}")
        if st.st_size > max_bytes:
            raise OSError(f"{shown} is {st.st_size / 2**20:.1f} MiB, too large for a {what}")
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        with os.fdopen(fd, "rb", closefd=False) as f:
            data = f.read(max_bytes + 1)
    finally:
        os.close(fd)
    if len(data) > max_bytes:
        raise OSError(f"{shown} is too large for a {what}")
    return data


def load_session(path: str | os.PathLike) -> Session:
    """Read a session file; raise :class:`SessionError` for a missing, corrupt or newer file."""
    name = os.path.basename(os.fspath(path))
    try:
        data = read_regular_file(path, MAX_BYTES, "session file")
    except OSError as exc:
        reason = exc.strerror or str(exc)
        if exc.strerror:
            reason = f"cannot read {os.fspath(path)}: {reason}"
        raise SessionError(reason) from None
    try:
        doc = json.loads(data.decode("utf-8-sig"))  # a leading BOM (Notepad) is not an error
    except UnicodeDecodeError:
        raise SessionError(f"{name} is not valid JSON (not UTF-8 text)") from None
    except json.JSONDecodeError as exc:
        raise SessionError(f"{name} is not valid JSON ({exc})") from None
    except RecursionError:
        raise SessionError(f"{name} is not a session: its JSON is nested too deeply") from None
    except ValueError as exc:  # an integer with more digits than Python converts
        raise SessionError(f"{name} is not valid JSON ({_clip(str(exc), 80)})") from None
    return Session.from_dict(doc)
