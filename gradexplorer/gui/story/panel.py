"""The story panel: "Step k of N", the step's two sentences, the measured numbers, Back/Next.

Widgets only (the controller in :mod:`.mode` decides what to show). Every text follows the
application font, so the View menu's presentation scale sizes the panel with the rest of the
window; the step title is bold (a style sheet, which the scale re-polishes).
"""

from __future__ import annotations

import html
import re

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from gradexplorer.story import StoryStep

TITLE_STYLE = "font-weight: bold;"
EXPLORED_STYLE = "color: #e6a23c; font-weight: bold;"
NUMBERS_STYLE = "color: #8fb8e8;"


def quoted_numbers(step: StoryStep) -> list[str]:
    """The numbers a step's text quotes as measurements (annotations that are not
    definitions), in text order, without repeats."""
    quotes = [n["quote"] for n in step.numbers
              if n.get("quantity") not in ("definition", "depth") and "quote" in n]
    return list(dict.fromkeys(quotes))


def emphasized(text: str, quotes: list[str]) -> str:
    """``text`` as rich text with each of ``quotes`` in bold (first occurrence each)."""
    out = html.escape(text)
    for quote in sorted(quotes, key=len, reverse=True):
        q = html.escape(quote)
        out = re.sub(rf"(?<![\w.^+\-]){re.escape(q)}(?![\w.])", f"<b>{q}</b>", out, count=1)
    return out


class StoryPanel(QFrame):
    """The story's bar above the plots.

    Signals
    -------
    sigBack(), sigNext(), sigReturn() (back to the step after exploring), sigLeave(),
    sigStart() (the first-launch offer accepted)
    """

    sigBack = Signal()
    sigNext = Signal()
    sigReturn = Signal()
    sigLeave = Signal()
    sigStart = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("story-panel")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.title = QLabel("")
        self.title.setStyleSheet(TITLE_STYLE)
        self.title.setWordWrap(True)
        self.text = QLabel("")
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.TextFormat.RichText)
        self.measured = QLabel("")
        self.measured.setWordWrap(True)
        self.measured.setStyleSheet(NUMBERS_STYLE)
        self.explored = QLabel("")
        self.explored.setStyleSheet(EXPLORED_STYLE)
        self.explored.setWordWrap(True)
        for label in (self.title, self.text, self.measured, self.explored):
            label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Minimum)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.back = QPushButton("◀ Back")
        self.next = QPushButton("Next ▶")
        self.return_ = QPushButton("Back to step")
        self.leave = QPushButton("Leave story")
        self.start = QPushButton("Start the story")
        self.back.setToolTip("Previous step (← or Page Up)")
        self.next.setToolTip("Next step (→ or Page Down)")
        self.return_.setToolTip("Load this step's network again")
        self.leave.setToolTip("Close the story panel (Help ▸ Story opens it at the same step)")
        for button in (self.back, self.next, self.return_, self.leave, self.start):
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keys stay with the window
        self.back.clicked.connect(self.sigBack)
        self.next.clicked.connect(self.sigNext)
        self.return_.clicked.connect(self.sigReturn)
        self.leave.clicked.connect(self.sigLeave)
        self.start.clicked.connect(self.sigStart)

        words = self._words = QVBoxLayout()
        words.setSpacing(2)
        for label in (self.title, self.text, self.measured, self.explored):
            words.addWidget(label)
        buttons = self._buttons = QVBoxLayout()
        buttons.setSpacing(4)
        row = QHBoxLayout()
        row.addWidget(self.back)
        row.addWidget(self.next)
        buttons.addLayout(row)
        buttons.addWidget(self.return_)
        buttons.addWidget(self.start)
        buttons.addWidget(self.leave)
        buttons.addStretch(1)
        box = QHBoxLayout(self)
        box.setContentsMargins(8, 4, 8, 4)
        box.addLayout(words, 1)
        box.addLayout(buttons, 0)
        self.show_explored(None)
        self.start.hide()

    def fit_height(self) -> None:
        """Take exactly the height the texts need at the current width (a dock would otherwise
        give the panel a share of the window instead of the few lines it needs)."""
        margins = self.layout().contentsMargins()
        room = max(200, self.width() - margins.left() - margins.right()
                   - self._buttons.sizeHint().width() - self.layout().spacing())
        labels = [lb for lb in (self.title, self.text, self.measured, self.explored)
                  if not lb.isHidden()]
        words = sum(lb.heightForWidth(room) for lb in labels)
        words += self._words.spacing() * max(0, len(labels) - 1)
        need = max(words, self._buttons.sizeHint().height()) + margins.top() + margins.bottom()
        need += 2 * self.frameWidth()
        if need != self.minimumHeight() or need != self.maximumHeight():
            self.setFixedHeight(need)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        if event.oldSize().width() != event.size().width():
            self.fit_height()

    def changeEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().changeEvent(event)
        if event.type() == event.Type.FontChange:
            self.fit_height()  # the presentation scale changed every text's size

    def show_offer(self, question: str, steps: int) -> None:
        """The first-launch offer: the question and a Start button (nothing is loaded)."""
        self.title.setText(f"New here? A story in {steps} steps: ReLU or careful init?")
        self.text.setText(html.escape(question))
        self.measured.setText("")
        self.measured.hide()
        self.show_explored(None)
        for button in (self.back, self.next):
            button.hide()
        self.start.show()
        self.leave.setText("Not now")
        self.fit_height()

    def show_step(self, index: int, count: int, step: StoryStep) -> None:
        """Step ``index`` (0-based) of ``count``: title, the two sentences, Back/Next state."""
        self.title.setText(f"Step {index + 1} of {count}: {step.title}")
        self.text.setText(emphasized(step.text, quoted_numbers(step)))
        self.start.hide()
        for button in (self.back, self.next):
            button.show()
        self.back.setEnabled(index > 0)
        self.next.setEnabled(index < count - 1)
        self.leave.setText("Leave story")
        self.return_.setText(f"Back to step {index + 1}")
        self.fit_height()

    def show_measured(self, text: str) -> None:
        """The numbers measured in the run on screen ("" hides the line)."""
        self.measured.setText(text)
        self.measured.setVisible(bool(text))
        self.fit_height()

    def show_explored(self, step: int | None) -> None:
        """Say the settings left step ``step`` (1-based) and offer to go back (None: hide)."""
        away = step is not None
        self.explored.setText(f"You are exploring: the settings are no longer step {step}'s. "
                              "Back/Next or “Back to step” return to the story." if away else "")
        self.explored.setVisible(away)
        self.return_.setVisible(away)
        self.fit_height()
