"""The glossary: every symbol the app shows, in plain words (Qt-free; ``resources/glossary.json``).

A :class:`Term` has the ``symbol`` as the app writes it (``χ1``, ``q*``, ``∂L/∂h``, ``update
ratio``), a short ``name``, a ``plain``-words explanation, ``aliases`` (other spellings: CLI column
names such as ``chi1`` or ``|dL/dW|``) and optionally ``where`` it appears. The GUI's Help ▸
Glossary lists :func:`list_terms`; :func:`lookup` finds a term by symbol or alias.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache

from gradexplorer.resource_files import resource_path


@dataclass(frozen=True)
class Term:
    """One glossary entry (see the module docstring)."""

    symbol: str
    name: str
    plain: str
    aliases: tuple[str, ...] = ()
    where: str = ""


@lru_cache(maxsize=1)
def list_terms() -> tuple[Term, ...]:
    """All terms, in the order of the file (from the network's pieces to the theory)."""
    with open(resource_path("glossary.json"), encoding="utf-8") as f:
        doc = json.load(f)
    return tuple(Term(symbol=t["symbol"], name=t["name"], plain=t["plain"],
                      aliases=tuple(t.get("aliases", ())), where=t.get("where", ""))
                 for t in doc["terms"])


def lookup(symbol: str) -> Term:
    """The term whose symbol or alias is ``symbol`` (case-insensitive); KeyError if none."""
    key = symbol.strip().lower()
    for term in list_terms():
        if key == term.symbol.lower() or key in (a.lower() for a in term.aliases):
            return term
    raise KeyError(f"no glossary entry for {symbol!r}")
