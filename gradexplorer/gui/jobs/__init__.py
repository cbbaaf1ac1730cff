"""One job runner for every background computation of the window (see :mod:`.runner`)."""

from gradexplorer.gui.jobs.context import JobContext, PauseGate
from gradexplorer.gui.jobs.runner import JobRunner, Lane

__all__ = ["JobContext", "JobRunner", "Lane", "PauseGate"]
