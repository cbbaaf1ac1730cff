"""The run-time label's words: behind, preview, the full run after a drag, running."""

from __future__ import annotations

from gradexplorer.engine.model.spec import NetworkSpec
from gradexplorer.gui.run_status import PENDING_TEXT, run_time_text

SPEC = NetworkSpec(depth=20, width=128, in_features=128, batch=256)
PREVIEW = SPEC.replace(batch=64)


def test_the_label_says_what_the_plots_show_against_the_controls():
    def text(shown, rows, queued=False, running=True, started=False, spec=SPEC):
        return run_time_text(spec, shown, rows, queued=queued, running=running,
                             started=started)

    # the preview of the value on screen while its full run computes
    assert text(PREVIEW, 64) == "preview (64 rows); full run…"
    # the preview of an older value while the slider is ahead: behind
    assert text(PREVIEW.replace(gain=0.5), 64) == PENDING_TEXT
    assert text(PREVIEW, 64, queued=True) == PENDING_TEXT  # a newer value waits
    # the preview shown, nothing running (the full run not due yet)
    assert text(PREVIEW, 64, running=False) == "preview (64 rows)"
    assert text(SPEC.replace(gain=2.0), None) == PENDING_TEXT  # a full run of an older value
    assert text(SPEC, None) == "running…"  # the run of the settings on screen, no layer yet
    assert text(SPEC, None, started=True) is None  # its progress speaks (the label stays)
    assert text(SPEC, None, running=False) is None  # done: the run time stays
