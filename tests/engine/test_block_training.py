"""Training through normalized / residual blocks: exact gradients, batch norm's running stats."""

from __future__ import annotations

import numpy as np
import pytest

from gradexplorer.engine.model.activations import get_activation
from gradexplorer.engine.model.blocks import Architecture
from gradexplorer.engine.model.network import DenseLayer
from gradexplorer.engine.model.spec import NetworkSpec
from gradexplorer.engine.training.backprop import evaluate, loss_and_gradients
from gradexplorer.engine.training.trainer import TrainConfig, TrainEnd, TrainRecord, train


def _layers(rng, widths):
    return [DenseLayer(rng.standard_normal((widths[i], widths[i - 1])) / np.sqrt(widths[i - 1]),
                       0.1 * rng.standard_normal(widths[i])) for i in range(1, len(widths))]


@pytest.mark.parametrize("norm, residual", [("batch", False), ("layer", True), ("batch", True),
                                            ("none", True)])
def test_training_gradients_match_finite_differences(norm, residual):
    rng = np.random.default_rng(0)
    widths = (4, 5, 5, 3)  # hidden 4→5 (plain), 5→5 (residual if on), readout 5→3
    spec = NetworkSpec(depth=2, widths=(5, 5), in_features=4, norm=norm, residual=residual,
                       residual_scale=0.8, batch=6)
    act = get_activation("tanh")
    x, y = rng.standard_normal((6, 4)), rng.integers(0, 3, 6)

    def loss_of(layers):
        arch = Architecture.from_spec(spec, widths[:-1])
        return loss_and_gradients(layers, act, x, y, "cross_entropy", True, arch)

    layers = _layers(rng, widths)
    _, _, grads = loss_of(layers)
    params = [p for la in layers for p in (la.weight, la.bias)]
    eps = 1e-6
    for p, g in zip(params, grads, strict=True):
        fd = np.empty_like(p)
        for j in np.ndindex(p.shape):
            old = p[j]
            p[j] = old + eps
            up = loss_of(layers)[0]
            p[j] = old - eps
            down = loss_of(layers)[0]
            p[j] = old
            fd[j] = (up - down) / (2 * eps)
        np.testing.assert_allclose(g, fd, atol=1e-7, rtol=1e-5)


def test_batch_norm_running_averages_follow_torch_and_drive_evaluation():
    rng = np.random.default_rng(1)
    widths = (4, 6, 3)
    spec = NetworkSpec(depth=1, widths=(6,), in_features=4, norm="batch", batch=8)
    arch = Architecture.from_spec(spec, widths[:-1])
    layers = _layers(rng, widths)
    act = get_activation("relu")
    x, y = rng.standard_normal((8, 4)), rng.integers(0, 3, 8)
    loss_and_gradients(layers, act, x, y, "cross_entropy", True, arch)
    h = x @ layers[0].weight.T + layers[0].bias
    mean, var = arch.running[0]
    np.testing.assert_allclose(mean, 0.1 * h.mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(var, 0.9 + 0.1 * h.var(axis=0, ddof=1), rtol=1e-12)
    # evaluation uses the running statistics, not the batch's
    z = (h - mean) / np.sqrt(var + 1e-5)
    logits = np.maximum(z, 0) @ layers[1].weight.T + layers[1].bias
    shifted = logits - logits.max(axis=1, keepdims=True)
    expected = np.mean(np.log(np.exp(shifted).sum(axis=1)) - shifted[np.arange(8), y])
    loss, *_ = evaluate(layers, act, x, y, "cross_entropy", True, arch)
    assert loss == pytest.approx(expected, rel=1e-12)


def test_residual_net_trains_on_digits():
    spec = NetworkSpec(depth=20, width=32, activation="relu", init="kaiming_normal",
                       residual=True, residual_scale=20 ** -0.5, seed=1)
    recs = list(train(spec, TrainConfig(steps=200, eval_every=200, lr=0.05)))
    end, last = recs[-1], [r for r in recs if isinstance(r, TrainRecord)][-1]
    assert isinstance(end, TrainEnd) and not end.diverged
    assert last.test_accuracy > 0.8


def test_batch_norm_refuses_mini_batches_of_one_row_before_the_data_are_made():
    from gradexplorer.engine.model.spec import SpecError

    spec = NetworkSpec(depth=3, width=8, norm="batch")
    with pytest.raises(SpecError, match="at least 2 rows") as info:
        next(train(spec, TrainConfig(steps=2, batch_size=1)))
    assert info.value.field == "batch_size"
    assert isinstance(list(train(spec, TrainConfig(steps=2, batch_size=2)))[-1], TrainEnd)
