"""Help ▸ Glossary: every symbol the app shows in plain words, searchable; and the tooltips.

:class:`GlossaryDialog` lists :func:`gradexplorer.glossary.list_terms` (symbol, name, plain
words) with a search field that filters by symbol, alias, name or words. :func:`tip` turns
symbols into tooltip text, and :func:`attach_tooltips` puts those tooltips where the window shows
χ1, q*, ξ, σ_w², saturation, ∂L/∂h and ‖∂L/∂W‖.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from gradexplorer.glossary import Term, list_terms, lookup

COLUMNS = ("Symbol", "Name", "In plain words")


def tip(*symbols: str) -> str:
    """Tooltip rich text for ``symbols`` (glossary symbols or aliases): "symbol — name: plain"
    per term; unknown symbols are skipped ("" if none is known)."""
    rows = []
    for symbol in symbols:
        try:
            term = lookup(symbol)
        except KeyError:
            continue
        symbol, name, plain = (html.escape(t, quote=False)
                               for t in (term.symbol, term.name, term.plain))
        rows.append(f"<b>{symbol}</b> — {name}: {plain}")
    return "<p style='white-space: normal'>" + "<br><br>".join(rows) + "</p>" if rows else ""


def matches(term: Term, query: str) -> bool:
    """Whether ``query`` (case-insensitive, words in any order) occurs in the term's symbol,
    aliases, name, plain words or where it appears."""
    hay = " ".join((term.symbol, *term.aliases, term.name, term.plain, term.where)).lower()
    return all(word in hay for word in query.lower().split())


#: Most of the table's width the symbol and the name column take.
SIDE_COLUMNS = (0.16, 0.24)


class GlossaryDialog(QDialog):
    """A non-modal, searchable table of the glossary."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Glossary — the app's symbols in plain words")
        self.terms = list_terms()
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search: a symbol (χ1, q*, ξ), a name or a word…")
        self.search.setClearButtonEnabled(True)
        self.table = QTableWidget(len(self.terms), len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(True)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)  # 0, 1: _fit_columns
        for row, term in enumerate(self.terms):
            for col, text in enumerate((term.symbol, term.name, term.plain)):
                item = QTableWidgetItem(text)
                item.setTextAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
                if term.where:
                    item.setToolTip(f"Shown in: {term.where}")
                self.table.setItem(row, col, item)
        self.count = QLabel("")
        box = QVBoxLayout(self)
        box.addWidget(self.search)
        box.addWidget(self.table, 1)
        box.addWidget(self.count)
        self.search.textChanged.connect(self.filter)
        self.resize(900, 560)
        self.filter("")

    def filter(self, query: str) -> None:
        """Show only the terms matching ``query`` (all for an empty query)."""
        shown = 0
        for row, term in enumerate(self.terms):
            hit = matches(term, query)
            self.table.setRowHidden(row, not hit)
            shown += hit
        self.table.resizeRowsToContents()
        self.count.setText(f"{shown} of {len(self.terms)} terms")

    def _fit_columns(self) -> None:
        """Symbol and name columns as wide as their texts, up to SIDE_COLUMNS of the table
        (beyond, they wrap): sized to contents, the longest name took 335 of 860 px at 1.6×
        and the plain words, the column one reads, wrapped into rows of five lines."""
        width = self.table.viewport().width()
        for col, share in enumerate(SIDE_COLUMNS):
            self.table.setColumnWidth(col, min(self.table.sizeHintForColumn(col),
                                               int(share * width)))
        self.table.resizeRowsToContents()

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self._fit_columns()

    def visible_symbols(self) -> list[str]:
        """The symbols of the rows shown (for tests)."""
        return [t.symbol for row, t in enumerate(self.terms) if not self.table.isRowHidden(row)]

    def showEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        self._fit_columns()  # widths and row heights follow the presentation scale
        self.search.setFocus()


def attach_tooltips(window) -> dict[str, str]:
    """Glossary tooltips on the window's symbols; returns {place: tooltip} (for tests).

    Places: the dashboard's plot titles and y axis labels (∂L/∂h, ‖∂L/∂W‖, a and φ,
    saturation), the panel's σ_w² line and the Phase tab's χ1/q*/ξ readout (appended to its own
    tooltip when the tab is first built).
    """
    placed: dict[str, str] = {}
    dash = window.dashboard
    for name, symbols in (("gradient", ("∂L/∂h", "‖∂L/∂W‖", "10^x")),
                          ("activation", ("a", "φ")),
                          ("saturation", ("saturation", "φ'"))):
        panel = getattr(dash, name, None)
        if panel is None:
            continue
        text = tip(*symbols)
        panel.plot.titleLabel.setToolTip(text)
        label = getattr(panel.plot.getAxis("left"), "label", None)
        if label is not None:
            label.setToolTip(text)
        placed[name] = text
    sigma = getattr(getattr(window.panel, "init", None), "sigma", None)
    if sigma is not None:
        sigma.setToolTip(tip("σ_w²", "fan_in", "gain"))
        placed["sigma"] = sigma.toolTip()
    tabs = getattr(window, "tabs", None)
    if tabs is not None:  # the Phase tab is built when first shown: tip it then
        tabs.currentChanged.connect(lambda _index: _tip_phase(window))
    _tip_phase(window)
    return placed


def _built_views(window) -> list:
    lazy = getattr(window, "_views", None)
    return lazy.built() if hasattr(lazy, "built") else list(getattr(window, "views", []))


def _tip_phase(window) -> None:
    """Append the glossary's χ1, q*, ξ words to the Phase tab's readout tooltip (once)."""
    for title, view in _built_views(window):
        readout = getattr(view, "readout", None)
        if (title.startswith("Phase") and isinstance(readout, QLabel)
                and not readout.property("glossary_tip")):
            own = readout.toolTip()
            extra = tip("χ1", "q*", "ξ_∇", "chaotic / ordered")
            readout.setToolTip(f"<p>{html.escape(own)}</p><hr>{extra}" if own else extra)
            readout.setProperty("glossary_tip", True)
