"""The dashboard's headline: the gradient verdict in plain words, big, and the run's settings."""

from __future__ import annotations

from gradexplorer.engine.runs.verdict import RunVerdict
from gradexplorer.gui.plots.style import DEFAULT_FONT_POINTS, fitted_points, pg, shrinkable
from gradexplorer.gui.plots.text_fit import wrapped_text

#: Colour of the verdict by ``Verdict.kind``.
VERDICT_COLOURS = {"vanishing": "#7fb2ff", "exploding": "#ff7a6b", "stable": "#8fe08f",
                   "undefined": "#dddddd"}
WAITING_COLOUR = "#888888"
SETTINGS_COLOUR = "#aaaaaa"
STALE_COLOUR = "#ff8a65"
#: The verdict's size relative to the dashboard's font size.
VERDICT_SCALE = 1.8


def describe(config: dict) -> str:
    """One line naming the run's settings (from ``RunStart.config``, the spec's dict)."""
    g = config.get
    widths = g("widths")
    width = f"widths {widths[0]}…{widths[-1]}" if widths else f"width {g('width', '?')}"
    return (f"{g('activation', '?')} · {g('depth', '?')} layers · {width} · init {g('init', '?')}"
            f" (gain {_short(g('gain', '?'))}) · input {g('input', '?')} · "
            f"batch {g('batch', '?')} · loss {g('loss', '?')} · seed {g('seed', '?')}")


class Headline:
    """Two labels spanning the layout's top: verdict (bold, coloured by kind) and settings.

    Both shrink their font to fit the width (down to 7 pt) rather than widen the window.

    Parameters
    ----------
    layout : the GraphicsLayout; rows ``row`` and ``row + 1`` are used, ``colspan`` columns.
    """

    def __init__(self, layout: pg.GraphicsLayout, row: int, colspan: int):
        self.verdict = shrinkable(layout.addLabel("", row=row, col=0, colspan=colspan))
        self.settings = shrinkable(layout.addLabel("", row=row + 1, col=0, colspan=colspan))
        self._text, self._colour, self._settings = "", WAITING_COLOUR, ""
        self._mark = ""
        self._points = DEFAULT_FONT_POINTS
        self._width = 600.0
        self._stale = ""
        self._note = ""
        self._held = False  # hold(): changes are drawn at release()
        self._pending = False
        #: Break a settings line too long for the width onto two lines before its type
        #: shrinks (off for the Layers dashboard: its line changes at every run of a drag,
        #: and one line more or less would re-lay every plot out).
        self.wrap_settings = False

    def set_note(self, text: str | None) -> None:
        """Show ``text`` instead of the run's settings (e.g. while a pinned run is computed
        before the current one; None: the settings again)."""
        if (text or "") != self._note:
            self._note = text or ""
            self._draw()

    def set_stale(self, reason: str | None) -> None:
        """Mark the plots as the last valid run while the settings are invalid (None: clear)."""
        stale = (f"⚠ showing the last valid run — the settings are invalid: {reason}"
                 if reason else "")
        if stale != self._stale:
            self._stale = stale
            self._draw()

    def set_settings(self, config: dict | None) -> None:
        """Name the run's settings (None: none)."""
        settings = describe(config) if config else ""
        if settings != self._settings:
            self._settings = settings
            self._draw()

    def set_mark(self, mark: str) -> None:
        """A mark after the run's settings, e.g. "preview (64 rows)" ("" = none)."""
        if mark != self._mark:
            self._mark = mark
            self._draw()

    def settings_text(self) -> str:
        """The settings line as shown (with the note, if any)."""
        return f"{self._settings} · {self._mark}" if self._mark else self._settings

    def set_verdict(self, text: str, kind: str | None) -> None:
        """Show ``text``; ``kind`` (a ``Verdict.kind``) colours it, None = grey (waiting).

        Unchanged text is not set again (each call re-lays the labels out).
        """
        colour = VERDICT_COLOURS.get(kind, "#dddddd") if kind else WAITING_COLOUR
        if (text, colour) != (self._text, self._colour):
            self._text, self._colour = text, colour
            self._draw()

    def show_verdict(self, verdict: RunVerdict | None, running: bool) -> None:
        """Show ``verdict`` (:func:`headline_text`, its details as the tooltip); None: "running…"
        (``running``) or "no run yet"."""
        if verdict is not None:
            self.set_verdict(headline_text(verdict), verdict.kind)
            self.verdict.setToolTip("\n".join(verdict.details))
        else:
            self.verdict.setToolTip("")
            self.set_verdict("running…" if running else "no run yet", None)

    def set_font(self, points: int) -> None:
        """Base font size in points (the verdict is :data:`VERDICT_SCALE` times it)."""
        self._points = points
        self._draw()

    def set_width(self, pixels: float) -> None:
        """Width available to the labels, to fit their fonts."""
        self._width = max(100.0, float(pixels))
        self._draw()

    def hold(self) -> None:
        """Collect changes without drawing them until :meth:`release` (a new run's settings,
        "running…" and its verdict, set within one batch of records, then cost one layout of
        each label instead of three)."""
        self._held = True

    def release(self) -> None:
        """Draw what changed since :meth:`hold` (nothing if nothing did)."""
        self._held = False
        self.flush()

    def flush(self) -> None:
        """Draw pending changes now, held or not."""
        if self._pending:
            self._pending = False
            self._render()

    def verdict_html(self) -> str:
        self.flush()
        return self.verdict.text

    def _draw(self) -> None:
        if self._held:
            self._pending = True
            return
        self._pending = False
        self._render()

    def _render(self) -> None:
        big = fitted_points(self._text, self._points * VERDICT_SCALE, self._width, bold=True)
        _set(self.verdict, self._text, size=f"{big:.1f}pt", color=self._colour, bold=True)
        line = self._stale or self._note or self.settings_text()
        if self.wrap_settings:  # two lines before smaller type (a long, fixed settings line)
            line, small = wrapped_text(line, self._points, self._width, bold=bool(self._stale))
        else:
            small = fitted_points(line, self._points, self._width, bold=bool(self._stale))
        _set(self.settings, line, size=f"{small:.1f}pt", bold=bool(self._stale),
             color=STALE_COLOUR if self._stale else SETTINGS_COLOUR)


def _set(label: pg.LabelItem, text: str, **style) -> None:
    """``label.setText(text, **style)`` unless it shows exactly that already (each setText
    re-lays the label out and repaints the dashboard's top)."""
    key = (text, tuple(sorted(style.items())))
    if getattr(label, "_gx_shown", None) != key:
        label._gx_shown = key
        label.setText(text, **style)


def headline_text(verdict: RunVerdict) -> str:
    """The dashboard's big line: run_verdict's headline with the gradient's factor per layer
    and, when ∂L/∂h and ‖∂L/∂W‖ disagree, which one training feels (kept short: the headline's
    font shrinks to fit; the tooltip has the full sentences)."""
    g = verdict.gradient
    if verdict.kind == "undefined":
        return g.text
    if "disagree" in verdict.flags:
        return f"{verdict.headline} (∂L/∂h ×{g.per_layer:.3g}/layer) — training feels ‖∂L/∂W‖"
    return f"{verdict.headline} (∂L/∂h ×{g.per_layer:.3g} per layer, 10^{g.log10_ratio:+.1f})"


def _short(value) -> str:
    """A setting for a headline: 1.4142135623730951 -> 1.414."""
    return f"{value:.4g}" if isinstance(value, float) else str(value)
