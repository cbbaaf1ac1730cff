"""Presets that tell the story of the seed question, read from ``resources/presets.json``.

Each preset is a spec plus a two-sentence explanation that quotes what the engine measures for
it; ``expect`` records the verdict (kind, log10 gradient ratio first/last layer, mean saturated
fraction), and ``numbers`` (``title_numbers``) annotates EVERY number token of the explanation
(title) with the engine quantity it measures, in order (scheme: :mod:`gradexplorer.quoted`).
``tests/test_presets.py`` re-measures every one and fails on a number without an annotation.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache

from gradexplorer.engine.model.spec import NetworkSpec, SpecError
from gradexplorer.resource_files import resource_path


@dataclass(frozen=True)
class Preset:
    """``name`` (slug used on the CLI), ``title``, ``explanation``, ``spec``, ``expect``, and the
    annotations ``numbers`` / ``title_numbers`` (dicts, see :mod:`gradexplorer.quoted`)."""

    name: str
    title: str
    explanation: str
    spec: NetworkSpec
    expect: dict
    numbers: tuple[dict, ...] = ()
    title_numbers: tuple[dict, ...] = ()


@lru_cache(maxsize=1)
def list_presets() -> tuple[Preset, ...]:
    """All presets, in display order."""
    with open(resource_path("presets.json"), encoding="utf-8") as f:
        doc = json.load(f)
    common = doc["common"]
    return tuple(
        Preset(name=p["name"], title=p["title"], explanation=p["explanation"],
               spec=NetworkSpec.from_dict({**common, **p["spec"]}), expect=p.get("expect", {}),
               numbers=tuple(p.get("numbers", ())), title_numbers=tuple(p.get("title_numbers", ())))
        for p in doc["presets"])


def get_preset(name: str) -> Preset:
    """The preset called ``name``; :class:`SpecError` (field "preset") listing the names if none."""
    for p in list_presets():
        if p.name == name:
            return p
    names = ", ".join(p.name for p in list_presets())
    raise SpecError("preset", f"unknown preset {name!r} (choose from: {names})")
