"""Base of the control panel's sections: a form of labelled fields bound to spec fields."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import QFormLayout, QLabel, QWidget

from gradexplorer.engine.model.spec import NetworkSpec

#: The widest field label; every section's label column is at least this wide.
LABEL_WIDTH_TEXT = "Bias std σ_b"
#: The message under a rejected field.
FIELD_ERROR_STYLE = "color: #c62828; font-weight: bold;"


class Section(QWidget):
    """One group of settings (network, initialization, data, run).

    Subclasses add rows with :meth:`add_row`, fill :attr:`fields` (spec field → the widget that
    shows it, painted red when the engine rejects that field), and implement :meth:`values` and
    :meth:`set_values`. Any user edit emits :attr:`sigEdited`; the panel turns that into a spec.
    """

    sigEdited = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.form = QFormLayout(self)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.form.setContentsMargins(4, 2, 4, 2)
        self.fields: dict[str, QWidget] = {}
        self._captions: list[QLabel] = []
        self.error_label: QLabel | None = None

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        """The presentation scale changed the font: keep the label column as wide as needed."""
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            for caption in self._captions:
                width = caption.fontMetrics().horizontalAdvance(LABEL_WIDTH_TEXT) + 8
                caption.setMinimumWidth(width)

    def set_wrapped(self, wrapped: bool) -> None:
        """Labels above their fields (``True``) or beside them: a narrow panel at large type."""
        self.form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows if wrapped
                                   else QFormLayout.RowWrapPolicy.DontWrapRows)

    def add_row(self, label: str, widget: QWidget, tip: str, field: str | None = None) -> QWidget:
        """Add ``widget`` under ``label`` with tool tip ``tip``; bind it to spec ``field``."""
        widget.setToolTip(tip)
        caption = QLabel(label)
        caption.setToolTip(tip)
        # one label column width for every section, so the fields line up across sections
        caption.setMinimumWidth(caption.fontMetrics().horizontalAdvance(LABEL_WIDTH_TEXT) + 8)
        caption.setBuddy(widget)
        self._captions.append(caption)
        self.form.addRow(caption, widget)
        if field is not None:
            self.fields[field] = widget
        return widget

    def show_field_error(self, widget: QWidget, message: str) -> None:
        """Write ``message`` in red in a row right under ``widget``'s row (one at a time)."""
        self.clear_field_error()
        row = -1
        while widget is not None and row < 0:
            row, _role = self.form.getWidgetPosition(widget)
            widget = widget.parentWidget() if row < 0 else widget
            if widget is self:
                return
        if row < 0:
            return
        label = QLabel(message)
        label.setObjectName("fieldError")
        label.setWordWrap(True)
        label.setStyleSheet(FIELD_ERROR_STYLE)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.form.insertRow(row + 1, "", label)
        label.show()
        self.error_label = label

    def clear_field_error(self) -> None:
        """Remove the message row of :meth:`show_field_error`, if any."""
        if self.error_label is not None:
            self.form.removeRow(self.error_label)
            self.error_label = None

    def set_row_enabled(self, widget: QWidget, enabled: bool) -> None:
        """Grey out (or enable) the row holding ``widget`` and its label; the row keeps its
        place, so the controls below never move when a choice makes it (in)applicable."""
        widget.setEnabled(enabled)
        label = self.form.labelForField(widget)
        if label is not None:
            label.setEnabled(enabled)

    def set_row_visible(self, widget: QWidget, visible: bool) -> None:
        """Show or hide the row holding ``widget`` (its label too)."""
        self.form.setRowVisible(widget, visible)

    def edited(self, *_: Any) -> None:
        """Slot for every widget's change signal: update visibility, then tell the panel."""
        self.update_visibility()
        self.sigEdited.emit()

    def update_visibility(self) -> None:
        """Hide rows that do not apply to the current choices (override)."""

    def values(self) -> dict[str, Any]:
        """This section's spec fields as a dict for :meth:`NetworkSpec.from_dict` (override)."""
        raise NotImplementedError

    def set_values(self, spec: NetworkSpec) -> None:
        """Show ``spec``'s fields; called with this section's signals blocked (override)."""
        raise NotImplementedError
