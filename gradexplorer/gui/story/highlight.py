"""A story step's highlights on the Layers dashboard (vocabulary: ``gradexplorer.story``).

Each highlight names a plot and a curve; on the dashboard that is a measured curve of one of the
line plots (drawn thicker) or a pinned run (the step's ``compare`` network, drawn thicker and
opaque), and a shaded band over the named layers of that plot. ``phase`` is not on the
dashboard: the window switches to the Phase diagram tab instead (:func:`wants_phase`).

The dashboard has no update-ratio curve: ``update_ratio`` emphasizes ‖∂L/∂W‖ (its numerator;
the verdict line states the ratio itself).
"""

from __future__ import annotations

from gradexplorer.story import Highlight

#: story plot name -> (dashboard attribute, curve keys of that plot)
PLOTS = {
    "gradient": ("gradient", ("grad",)),
    "weight_gradient": ("gradient", ("weight",)),
    "update_ratio": ("gradient", ("weight",)),
    "saturation": ("saturation", ("saturated",)),
    "activations": ("activation", ("mean", "std")),
}


def wants_phase(highlights: tuple[Highlight, ...]) -> bool:
    """Whether a step points at the phase diagram (the window then shows that tab)."""
    return any(h.plot == "phase" for h in highlights)


def apply_highlights(dashboard, highlights: tuple[Highlight, ...],
                     compare_label: str | None) -> list[str]:
    """Emphasize ``highlights`` on ``dashboard``'s line plots, clear every other highlight.

    ``compare_label`` is the label of the step's pinned comparison run (a ``compare`` curve).
    Returns the names of the dashboard plots highlighted (e.g. ``["gradient"]``).
    """
    wanted: dict[str, dict] = {}
    for h in highlights:
        if h.plot not in PLOTS:
            continue
        attr, keys = PLOTS[h.plot]
        entry = wanted.setdefault(attr, {"keys": set(), "pins": set(), "layers": None})
        if h.curve == "compare":
            if compare_label:
                entry["pins"].add(compare_label)
        else:
            entry["keys"].update(keys)
        if h.layers:
            entry["layers"] = h.layers
    for attr in ("gradient", "activation", "saturation"):
        plot = getattr(dashboard, attr, None)
        if plot is None or not hasattr(plot, "set_highlight"):
            continue
        entry = wanted.get(attr)
        if entry is None:
            plot.set_highlight()
        else:
            plot.set_highlight(entry["keys"], entry["pins"], entry["layers"], band=True)
    return sorted(wanted)
