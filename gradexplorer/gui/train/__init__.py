"""The Train tab: train the Settings network on a task and watch which layers learn."""

from gradexplorer.gui.train.view import TrainView, make_train_view

__all__ = ["TrainView", "make_train_view"]
