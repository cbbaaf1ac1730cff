"""Checked command-line values: ASCII decimal numbers, known names, no empty values.

Each ``*_value`` factory returns an argparse ``type=`` callable. A bad value raises
:class:`argparse.ArgumentTypeError`, which the shared parser prints as one line
(``gradexplorer run: argument --depth: ...``) with exit status 2. Values are returned as
validated, stripped text (names lower-cased): the engine's spec still converts and range-checks
them, so the CLI and a session or the GUI share one set of rules. Echoed values are cut to
:data:`ECHO` characters.

Python's ``int``/``float`` accept ``1_000`` and non-ASCII digits (Arabic-Indic ``١٢``); these
checks do not.
"""

from __future__ import annotations

import argparse
import re

#: At most this many characters of a bad value are echoed in a message.
ECHO = 40
_INT = re.compile(r"[+-]?[0-9]+")
_FLOAT = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
                    r"|[+-]?(?:inf|infinity|nan)", re.IGNORECASE)
_WIDTHS = re.compile(r"[0-9]+(?:\s*[,; ]\s*[0-9]+)*\s*[,;]?")
#: Longest number text taken (a 64-bit seed has 19 digits; 1e-300 style floats are short).
_MAX_NUMBER = 32
#: Longest list of widths (1000 layers of "8192,").
_MAX_WIDTHS = 6000


def clip(value: object, limit: int = ECHO) -> str:
    """``repr(value)``, cut to ``limit`` characters with an ellipsis."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 2] + "…" + text[0]


def shorten(text: str, limit: int = ECHO) -> str:
    """``text`` (unquoted) cut to ``limit`` characters with an ellipsis."""
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


_LONG_QUOTED = re.compile(r"'([^'\n]{" + str(ECHO + 1) + r",})'")
_LONG_TOKEN = re.compile(r"\S{" + str(3 * ECHO) + r",}")


def clip_message(message: str) -> str:
    """``message`` with every long quoted value (and any very long word) cut short."""
    message = _LONG_QUOTED.sub(lambda m: f"'{m.group(1)[:ECHO - 2]}…'", message)
    return _LONG_TOKEN.sub(lambda m: m.group(0)[:ECHO] + "…", message)


def _fail(what: str, text: str, kind: str):
    if not text.strip():
        return argparse.ArgumentTypeError(f"{what} is empty; give {kind}")
    return argparse.ArgumentTypeError(f"{what} must be {kind}, got {clip(text)}")


def is_integer_text(text: str) -> bool:
    """True for a whole number in ASCII digits (optional sign, no ``_``, at most 32 chars)."""
    s = str(text).strip()
    return len(s) <= _MAX_NUMBER and _INT.fullmatch(s) is not None


def is_number_text(text: str) -> bool:
    """True for an ASCII decimal number (``1``, ``-0.5``, ``1e-3``, ``inf``, ``nan``)."""
    s = str(text).strip()
    return len(s) <= _MAX_NUMBER and _FLOAT.fullmatch(s) is not None


def _named(parse, what: str):
    parse.__name__ = what.replace(" ", "_")  # argparse names the type in some messages
    return parse


def integer_value(what: str):
    """A ``type=`` for a whole number in ASCII digits (sign allowed; no ``_``, no other
    scripts); ``what`` names the setting in messages."""
    def parse(text: str) -> str:
        if not is_integer_text(text):
            raise _fail(what, str(text), "a whole number")
        return str(text).strip()

    return _named(parse, what)


def number_value(what: str):
    """A ``type=`` for an ASCII decimal number (``1``, ``-0.5``, ``1e-3``, ``inf``)."""
    def parse(text: str) -> str:
        if not is_number_text(text):
            raise _fail(what, str(text), "a number")
        return str(text).strip()

    return _named(parse, what)


def widths_value(text: str) -> str:
    """Whole numbers separated by commas (``512,256,128``)."""
    s = str(text).strip()
    if len(s) > _MAX_WIDTHS or not _WIDTHS.fullmatch(s):
        raise _fail("widths", str(text), "whole numbers separated by commas (e.g. 512,256,128)")
    return s


def text_value(what: str):
    """A ``type=`` for any non-empty text (a path, a preset name): empty is an error."""
    def parse(text: str) -> str:
        if not str(text).strip():
            raise _fail(what, str(text), "a value")
        return str(text)

    return _named(parse, what)


def choice_value(what: str, names: tuple[str, ...]):
    """A ``type=`` for one of ``names`` (case and surrounding spaces ignored)."""
    def parse(text: str) -> str:
        s = str(text).strip().lower()
        if s not in names:
            if not s:
                raise _fail(what, str(text), f"one of {', '.join(names)}")
            raise argparse.ArgumentTypeError(f"unknown {what} {clip(str(text))} "
                                             f"(choose from: {', '.join(names)})")
        return s

    return _named(parse, what)


def check_setting(key: str, value: str) -> str:
    """Check the text of ``--set KEY=VALUE`` as the flag of the same setting would.

    Raises :class:`argparse.ArgumentTypeError` for a bad number; other keys pass unchanged
    (the spec checks them).
    """
    from gradexplorer.cli.parsing import FLOAT_FIELDS, INT_FIELDS

    what = key.replace("_", " ")
    if key in INT_FIELDS:
        return integer_value(what)(value)
    if key in FLOAT_FIELDS:
        return number_value(what)(value)
    if key == "widths" and value.strip():
        return widths_value(value)
    return value
