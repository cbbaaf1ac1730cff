"""The story mode's content: the seed question answered step by step (Qt-free).

``resources/story.json`` holds the question and an ordered list of steps. The GUI (story mode)
shows one step at a time with Next/Back; this module only loads and validates the content, so the
CLI, tests and any front end share it.

A step (:class:`StoryStep`) has
- ``id`` (stable slug, for "come back to the same step") and ``title``;
- ``spec``: the network to load (a preset's, or a spec dict over the story's ``common`` keys), and
  ``preset`` (its name, or None);
- ``compare`` / ``compare_label``: an optional second network to pin beside it (None if none);
- ``text``: two plain sentences, what to look at; every number in it is annotated in ``numbers``
  (scheme: :mod:`gradexplorer.quoted`) and ``tests/test_story_content.py`` re-measures them;
- ``highlights``: what to highlight, in a small vocabulary the GUI maps to its plots:
  ``plot`` one of :data:`HIGHLIGHT_PLOTS`, ``curve`` "current" or "compare", and optionally
  ``layers`` (first, last), 1-based.

The last step answers the question.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache

from gradexplorer.engine.model.spec import NetworkSpec, SpecError
from gradexplorer.presets import get_preset
from gradexplorer.resource_files import resource_path

#: What a highlight may point at: RMS ∂L/∂h per layer, ‖∂L/∂W‖ per layer, the update ratio
#: ‖∂L/∂W‖/‖W‖, the saturated fraction, the activations' mean/std, the phase diagram's point.
HIGHLIGHT_PLOTS = ("gradient", "weight_gradient", "update_ratio", "saturation", "activations",
                   "phase")
HIGHLIGHT_CURVES = ("current", "compare")


@dataclass(frozen=True)
class Highlight:
    """``plot`` in :data:`HIGHLIGHT_PLOTS`, ``curve`` in :data:`HIGHLIGHT_CURVES`, ``layers``
    (first, last) 1-based or None for all."""

    plot: str
    curve: str = "current"
    layers: tuple[int, int] | None = None


@dataclass(frozen=True)
class StoryStep:
    """One step of the story (see the module docstring)."""

    id: str
    title: str
    text: str
    spec: NetworkSpec
    preset: str | None
    compare: NetworkSpec | None
    compare_label: str | None
    highlights: tuple[Highlight, ...]
    numbers: tuple[dict, ...]


@dataclass(frozen=True)
class Story:
    """``question`` (the seed question in one paragraph) and the ordered ``steps``."""

    question: str
    steps: tuple[StoryStep, ...]

    def index(self, step_id: str) -> int:
        """Position of the step called ``step_id``; KeyError if there is none."""
        for i, step in enumerate(self.steps):
            if step.id == step_id:
                return i
        raise KeyError(f"no story step {step_id!r}")


def _network(entry: dict, common: dict) -> tuple[NetworkSpec, str | None, str]:
    """(spec, preset name or None, label) of a ``{"preset": name}`` or ``{"spec": {...}}``."""
    if "preset" in entry:
        preset = get_preset(entry["preset"])
        return preset.spec, preset.name, entry.get("label", preset.title)
    spec = NetworkSpec.from_dict({**common, **entry["spec"]})
    return spec, None, entry.get("label", _describe(spec))


def _describe(spec: NetworkSpec) -> str:
    return f"{spec.activation} + {spec.init} × {spec.gain:g}"


def _highlight(entry: dict) -> Highlight:
    plot, curve = entry["plot"], entry.get("curve", "current")
    if plot not in HIGHLIGHT_PLOTS or curve not in HIGHLIGHT_CURVES:
        raise SpecError("story", f"unknown highlight {plot!r}/{curve!r} (plots: "
                                 f"{', '.join(HIGHLIGHT_PLOTS)}; curves: current, compare)")
    layers = tuple(entry["layers"]) if entry.get("layers") else None
    return Highlight(plot, curve, layers)


def parse_story(doc: dict) -> Story:
    """A :class:`Story` from the JSON document; SpecError (field "story") if malformed."""
    if doc.get("format") != "gradexplorer-story":
        raise SpecError("story", "not a gradexplorer story document")
    common, steps = doc.get("common", {}), []
    for entry in doc["steps"]:
        spec, preset, _ = _network(entry["network"], common)
        compare, label = None, None
        if entry.get("compare"):
            compare, _, label = _network(entry["compare"], common)
        steps.append(StoryStep(
            id=entry["id"], title=entry["title"], text=entry["text"], spec=spec, preset=preset,
            compare=compare, compare_label=label,
            highlights=tuple(_highlight(h) for h in entry.get("highlight", ())),
            numbers=tuple(entry.get("numbers", ()))))
    ids = [s.id for s in steps]
    if len(set(ids)) != len(ids):
        raise SpecError("story", f"story step ids repeat: {ids}")
    return Story(question=doc["question"], steps=tuple(steps))


@lru_cache(maxsize=1)
def load_story() -> Story:
    """The bundled story (``resources/story.json``)."""
    with open(resource_path("story.json"), encoding="utf-8") as f:
        return parse_story(json.load(f))
