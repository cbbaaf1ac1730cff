"""The Train tab's headline: the run's verdict in plain words (big) and what is trained (small).

It is the dashboard's :class:`~gradexplorer.gui.plots.headline.Headline` (same fonts, colours,
fitting to the width) with training texts: ``TrainEnd.verdict`` and the first clause of its
summary (which layers hardly learn), coloured like the gradient verdicts (stalled layers =
vanishing, divergence = exploding, every layer learns = stable).
"""

from __future__ import annotations

from gradexplorer.engine.training.trainer import TrainEnd, TrainStart
from gradexplorer.gui.plots.headline import Headline


class TrainHeadline(Headline):
    """Verdict and settings lines of a training run (see the module docstring); the long
    settings line takes two lines rather than tiny type."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.wrap_settings = True

    def set_details(self, text: str) -> None:
        """Replace the small line with ``text``."""
        self._settings = text
        self._draw()

    def text(self) -> str:
        """The verdict line (plain text)."""
        return self._text

    def show_start(self, start: TrainStart, network: str) -> None:
        """Name what trains: ``network`` (a one-line summary), the task and the optimizer."""
        cfg = start.config
        opt = f"SGD, momentum {cfg['momentum']:g}" if cfg["optimizer"] == "sgd" else "Adam"
        self.set_details(f"{network} · task {cfg['task']} ({start.n_train} train / "
                         f"{start.n_test} held-out rows) · {opt}, lr {cfg['lr']:g}, batch "
                         f"{cfg['batch_size']} · {cfg['steps']} steps, a point every "
                         f"{cfg['eval_every']}")
        self.set_verdict("training…", None)

    def show_end(self, end: TrainEnd) -> None:
        """The verdict, and which layers hardly learn."""
        if end.diverged:
            self.set_verdict(end.verdict, "exploding")
            return
        head = end.summary.partition(":")[0]
        self.set_verdict(f"{end.verdict} · {head}" if head else end.verdict,
                         "vanishing" if end.stalled_layers else "stable")
