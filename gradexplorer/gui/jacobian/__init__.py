"""The "Jacobian" tab: the spectrum of J Jᵀ of the current spec beside mean-field theory."""

from __future__ import annotations

from gradexplorer.gui.jacobian.view import JacobianView, make_jacobian_view

__all__ = ["JacobianView", "make_jacobian_view"]
