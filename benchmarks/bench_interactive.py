"""Live drag: complete redraws per second while the real window is dragged with the mouse.

Opens the real :class:`~gradexplorer.gui.main_window.MainWindow` offscreen at the first-launch
state (``show_story``: sigmoid + Xavier, 20 × 128, batch 256, ReLU + He pinned), then sends real
mouse events (press, ~60 moves a second for 4 s, release) to

- the Gain slider of the Settings panel, at the first-launch net and at depth 200 × width 256;
- the phase diagram's point (Phase diagram tab), at the first-launch net.

and counts **complete redraws**: runs whose last record reached the plots (the app state's
``sigResultChanged``), between press and release. It prints redraws per second, the longest gap
between two complete redraws (press → first counts), the number of distinct values the drag
produced, the time from release until the final value's result is shown, and whether that final
result is the one for the value under the mouse. Each case runs twice in one process: with the
runner's drag policy, and with the old "cancel the run in flight on every change" policy
(``--only`` picks one), and the ratio is printed. Targets (issue 9): ≥ 20 redraws/s and no gap
over 150 ms at the first-launch net, ≥ 5/s at 200 × 256.

Run: ``QT_QPA_PLATFORM=offscreen python benchmarks/bench_interactive.py [--seconds 4]``.
Timings depend on the machine's load: compare the two policies measured back to back.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEvent, QEventLoop, QPoint, QPointF, QSettings, Qt, QTimer  # noqa: E402
from PySide6.QtGui import QMouseEvent  # noqa: E402
from PySide6.QtWidgets import QApplication, QStyle, QStyleOptionSlider  # noqa: E402

from gradexplorer.gui.plots.style import pg  # noqa: E402, F401, I001  (binds pyqtgraph to PySide6)

MOVES_PER_SECOND = 60


def pump(app: QApplication, seconds: float) -> None:
    """Run the event loop for ``seconds`` (the GUI keeps working meanwhile)."""
    loop = QEventLoop()
    QTimer.singleShot(max(0, int(1000 * seconds)), loop.quit)
    loop.exec()


def wait_idle(app: QApplication, window, timeout: float = 120.0) -> float:
    """Pump until the window shows a finished run and nothing runs; return seconds waited."""
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < timeout:
        result = window.dashboard.result()
        if result is not None and result.end is not None and not window.is_running():
            return time.perf_counter() - t0
        pump(app, 0.005)
    raise TimeoutError("the run did not finish")


def send(widget, kind, pos: QPoint, buttons) -> None:
    event = QMouseEvent(kind, QPointF(pos), QPointF(widget.mapToGlobal(pos)),
                        Qt.MouseButton.LeftButton, buttons, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, event)


def drag(app, widget, start: QPoint, end: QPoint, seconds: float) -> None:
    """Press at ``start``, move back and forth to ``end`` at ~60 moves/s, release where it is."""
    left, none = Qt.MouseButton.LeftButton, Qt.MouseButton.NoButton
    send(widget, QEvent.Type.MouseButtonPress, start, left)
    n = int(seconds * MOVES_PER_SECOND)
    t0 = time.perf_counter()
    pos = start
    for k in range(1, n + 1):
        phase = (k / n * 2) % 2  # there and back once
        f = phase if phase <= 1 else 2 - phase
        f = 0.1 + 0.8 * f if k < n else 0.77  # end off the turning point, at a fresh value
        pos = start + (end - start) * f
        send(widget, QEvent.Type.MouseMove, pos, left)
        pump(app, max(0.0, t0 + k / MOVES_PER_SECOND - time.perf_counter()))
    send(widget, QEvent.Type.MouseButtonRelease, pos, none)


def measure(app, window, do_drag, seconds: float, current_gain) -> dict:
    """Drag with ``do_drag`` and return the redraw statistics."""
    done: list[tuple[float, object]] = []
    values: set = set()

    def on_result(_result, spec) -> None:
        done.append((time.perf_counter(), spec))

    def on_spec(spec, source) -> None:
        values.add(spec)

    window.state.sigResultChanged.connect(on_result)
    window.state.sigSpecChanged.connect(on_spec)
    t0 = time.perf_counter()
    do_drag()
    t1 = time.perf_counter()
    settle = wait_idle(app, window)
    window.state.sigResultChanged.disconnect(on_result)
    window.state.sigSpecChanged.disconnect(on_spec)
    during = [t for t, _ in done if t0 <= t <= t1]
    marks = [t0, *during, t1]
    gaps = [b - a for a, b in zip(marks, marks[1:], strict=False)]
    final = done[-1][1] if done else None
    return {"redraws": len(during), "per_s": len(during) / (t1 - t0), "max_gap": max(gaps),
            "values": len(values), "settle": settle,
            "final_ok": final is not None and final == window.state.spec()
            and abs(final.gain - current_gain()) < 1e-12}


def slider_points(slider) -> tuple[QPoint, QPoint]:
    """The gain slider's handle centre and a point at 15 % of its width (gain ≈ 0.03)."""
    opt = QStyleOptionSlider()
    slider.initStyleOption(opt)
    handle = slider.style().subControlRect(QStyle.ComplexControl.CC_Slider, opt,
                                           QStyle.SubControl.SC_SliderHandle, slider)
    start = handle.center()
    return start, QPoint(int(0.15 * slider.width()), start.y())


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seconds", type=float, default=4.0)
    p.add_argument("--only", choices=["policy", "cancel"], default=None)
    args = p.parse_args()
    app = QApplication.instance() or QApplication([])
    from gradexplorer.gui.jobs import runner as runner_module
    from gradexplorer.gui.main_window import MainWindow

    settings = QSettings(os.path.join(tempfile.mkdtemp(), "bench.ini"),
                         QSettings.Format.IniFormat)
    window = MainWindow(settings=settings, restore=False)
    window.resize(1400, 900)
    window.show()
    window.show_story()
    wait_idle(app, window)
    first = window.state.spec()
    slider = window.panel.init.gain.slider
    gain = window.panel.init.gain.value
    phase = next(v for title, v in window.views if title == "Phase diagram")

    def gain_drag():
        start, end = slider_points(slider)
        drag(app, slider, start, end, args.seconds)

    def phase_drag():
        vb = phase.plot.plot.vb
        view = phase.plot

        def at(x, y):
            return view.mapFromScene(vb.mapViewToScene(QPointF(x, y)))

        while phase.grid.is_running() or phase.plot.diagram is None:
            pump(app, 0.01)
        drag(app, view.viewport(), at(*phase.plot.point()), at(2.5, 0.5), args.seconds)

    cases = [("Gain drag, first-launch net (sigmoid 20 x 128, batch 256)", first, gain_drag, 0),
             ("Gain drag, depth 200 x width 256", first.replace(depth=200, width=256),
              gain_drag, 0),
             ("Phase point drag, first-launch net", first, phase_drag, 1)]
    original = runner_module.Lane._finishes_soon
    policies = [("policy", original), ("cancel", lambda self: False)]
    if args.only:
        policies = [pp for pp in policies if pp[0] == args.only]
    print(f"load {os.getloadavg()[0]:.1f}, {os.cpu_count()} cores, {args.seconds:g} s drags at "
          f"{MOVES_PER_SECOND} moves/s; 'cancel' = the old cancel-on-every-change policy")
    print(f"{'case':<58} {'policy':>6} {'redraws':>7} {'per s':>6} {'max gap ms':>10} "
          f"{'values':>6} {'settle s':>8} {'final ok':>8}")
    try:
        for title, spec, do_drag, tab in cases:
            window.tabs.setCurrentIndex(tab)
            pump(app, 0.5)
            rates = {}
            for name, finishes_soon in policies:
                runner_module.Lane._finishes_soon = finishes_soon
                window.state.set_spec(spec, "panel")
                wait_idle(app, window)
                window.state.set_spec(spec, "panel")  # a second run: the lane knows its time
                wait_idle(app, window)
                pump(app, 0.2)
                r = measure(app, window, do_drag, args.seconds, gain)
                rates[name] = r["per_s"]
                print(f"{title:<58} {name:>6} {r['redraws']:>7} {r['per_s']:>6.1f} "
                      f"{1000 * r['max_gap']:>10.0f} {r['values']:>6} {r['settle']:>8.2f} "
                      f"{str(r['final_ok']):>8}", flush=True)
            if len(rates) == 2:
                ratio = (rates["policy"] / rates["cancel"] if rates["cancel"]
                         else float("inf") if rates["policy"] else float("nan"))
                print(f"{'':<58} ratio policy / cancel: {ratio:.1f}")
            runner_module.Lane._finishes_soon = original
    finally:
        runner_module.Lane._finishes_soon = original
        window.close()


if __name__ == "__main__":
    main()
