"""Resolve the ``activation`` argument of the theory functions to an :class:`Activation`."""

from __future__ import annotations

from gradexplorer.engine.model.activations import Activation, get_activation


def resolve(activation: str | Activation, negative_slope: float = 0.01) -> Activation:
    """An :class:`~gradexplorer.engine.model.activations.Activation` from a name or an instance.

    Raises
    ------
    ValueError
        For an unknown name or a non-finite negative slope.
    """
    if isinstance(activation, Activation):
        return activation
    return get_activation(str(activation), negative_slope)
