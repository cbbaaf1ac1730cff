"""GUI responsiveness while a large run streams into the main window (offscreen).

For each depth (default 50, 200, 1000; width 256, batch 256) the benchmark opens a
:class:`~gradexplorer.gui.main_window.MainWindow` at 1400 × 900, starts the run and, until its
last record is drawn, measures on the GUI thread:

- ``run s``: request → last record shown; ``engine s``: the engine's own ``RunEnd.seconds``;
- event-loop gaps: the time between two ticks of a 5 ms QTimer (``max``, ``p99``, and how many
  exceed 30 ms, the "the GUI never freezes" threshold);
- flushes: how many, and the mean / max time of the "layers" lane's ``flush`` (records → plots);
- paints: how many repaints of the dashboard's GraphicsView and their mean / max time.

Run: ``QT_QPA_PLATFORM=offscreen python benchmarks/bench_gui_stream.py [--depths 50 1000]``.
``--blas-threads 1`` pins the engine's BLAS to one thread (threadpoolctl) so that GUI changes can
be compared independently of the machine's load and of the engine's own thread policy.
Timings depend on the machine's load: compare runs made back to back.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402
from PySide6.QtCore import QEventLoop, QSettings, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from gradexplorer.gui.plots.style import pg  # noqa: E402, I001  (binds pyqtgraph to PySide6)

#: Tick interval of the probe timer and the stall threshold, in ms.
TICK_MS = 5
STALL_MS = 30


class PaintMeter:
    """Times every ``pg.GraphicsView.paintEvent``: install before any view is created."""

    installed: PaintMeter

    def __init__(self) -> None:
        self.times: list[float] = []
        orig, times = pg.GraphicsView.paintEvent, self.times

        def timed(view, event):
            t = time.perf_counter()
            orig(view, event)
            times.append(time.perf_counter() - t)

        pg.GraphicsView.paintEvent = timed
        PaintMeter.installed = self


def measure(app: QApplication, window, depth: int, width: int, batch: int) -> dict:
    """Run one spec in ``window`` and return the GUI-thread timings (seconds)."""
    from gradexplorer.engine.model.spec import NetworkSpec

    spec = NetworkSpec(depth=depth, width=width, batch=batch)
    gaps: list[float] = []
    flushes: list[float] = []
    last = [time.perf_counter()]

    def tick() -> None:
        now = time.perf_counter()
        gaps.append(now - last[0])
        last[0] = now

    orig_flush = window.lane.flush

    def timed_flush() -> None:
        t = time.perf_counter()
        orig_flush()
        flushes.append(time.perf_counter() - t)

    window.lane._timer.timeout.disconnect()
    window.lane._timer.timeout.connect(timed_flush)
    ticker = QTimer()
    ticker.setInterval(TICK_MS)
    ticker.timeout.connect(tick)
    done = QTimer()
    done.setInterval(20)
    loop = QEventLoop()  # not app.exec(): QApplication.quit() would close the window

    def check() -> None:
        r = window.dashboard.result()
        if r is not None and r.end is not None and r.depth == depth and not window.is_running():
            loop.quit()

    done.timeout.connect(check)
    paints = PaintMeter.installed
    paints.times.clear()
    t0 = time.perf_counter()
    window.panel.set_spec(spec)
    window.request_run(spec)
    last[0] = time.perf_counter()
    ticker.start()
    done.start()
    loop.exec()
    app.processEvents()  # the last paint
    elapsed = time.perf_counter() - t0
    ticker.stop()
    done.stop()
    window.lane._timer.timeout.disconnect()
    window.lane._timer.timeout.connect(orig_flush)
    g = np.asarray(gaps[1:] or [0.0]) * 1e3
    f = np.asarray(flushes or [0.0]) * 1e3
    p = np.asarray(paints.times or [0.0]) * 1e3
    return {"depth": depth, "run": elapsed, "engine": window.dashboard.result().end.seconds,
            "max": g.max(), "p99": np.percentile(g, 99), "stalls": int((g > STALL_MS).sum()),
            "ticks": g.size, "flushes": len(flushes), "f_mean": f.mean(), "f_max": f.max(),
            "paints": len(paints.times), "p_mean": p.mean(), "p_max": p.max()}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--depths", type=int, nargs="+", default=[50, 200, 1000])
    p.add_argument("--width", type=int, default=256)
    p.add_argument("--batch", type=int, default=256)
    p.add_argument("--blas-threads", type=int, default=None,
                   help="limit BLAS to this many threads for the whole benchmark")
    args = p.parse_args()
    if args.blas_threads:
        from threadpoolctl import threadpool_limits

        threadpool_limits(args.blas_threads, user_api="blas")
    app = QApplication.instance() or QApplication([])
    PaintMeter()
    from gradexplorer.gui.main_window import MainWindow

    settings = QSettings(os.path.join(tempfile.mkdtemp(), "bench.ini"),
                         QSettings.Format.IniFormat)
    window = MainWindow(settings=settings, restore=False)
    window.resize(1400, 900)
    window.show()
    app.processEvents()
    print(f"width {args.width}, batch {args.batch}, BLAS threads "
          f"{args.blas_threads or 'default'}, load {os.getloadavg()[0]:.1f}, "
          f"{os.cpu_count()} cores; gaps of a {TICK_MS} ms QTimer, stalls > {STALL_MS} ms")
    print(f"{'depth':>5} {'run s':>6} {'engine s':>8} {'max gap':>7} {'p99':>5} {'stalls':>6} "
          f"{'flushes':>7} {'flush mean/max ms':>17} {'paints':>6} {'paint mean/max ms':>17}")
    try:
        for depth in args.depths:
            r = measure(app, window, depth, args.width, args.batch)
            print(f"{r['depth']:>5} {r['run']:>6.1f} {r['engine']:>8.1f} {r['max']:>7.0f} "
                  f"{r['p99']:>5.0f} {r['stalls']:>6} {r['flushes']:>7} "
                  f"{r['f_mean']:>8.1f} / {r['f_max']:<6.0f} {r['paints']:>6} "
                  f"{r['p_mean']:>8.1f} / {r['p_max']:<6.0f}", flush=True)
    finally:
        window.close()


if __name__ == "__main__":
    main()
