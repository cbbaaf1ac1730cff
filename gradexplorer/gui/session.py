"""Session files: the spec (and pinned runs' specs) as JSON.

Format (version 1)::

    {"format": "gradexplorer-session", "version": 1,
     "spec": {...NetworkSpec.to_dict()...},
     "pins": [{"label": "tanh, gain 1", "spec": {...}}, ...]}

``pins`` is optional. Loading never changes anything on failure: :func:`load_session` either
returns a complete :class:`Session` or raises :class:`SessionError` with a message for the user.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field

from gradexplorer.engine.model.spec import NetworkSpec, SpecError

FORMAT = "gradexplorer-session"
VERSION = 1
#: File-dialog filter for session files.
FILE_FILTER = "gradexplorer sessions (*.gxs.json *.json);;All files (*)"


class SessionError(Exception):
    """A session file cannot be read; the message says why, in one line."""


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

    def to_dict(self) -> dict:
        """The JSON document (see the module docstring)."""
        return {
            "format": FORMAT,
            "version": VERSION,
            "spec": self.spec.to_dict(),
            "pins": [{"label": p.label, "spec": p.spec.to_dict()} for p in self.pins],
        }

    @classmethod
    def from_dict(cls, data: object) -> Session:
        """Parse a JSON document; raise :class:`SessionError` if it is not a valid session."""
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise SessionError("not a gradexplorer session file")
        version = data.get("version")
        if not isinstance(version, int) or isinstance(version, bool):
            raise SessionError("session file has no valid version number")
        if version > VERSION:
            raise SessionError(f"session file is version {version}, newer than this gradexplorer "
                               f"understands (version {VERSION}); please update gradexplorer")
        try:
            spec = NetworkSpec.from_dict(data.get("spec"))
            pins = []
            for item in data.get("pins") or []:
                if not isinstance(item, dict) or not isinstance(item.get("label"), str):
                    raise SessionError("session file has a malformed pinned run")
                pins.append(Pin(item["label"], NetworkSpec.from_dict(item.get("spec"))))
        except SpecError as exc:
            raise SessionError(f"session file has an invalid setting: {exc}") from None
        return cls(spec, tuple(pins))


def save_session(path: str | os.PathLike, session: Session) -> None:
    """Write ``session`` to ``path`` as strict JSON (written to a temporary file, then renamed)."""
    text = json.dumps(session.to_dict(), indent=2, allow_nan=False)
    tmp = f"{os.fspath(path)}.tmp"
    try:
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text + "\n")
        os.replace(tmp, path)
    except OSError as exc:
        raise SessionError(f"cannot write {os.fspath(path)}: {exc.strerror or exc}") from None


def load_session(path: str | os.PathLike) -> Session:
    """Read a session file; raise :class:`SessionError` for a missing, corrupt or newer file."""
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except OSError as exc:
        raise SessionError(f"cannot read {os.fspath(path)}: {exc.strerror or exc}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise SessionError(f"{os.path.basename(path)} is not valid JSON ({exc})") from None
    return Session.from_dict(data)
