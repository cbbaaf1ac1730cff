"""The trainable model's math: forward pass, loss head and exact backpropagation.

The model is a list of :class:`network.DenseLayer`: hidden layers 1..L with activation φ, then a
linear readout z = a_L Rᵀ + c with no activation. Backprop (Rumelhart et al. 1986):
∂L/∂h_l = ∂L/∂a_l ⊙ φ'(h_l), ∂L/∂W_l = (∂L/∂h_l)ᵀ a_{l−1}, ∂L/∂b_l = Σ_batch ∂L/∂h_l,
∂L/∂a_{l−1} = (∂L/∂h_l) W_l. Losses follow ``torch.nn.functional`` (mean reductions).
Everything stays in the dtype of the inputs; overflow gives inf/NaN (the caller decides).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from gradexplorer.engine.model.activations import Activation
from gradexplorer.engine.model.blocks import (
    Architecture,
    BlockForward,
    block_backward,
    block_forward,
)
from gradexplorer.engine.model.network import DenseLayer
from gradexplorer.engine.model.norms import update_running

__all__ = ["evaluate", "head", "loss_and_gradients"]


def loss_and_gradients(layers: list[DenseLayer], activation: Activation, x: np.ndarray,
                       y: np.ndarray, loss: str, classification: bool = True,
                       arch: Architecture | None = None,
                       check: Callable[[], None] | None = None
                       ) -> tuple[float, int | None, list[np.ndarray]]:
    """Mini-batch loss, correct predictions and exact gradients of every parameter.

    Parameters
    ----------
    layers : hidden layers 1..L then the readout (no activation after the readout).
    activation : φ of the hidden layers.
    x : (B, n_0) inputs. y : (B,) int class labels, or (B, C) regression targets.
    loss : ``cross_entropy`` (torch ``F.cross_entropy``, mean over the batch) or ``mse``
        (torch ``F.mse_loss`` of z against one-hot(y) or the regression targets, mean over B·C).
    classification : whether ``y`` holds labels (then correct = #(argmax z = y)).
    arch : norm / residual blocks (``model.blocks``); batch norm uses the batch's statistics
        and updates ``arch.running`` (training mode). None: plain layers.
    check : a :class:`~gradexplorer.engine.compute.cancel.CancelCheck` (or None) called before
        every layer's forward and backward, so a cancel lands within a layer, not a whole step
        (a 10 × 1024 step at batch 512 takes seconds on a busy machine). Raises ``Cancelled``.

    Returns
    -------
    loss : float (the spec's dtype's rounding; may be inf/NaN).
    correct : int, or None for regression.
    grads : list of ndarray, [∂L/∂W_1, ∂L/∂b_1, ..., ∂L/∂R, ∂L/∂c], shapes of the parameters.
    """
    if arch is not None and (arch.norm != "none" or any(arch.skips)):
        return _block_loss_and_gradients(layers, activation, x, y, loss, classification, arch,
                                         check)
    check = check or _no_check
    kept: list[tuple[np.ndarray, np.ndarray]] = []
    a = x
    for layer in layers[:-1]:
        check()
        h = layer.forward(a)
        a_next, deriv = activation.forward_and_derivative(h)
        kept.append((a, deriv))
        a = a_next
    z = layers[-1].forward(a)
    value, dz = head(z, y, loss, classification)
    correct = int(np.count_nonzero(np.argmax(z, axis=1) == y)) if classification else None
    g_a, g_r, g_c = layers[-1].backward(dz, a)
    top_down = [(g_r, g_c)]
    for i in range(len(layers) - 2, -1, -1):
        check()
        a_in, deriv = kept.pop()
        assert g_a is not None  # asked for every layer above the first
        g_h = np.multiply(g_a, deriv, out=g_a)  # g_a is always a fresh array here
        g_a, g_w, g_b = layers[i].backward(g_h, a_in, need_input_grad=i > 0)
        top_down.append((g_w, g_b))
    return value, correct, [g for pair in reversed(top_down) for g in pair]


def _no_check() -> None:
    """No cancel to poll."""


def _block_loss_and_gradients(layers: list[DenseLayer], activation: Activation, x: np.ndarray,
                              y: np.ndarray, loss: str, classification: bool,
                              arch: Architecture, check: Callable[[], None] | None = None
                              ) -> tuple[float, int | None, list[np.ndarray]]:
    """:func:`loss_and_gradients` through normalized / residual blocks (``model.blocks``)."""
    check = check or _no_check
    kept: list[tuple[np.ndarray, BlockForward]] = []
    a = x
    for i, layer in enumerate(layers[:-1]):
        check()
        fwd = block_forward(layer, a, 0, activation, arch.norm, arch.skip(i), arch.alpha)
        if arch.running is not None and fwd.norm is not None:
            arch.running[i] = update_running(arch.running[i], fwd.norm, x.shape[0])
        kept.append((a, fwd.for_backward()))  # h_l is never read again (block_backward)
        a = fwd.a
    z = layers[-1].forward(a)
    value, dz = head(z, y, loss, classification)
    correct = int(np.count_nonzero(np.argmax(z, axis=1) == y)) if classification else None
    g_a, g_r, g_c = layers[-1].backward(dz, a)
    assert g_r is not None
    top_down = [(g_r, g_c)]
    for i in range(len(layers) - 2, -1, -1):
        check()
        a_in, fwd = kept.pop()
        assert g_a is not None  # asked for every layer above the first
        g_a, _, _, _, g_w, g_b = block_backward(layers[i], fwd, a_in, g_a, 0, arch.alpha,
                                                renormalize=False, need_input_grad=i > 0)
        assert g_w is not None
        top_down.append((g_w, g_b))
    return value, correct, [g for pair in reversed(top_down) for g in pair]


def head(z: np.ndarray, y: np.ndarray, loss: str,
         classification: bool) -> tuple[float, np.ndarray]:
    """(loss, ∂L/∂z) of the logits / outputs z: (B, C); ∂L/∂z is a fresh (B, C) array.

    cross_entropy: L = mean_b [log Σ_c exp z_bc − z_b,y_b] (shifted by the row maximum), and
    ∂L/∂z = (softmax(z) − onehot(y)) / B. mse: L = mean((z − T)²) over all B·C entries with
    T = onehot(y) (classification) or y (regression targets), ∂L/∂z = 2(z − T)/(B·C).
    """
    batch = z.shape[0]
    rows = np.arange(batch)
    if loss == "cross_entropy":
        shifted = z - z.max(axis=1, keepdims=True)
        e = np.exp(shifted)
        total = e.sum(axis=1)
        value = float(np.mean(np.log(total) - shifted[rows, y]))
        dz = e / total[:, None]
        dz[rows, y] -= 1.0
        dz /= batch
        return value, dz
    if classification:
        diff = z.copy()
        diff[rows, y] -= 1.0
    else:
        diff = z - y
    value = float(np.mean(np.square(diff)))
    diff *= 2.0 / diff.size
    return value, diff


def evaluate(layers: list[DenseLayer], activation: Activation, x: np.ndarray, y: np.ndarray,
             loss: str, classification: bool, arch: Architecture | None = None
             ) -> tuple[float, float | None, np.ndarray, np.ndarray]:
    """Loss, accuracy (or None) and per-layer act std, saturated fraction on the batch x.

    Returns
    -------
    loss : float. accuracy : float in [0, 1] or None.
    act_std : ndarray (L,) float64, population std of a_l over all B·n_l entries.
    saturated : ndarray (L,) float64, fraction of units with |φ'(h_l)| below 10 % of its
        maximum (:meth:`Activation.saturated`), of φ's input z_l (= h_l without a norm).

    ``arch``: blocks; batch norm uses ``arch.running`` (evaluation mode, like torch ``eval()``).
    """
    depth = len(layers) - 1
    act_std, saturated = np.empty(depth), np.empty(depth)
    a = x
    arch = arch or Architecture()
    for i, layer in enumerate(layers[:-1]):
        running = arch.running[i] if arch.running is not None else None
        fwd = block_forward(layer, a, 0, activation, arch.norm, arch.skip(i), arch.alpha,
                            running=running)
        a = fwd.a
        act_std[i] = a.std(dtype=np.float64)
        saturated[i] = np.count_nonzero(activation.saturated(fwd.z, derivative=fwd.deriv)) \
            / a.size
    z = layers[-1].forward(a)
    value, _ = head(z, y, loss, classification)
    acc = float(np.mean(np.argmax(z, axis=1) == y)) if classification else None
    return value, acc, act_std, saturated
