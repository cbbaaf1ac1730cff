"""The story panel: "Step k of N", the step's two sentences, the measured numbers, Back/Next.

It sits above the Settings panel (the plots keep the window's full height, which a projector at
a large scale needs).

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
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from gradexplorer.story import StoryStep

TITLE_STYLE = "font-weight: bold;"
EXPLORED_STYLE = "color: #e6a23c; font-weight: bold;"
NUMBERS_STYLE = "color: #8fb8e8;"
#: At most this share of the window's height goes to the panel (its text scrolls beyond; the
#: Settings panel under it scrolls too).
MAX_SHARE = 0.6


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
            label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.back = QPushButton("◀ Back")
        self.next = QPushButton("Next ▶")
        self.return_ = QPushButton("Back to step")
        self.return_.setStyleSheet("font-weight: bold;")
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

        words = QWidget()
        self._words = QVBoxLayout(words)
        self._words.setContentsMargins(0, 0, 0, 0)
        self._words.setSpacing(4)
        for label in (self.text, self.measured, self.explored):
            self._words.addWidget(label)
        self._words.addWidget(self.return_, 0, Qt.AlignmentFlag.AlignLeft)
        self._words.addStretch(1)
        self.scroll = QScrollArea()
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setWidgetResizable(True)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll.setWidget(words)
        self._row = row = QHBoxLayout()
        row.setSpacing(4)
        row.addWidget(self.start)
        row.addWidget(self.back)
        row.addWidget(self.next)
        row.addStretch(1)
        row.addWidget(self.leave)
        box = QVBoxLayout(self)
        box.setContentsMargins(8, 6, 8, 6)
        box.setSpacing(4)
        box.addWidget(self.title)
        box.addWidget(self.scroll, 1)
        box.addLayout(row)
        self.show_explored(None)
        self.start.hide()

    def fit_height(self) -> None:
        """Take the height the texts need at the current width, at most :data:`MAX_SHARE` of
        the window's (the rest scrolls): the Settings panel below it keeps the remainder."""
        margins = self.layout().contentsMargins()
        width = max(150, self.width() - margins.left() - margins.right())
        title = self.title.heightForWidth(width)
        room = width - self.scroll.verticalScrollBar().sizeHint().width()
        shown = [w for w in (self.text, self.measured, self.explored, self.return_)
                 if not w.isHidden()]
        words = sum(w.heightForWidth(room) if isinstance(w, QLabel) else w.sizeHint().height()
                    for w in shown)
        words += self._words.spacing() * max(0, len(shown) - 1)
        buttons = self.next.sizeHint().height()
        chrome = (margins.top() + margins.bottom() + 2 * self.layout().spacing()
                  + 2 * self.frameWidth())
        need = title + words + buttons + chrome + self.text.fontMetrics().lineSpacing() // 2
        window = self.window()
        if window is not None and window is not self and window.height() > 0:
            floor = title + buttons + chrome + 3 * self.text.fontMetrics().lineSpacing()
            need = min(need, max(floor, int(MAX_SHARE * window.height())))
        if need != self.minimumHeight() or need != self.maximumHeight():
            self.setFixedHeight(need)

    def showEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        self.fit_height()  # the window's height bounds the panel's (its width changes refit)

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
