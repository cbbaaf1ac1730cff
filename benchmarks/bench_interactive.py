"""Live drag and start-up: the issue-9 figures, measured in one run.

Opens the real :class:`~gradexplorer.gui.main_window.MainWindow` offscreen at the first-launch
state (``show_story``: sigmoid + Xavier, 20 × 128, batch 256, ReLU + He pinned) and sends real
mouse events (press, ~60 moves a second for ``--seconds``, release) to

- the Gain slider, at the first-launch net and at depth 200 × width 256;
- the depth, width and batch sliders (first-launch net);
- the bias std and input std spin boxes, which have no slider: 60 new values a second are
  typed into them (as holding an arrow key would), with the same counting;
- the phase diagram's point (Phase diagram tab).

It counts **complete redraws**: runs whose last record reached the plots (the app state's
``sigResultChanged``) between press and release, and prints redraws per second, the longest
gap between two (press → first counts), the distinct values the drag produced, the time from
release until the final value's result is shown, and whether that result is the one for the
settings on screen. Then: the first complete result after launch vs a bare Qt + pyqtgraph
window (fresh subprocesses, median), the first-launch run vs its bare matrix products, and
``run`` vs PyTorch when torch is installed (``bench_compare.py``).

Targets (issue 9): ≥ 20 redraws/s and no gap over 150 ms at the first-launch net, ≥ 5/s at
200 × 256; first result ≤ bare window + 1.0 s; run ≤ 2× its GEMMs; ≤ 1.3× PyTorch.

Run: ``QT_QPA_PLATFORM=offscreen python benchmarks/bench_interactive.py [--seconds 4]``.
Timings depend on the machine's load (printed): compare figures measured in the same run.
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


def drag(app, widget, start: QPoint, end: QPoint, seconds: float, passes: int = 1) -> None:
    """Press at ``start``, move back and forth to ``end`` (``passes`` times) at ~60 moves/s,
    release where it is."""
    left, none = Qt.MouseButton.LeftButton, Qt.MouseButton.NoButton
    send(widget, QEvent.Type.MouseButtonPress, start, left)
    n = int(seconds * MOVES_PER_SECOND)
    t0 = time.perf_counter()
    pos = start
    for k in range(1, n + 1):
        phase = (k / n * 2 * passes) % 2  # there and back
        f = phase if phase <= 1 else 2 - phase
        f = 0.1 + 0.8 * f if k < n else 0.77  # end off the turning point, at a fresh value
        pos = start + (end - start) * f
        send(widget, QEvent.Type.MouseMove, pos, left)
        pump(app, max(0.0, t0 + k / MOVES_PER_SECOND - time.perf_counter()))
    send(widget, QEvent.Type.MouseButtonRelease, pos, none)


def measure(app, window, do_drag, seconds: float) -> dict:
    """Drag with ``do_drag`` and return the redraw statistics.

    Besides redraws per second and the longest gap between two redraws, it counts the drag's
    value changes (``sigSpecChanged``: a slider sends one per new slider step, so a slow or
    short drag sends fewer than 20 a second and no policy can redraw more often than that) and
    the longest time the plots were **behind**: a newer value than the one drawn existed and
    no redraw came (from the value's arrival, or from the last redraw if it was already
    there). A result counts as showing a value when its spec is that value or the value's
    preview (fewer batch rows, :func:`~gradexplorer.gui.jobs.preview.preview_of`).
    """
    from gradexplorer.gui.jobs.preview import preview_of

    done: list[tuple[float, object]] = []
    changes: list[tuple[float, object]] = []

    def on_result(_result, spec) -> None:
        done.append((time.perf_counter(), spec))

    def on_spec(spec, source) -> None:
        changes.append((time.perf_counter(), spec))

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
            "values": len({spec for _, spec in changes}),
            "changes_per_s": sum(t0 <= t <= t1 for t, _ in changes) / (t1 - t0),
            "behind": _longest_behind(t0, t1, changes, done, preview_of), "settle": settle,
            "final_ok": final is not None and final == window.state.spec()
            and final == window.panel.last_valid_spec()}


def _longest_behind(t0: float, t1: float, changes: list, done: list, preview_of) -> float:
    """Longest time in [t0, t1] during which a value newer than the drawn one existed and no
    redraw came (seconds; see :func:`measure`)."""
    shown = -1  # index into ``changes`` of the value on screen (-1: the one before the drag)
    behind_since: float | None = None
    longest = 0.0
    events = sorted([(t, 0, i) for i, (t, _) in enumerate(changes)]
                    + [(t, 1, spec) for t, spec in done], key=lambda e: e[:2])
    for t, kind, what in events:
        if t > t1:
            break
        if kind == 0:  # a new value
            if behind_since is None and what > shown:
                behind_since = max(t, t0)
            continue
        # a redraw: the latest value at or before t that it shows
        arrived = [i for i, (tc, spec) in enumerate(changes)
                   if tc <= t and (spec == what or preview_of(spec) == what)]
        if arrived:
            shown = max(shown, arrived[-1])
        if behind_since is not None and t >= t0:
            longest = max(longest, t - behind_since)
        newer = [tc for tc, _ in changes[shown + 1:] if tc <= t]
        behind_since = max(t, t0) if newer else None
    if behind_since is not None:
        longest = max(longest, t1 - behind_since)
    return longest


def slider_points(slider, to: float = 0.15) -> tuple[QPoint, QPoint]:
    """The slider's handle centre and a point at ``to`` of its width."""
    opt = QStyleOptionSlider()
    slider.initStyleOption(opt)
    handle = slider.style().subControlRect(QStyle.ComplexControl.CC_Slider, opt,
                                           QStyle.SubControl.SC_SliderHandle, slider)
    start = handle.center()
    return start, QPoint(int(to * slider.width()), start.y())


def type_values(app, spin, lo: float, hi: float, seconds: float) -> None:
    """Set ``spin`` to values sweeping lo → hi → lo at 60 a second (a spin box has no drag)."""
    n = int(seconds * MOVES_PER_SECOND)
    t0 = time.perf_counter()
    for k in range(1, n + 1):
        phase = (k / n * 2) % 2
        f = phase if phase <= 1 else 2 - phase
        f = f if k < n else 0.77
        spin.setValue(lo + (hi - lo) * f)
        pump(app, max(0.0, t0 + k / MOVES_PER_SECOND - time.perf_counter()))


def drag_cases(app, window, seconds: float) -> list[tuple]:
    """(title, spec to start from, drag function, tab index[, wait before]) of every drag."""
    first = window.state.spec()
    panel = window.panel
    phase = next(v for title, v in window.views if title == "Phase diagram")

    def slider_drag(log_slider, to=0.15, passes=1):
        def run():
            start, end = slider_points(log_slider.slider, to)
            drag(app, log_slider.slider, start, end, seconds, passes)
        return run

    def phase_drag():
        vb = phase.plot.plot.vb
        view = phase.plot

        def at(x, y):
            return view.mapFromScene(vb.mapViewToScene(QPointF(x, y)))

        drag(app, view.viewport(), at(*phase.plot.point()), at(2.5, 0.5), seconds)

    def phase_ready():  # the diagram's grid (computed when the tab is first shown)
        while phase.grid.is_running() or phase.plot.diagram is None:
            pump(app, 0.01)

    gain = slider_drag(panel.init.gain, to=0.05)  # 50+ distinct values, as in the issue
    return [
        ("Gain, first-launch net (sigmoid 20 x 128, batch 256)", first, gain, 0),
        ("Gain, first-launch net, twice as fast (two passes)", first,
         slider_drag(panel.init.gain, to=0.05, passes=2), 0),
        ("Gain, depth 200 x width 256", first.replace(depth=200, width=256), gain, 0),
        ("Depth slider (20 -> ~3 and back)", first, slider_drag(panel.network.depth), 0),
        ("Width slider (128 -> ~3 and back)", first, slider_drag(panel.network.width), 0),
        ("Batch slider (256 -> ~3 and back)", first, slider_drag(panel.data.batch), 0),
        ("Bias std spin box, 60 values/s", first.replace(bias_init="normal"),
         lambda: type_values(app, panel.init.bias_std, 0.0, 1.0, seconds), 0),
        ("Input std spin box, 60 values/s", first,
         lambda: type_values(app, panel.data.std, 0.2, 3.0, seconds), 0),
        ("Phase-diagram point, first-launch net", first, phase_drag, 1, phase_ready),
    ]


def drags(app, window, seconds: float, only: str | None) -> None:
    """Print the drag table (and the old cancel-on-change policy when asked)."""
    from gradexplorer.gui.jobs import runner as runner_module

    original = runner_module.Lane._finishes_soon
    policies = [("policy", original), ("cancel", lambda self: False)]
    policies = [pp for pp in policies if pp[0] == (only or "policy")]
    print(f"{'drag (' + f'{seconds:g} s, {MOVES_PER_SECOND}/s)':<54} {'redraws':>7} "
          f"{'per s':>6} {'max gap ms':>10} {'values':>6} {'changes/s':>9} {'behind ms':>9} "
          f"{'settle s':>8} {'final ok':>8}")
    try:
        for title, spec, do_drag, tab, *prepare in drag_cases(app, window, seconds):
            window.tabs.setCurrentIndex(tab)
            pump(app, 0.3)
            for ready in prepare:
                ready()
            for name, finishes_soon in policies:
                runner_module.Lane._finishes_soon = finishes_soon
                for _ in range(2):  # twice: the lane knows its run time
                    window.state.set_spec(spec, "benchmark")  # the panel follows: each drag
                    # starts with its slider at the spec's value (with "panel" the slider
                    # stayed near the previous drag's end, next to this drag's end point: the
                    # drag crossed a few slider steps, one new value every ~250 ms)
                    wait_idle(app, window)
                pump(app, 0.2)
                r = measure(app, window, do_drag, seconds)
                label = title if name == "policy" else f"  (cancel on every change) {title}"
                print(f"{label[:54]:<54} {r['redraws']:>7} {r['per_s']:>6.1f} "
                      f"{1000 * r['max_gap']:>10.0f} {r['values']:>6} "
                      f"{r['changes_per_s']:>9.1f} {1000 * r['behind']:>9.0f} {r['settle']:>8.2f} "
                      f"{str(r['final_ok']):>8}", flush=True)
    finally:
        runner_module.Lane._finishes_soon = original


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seconds", type=float, default=4.0)
    p.add_argument("--only", choices=["policy", "cancel"], default=None,
                   help="drag with the runner's policy (default) or the old cancel-on-change")
    p.add_argument("--startup-runs", type=int, default=5)
    p.add_argument("--skip", nargs="*", default=[],
                   choices=["drag", "startup", "engine", "torch"])
    args = p.parse_args()
    import bench_compare

    print(f"load {os.getloadavg()[0]:.1f} (uptime 1-min average), {os.cpu_count()} cores")
    app = QApplication.instance() or QApplication([])
    from gradexplorer.gui.main_window import MainWindow

    settings = QSettings(os.path.join(tempfile.mkdtemp(), "bench.ini"),
                         QSettings.Format.IniFormat)
    window = MainWindow(settings=settings, restore=False)
    window.resize(1400, 900)
    window.show()
    window.show_story()
    wait_idle(app, window)
    first = window.state.spec()
    try:
        if "drag" not in args.skip:
            drags(app, window, args.seconds, args.only)
    finally:
        window.close()
    if "engine" not in args.skip:
        e = bench_compare.engine_vs_gemm(first)
        print(f"first-launch run ({first.activation} {first.depth} x {first.width}, batch "
              f"{first.batch}, {first.dtype}): {1000 * e['run']:.1f} ms after a "
              f"{1000 * e['setup']:.1f} ms setup; its bare matrix products "
              f"{1000 * e['gemm']:.1f} ms: ratio {e['run'] / e['gemm']:.2f} (target <= 2)")
        print(f"  the same run without histograms {e['no_hist'] / e['gemm']:.2f}x, without "
              f"histograms and prediction {e['bare_run'] / e['gemm']:.2f}x its products; the "
              f"histograms' bincount and log10 calls alone {1000 * e['hist_floor']:.1f} ms = "
              f"{e['hist_floor'] / e['gemm']:.2f}x")
    if "startup" not in args.skip:
        st = bench_compare.startup(args.startup_runs)
        print(f"first complete result after launch: {st['app']:.2f} s; bare Qt + pyqtgraph "
              f"window: {st['bare']:.2f} s; difference {st['app'] - st['bare']:+.2f} s "
              f"(target <= +1.0 s), ratio {st['app'] / st['bare']:.2f} "
              f"(medians of {args.startup_runs}; app {[round(x, 2) for x in st['app_all']]}, "
              f"bare {[round(x, 2) for x in st['bare_all']]})")
    if "torch" not in args.skip:
        t = bench_compare.run_vs_torch()
        if t is None:
            print("run vs PyTorch: torch is not installed (pip install torch to compare)")
        else:
            print(f"40 x 1024, batch 512, float32, draw included: ours {t['ours']:.2f} s, "
                  f"PyTorch {t['torch']:.2f} s in-process: ratio {t['ours'] / t['torch']:.2f} "
                  f"(target <= 1.3); `gradexplorer run` {t['cli']:.2f} s vs the PyTorch "
                  f"script {t['torch_script']:.2f} s as subprocesses: ratio "
                  f"{t['cli'] / t['torch_script']:.2f}")
    print(f"load at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
