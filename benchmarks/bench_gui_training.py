"""GUI training vs the bare engine (what the CLI runs) in steps per second, recording every step.

Issue 12 measured 20,000 steps in 462 s in the GUI against 89 s in the CLI. This trains a small
net for ``--steps`` steps with ``eval_every=1`` twice in one process: once by iterating
``train(spec, config)`` directly (the CLI's loop, without its printing: an upper bound for the
CLI), once in the Train tab (``TrainView`` shown offscreen, its lane, batched delivery and paced
redraws), and prints both rates and their ratio (target ≥ 0.8). The runs alternate and the
best of each is compared, since the load of a shared machine drifts by ±50 % between runs.

    QT_QPA_PLATFORM=offscreen python benchmarks/bench_gui_training.py --steps 3000
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=3000)
    parser.add_argument("--depth", type=int, default=6)
    parser.add_argument("--width", type=int, default=32)
    parser.add_argument("--repeat", type=int, default=3, help="interleaved runs; best of each")
    args = parser.parse_args()

    from PySide6.QtCore import QEventLoop
    from PySide6.QtWidgets import QApplication

    from gradexplorer.engine.model.spec import NetworkSpec
    from gradexplorer.engine.training.trainer import TrainConfig, train
    from gradexplorer.gui.train.view import TrainView

    app = QApplication.instance() or QApplication([])
    spec = NetworkSpec(depth=args.depth, width=args.width, input="digits", activation="relu",
                       init="kaiming_normal")
    config = TrainConfig(steps=args.steps, eval_every=1, batch_size=32)

    def engine_run() -> float:
        started = time.perf_counter()
        for _ in train(spec, config):
            pass
        return time.perf_counter() - started

    view = TrainView(lambda: spec)
    view.resize(1100, 760)
    view.show()
    view.controls.set_config(config)
    app.processEvents()

    def gui_run() -> float:
        loop = QEventLoop()  # the app's own idle loop (a processEvents() spin steals the GIL)
        view.runner.lane.sigEnded.connect(loop.quit)
        started = time.perf_counter()
        view.start()
        loop.exec()
        took = time.perf_counter() - started
        view.runner.lane.sigEnded.disconnect(loop.quit)
        if view.history.end is None:
            raise SystemExit("GUI training did not complete")
        return took

    engine_times, gui_times = [], []
    for _ in range(args.repeat):  # interleaved: the machine's load drifts
        engine_times.append(engine_run())
        gui_times.append(gui_run())
    engine_s, gui_s = min(engine_times), min(gui_times)
    shown = len(view.history)
    view.shutdown()

    print(f"{args.steps} steps, depth {args.depth} × width {args.width}, a record every step "
          f"({shown} records shown), best of {args.repeat} interleaved runs each")
    print(f"engine (CLI loop): {engine_s:7.2f} s  {args.steps / engine_s:8.0f} steps/s")
    print(f"GUI (Train tab)  : {gui_s:7.2f} s  {args.steps / gui_s:8.0f} steps/s")
    print(f"GUI / CLI rate   : {engine_s / gui_s:.2f}  (target ≥ 0.8)")


if __name__ == "__main__":
    main()
