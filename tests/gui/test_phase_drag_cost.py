"""The phase tab's GUI work per value of a point drag: no axis re-rendered, each readout's
theory computed once per exact value (and exact), the point's look not redone."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication

from gradexplorer.engine.model.spec import NetworkSpec
from gradexplorer.engine.runs.propagation import propagate
from gradexplorer.engine.runs.result import collect
from gradexplorer.engine.theory.phase_diagram import phase_point
from gradexplorer.engine.theory.spec_point import spec_point
from gradexplorer.gui.phase import plot as phase_plot
from gradexplorer.gui.phase.view import PhaseView, point_numbers
from gradexplorer.gui.plots.axis_space import tick_axes
from gradexplorer.gui.plots.style import pg
from tests.gui.test_drag_paint_cost import Counter

TANH = NetworkSpec(depth=10, width=32, in_features=32, batch=16, activation="tanh",
                   init="xavier_normal")


@pytest.fixture
def make_view(shown_phase_view):
    return lambda: shown_phase_view(TANH)


def repaint(view: PhaseView) -> None:
    """What the event loop repaints (the diagram: the point's old and new place), and all of
    the preview (a new curve, under grid lines that span the plot)."""
    for _ in range(4):
        QApplication.processEvents()
    view.preview.viewport().repaint()


def test_a_drag_step_re_renders_no_axis_of_the_diagram_or_the_preview(make_view, monkeypatch):
    axes = Counter(monkeypatch, pg.AxisItem, "paint")  # before any item is made
    view = make_view()
    first = collect(propagate(TANH))
    view.preview.show_result(first)
    repaint(view)
    ticked = {id(axis) for axis in tick_axes([view.plot.plot, view.preview.getPlotItem()],
                                             [view.plot.colorbar])}
    assert ticked & {id(axis) for axis in axes.calls}  # drawn (the preview's into caches)
    y_range = view.preview.getPlotItem().vb.viewRange()[1]
    axes.reset()
    # a drag step: the point moves, the next run's curve differs a little
    view.plot.target.setPos(1.1, 0.05)
    second = collect(propagate(TANH.replace(gain=1.05, bias_init="normal", bias_std=0.2)))
    view.preview.show_result(second)
    repaint(view)
    assert not ticked & {id(axis) for axis in axes.calls}  # (the preview's 2 a step, before)
    vb = view.preview.getPlotItem().vb
    assert vb.viewRange()[1] == y_range  # kept: the curve stays well inside it
    assert vb.viewRange()[0] == pytest.approx([0.5 - 0.2, 10.5 + 0.2])
    np.testing.assert_array_equal(view.preview.measured.getData()[1],
                                  second.series("log10_grad_preact_rms"))
    # a curve that leaves the range refits it (all of it shown, with headroom)
    far = collect(propagate(TANH.replace(gain=3.0)))
    view.preview.show_result(far)
    lo, hi = vb.viewRange()[1]
    shown = np.concatenate([far.series("log10_grad_preact_rms"),
                            far.theory.series()["log10_grad_preact_rms"]])
    shown = shown[np.isfinite(shown)]
    assert lo < shown.min() and shown.max() < hi and vb.viewRange()[1] != y_range


def test_the_readout_is_exact_and_each_value_computed_once(make_view, monkeypatch):
    view = make_view()
    calls = []
    original = phase_point
    monkeypatch.setattr("gradexplorer.gui.phase.view.phase_point",
                        lambda *a, **k: calls.append(a) or original(*a, **k))
    point_numbers.cache_clear()
    texts = {}
    for x, y in [(1.5, 0.1), (2.25, 0.04), (1.5, 0.1), (2.25, 0.04), (1.5, 0.1)]:
        view.plot.target.setPos(x, y)  # a drag step (the view applies it at once)
        view._apply_throttled.flush()
        spec = view.state.spec()
        text = view.readout_text()
        assert texts.setdefault(spec, text) == text  # the same value, the same words
        w2, b2 = spec_point(spec)
        p = phase_point("tanh", w2, b2, TANH.depth)  # computed afresh, not from the cache
        assert f"χ1 = {p.chi1:.4f}" in text and f"q* = {p.q_star:.4g}" in text
        assert f"σ<sub>w</sub>² = {w2:.4g}" in text and f"gain {spec.gain:g}" in text
    assert len(texts) == 2 and len(calls) == 2  # two values, each computed once


def test_the_point_keeps_its_brush_and_legend_when_nothing_changes(make_view, monkeypatch):
    view = make_view()
    made = []
    original = phase_plot.pg.mkBrush
    monkeypatch.setattr(phase_plot.pg, "mkBrush", lambda *a: made.append(a) or original(*a))
    view.plot.target.setPos(1.3, 0.2)
    view._apply_throttled.flush()
    assert made == []  # applicable before and after: no new brushes, no legend relayout
    view.state.set_spec(TANH.replace(norm="layer"), "panel")
    assert len(made) == 2 and not view.plot.applicable  # the point turns grey


def test_a_point_drag_skips_the_hover_search_and_looks_as_before(qtbot, make_view,
                                                                  monkeypatch):
    view = make_view()
    scene = view.plot.scene()
    searches = []
    original = scene.itemsNearEvent
    monkeypatch.setattr(scene, "itemsNearEvent",
                        lambda *a, **k: searches.append(1) or original(*a, **k))
    vb = view.plot.plot.vb

    def at(x, y) -> QPoint:
        return view.plot.mapFromScene(vb.mapViewToScene(QPointF(x, y)))

    def send(kind, pos, button, buttons):
        event = QMouseEvent(kind, QPointF(pos), QPointF(view.plot.viewport().mapToGlobal(pos)),
                            button, buttons, Qt.KeyboardModifier.NoModifier)
        QApplication.sendEvent(view.plot.viewport(), event)

    monkeypatch.setitem(pg.CONFIG_OPTIONS, "mouseRateLimit", 0)  # every move, however fast
    left, none = Qt.MouseButton.LeftButton, Qt.MouseButton.NoButton
    start, end = at(*view.plot.point()), at(3.0, 1.0)
    send(QEvent.Type.MouseMove, start, none, none)  # the pointer on the point: hovered, white
    assert view.plot.target.mouseHovering
    send(QEvent.Type.MouseButtonPress, start, left, left)
    searches.clear()
    xs = []
    for k in range(1, 21):
        send(QEvent.Type.MouseMove, start + (end - start) * (k / 20), none, left)
        # dragged along, in its own colour (not the hover colour), as before
        assert scene.dragItem is view.plot.target and not view.plot.target.mouseHovering
        xs.append(view.plot.point()[0])
    assert len(searches) <= 1  # the first move only (a search at each of 20 moves before)
    assert xs == sorted(set(xs))  # it followed every move
    assert view.plot.point() == pytest.approx((3.0, 1.0), abs=0.05)
    send(QEvent.Type.MouseButtonRelease, end, left, none)
    assert view.plot.target.mouseHovering  # the release hovers it again
    view._apply_throttled.cancel()
