"""Story mode: the seed question answered step by step in the window (issue 10, item 3).

The content is Qt-free (:mod:`gradexplorer.story`); here are its panel (:mod:`.panel`), the
mapping of a step's highlights onto the dashboard's plots (:mod:`.highlight`) and the controller
that loads steps through the app state and owns the keys (:mod:`.mode`).
"""

from gradexplorer.gui.story.mode import StoryMode

__all__ = ["StoryMode"]
