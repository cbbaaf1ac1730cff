"""Pinned runs on the line plots: each a label, a colour and faint copies of its curves."""

from __future__ import annotations

from gradexplorer.engine.runs.result import RunResult
from gradexplorer.gui.plots.style import pin_colour_for


class PinnedRuns:
    """The pins of ``plots`` (line plots with ``fields``, ``add_pin`` and ``remove_pin``);
    only ``legend``'s plot lists them in its legend."""

    def __init__(self, plots: list, legend):
        self._plots, self._legend = plots, legend
        self._colours: dict[str, tuple[int, int, int]] = {}  # label -> colour, oldest first

    def pin(self, label: str, result: RunResult) -> None:
        """Draw ``result``'s curves faintly as pin ``label`` (replaces a same-named pin)."""
        self.remove(label)
        colour = pin_colour_for(label, self._colours.values())
        self._colours[label] = colour
        for plot in self._plots:
            data = {f: result.series(f) for f in plot.fields()}
            plot.add_pin(label, data, colour, in_legend=plot is self._legend)

    def remove(self, label: str) -> None:
        """Remove pin ``label``'s curves and legend entry (no-op if there is none)."""
        self._colours.pop(label, None)
        for plot in self._plots:
            plot.remove_pin(label)

    def clear(self) -> None:
        """Remove every pin."""
        for label in list(self._colours):
            self.remove(label)

    def labels(self) -> list[str]:
        """The pins' labels, oldest first."""
        return list(self._colours)
