"""LSUV (Mishkin & Matas 2015): every layer's pre-activation variance hits the target."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from gradexplorer.engine.model.activations import get_activation
from gradexplorer.engine.model.initializers import init_bias, init_weight
from gradexplorer.engine.model.lsuv import lsuv_rescale


def _net(depth=10, width=64, n0=32, batch=512, bias_std=0.0, seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    widths = [n0] + [width] * depth
    ws = [init_weight("lsuv", widths[i + 1], widths[i], rng=rng, dtype=dtype)
          for i in range(depth)]
    bias = "normal" if bias_std > 0 else "zeros"
    bs = [init_bias(bias, widths[i + 1], std=bias_std, rng=rng, dtype=dtype) for i in range(depth)]
    x = rng.standard_normal((batch, n0)).astype(dtype)
    return ws, bs, x


def _variances(ws, bs, x, act):
    out, a = [], x
    for w, b in zip(ws, bs, strict=True):
        h = a @ w.T + b
        out.append(float(np.var(h)))
        a = act.forward(h)
    return np.array(out)


@pytest.mark.parametrize("name", ["tanh", "relu", "sigmoid"])
@pytest.mark.parametrize("target_var", [1.0, (5 / 3) ** 2])
@pytest.mark.parametrize("bias_std", [0.0, 0.2])
def test_every_layer_hits_the_target(name, target_var, bias_std):
    act = get_activation(name)
    ws, bs, x = _net(bias_std=bias_std)
    before = _variances(ws, bs, x, act)
    new = lsuv_rescale(ws, bs, x, act, target_var=target_var, tol=0.01)
    after = _variances(new, bs, x, act)
    assert len(new) == 10
    assert np.all(np.abs(after - target_var) < 0.01 * target_var), after
    assert np.abs(before - target_var).max() > 0.05 * target_var  # LSUV had work to do
    for w_new, w_old in zip(new, ws, strict=True):  # only a rescaling of each matrix
        ratio = w_new / w_old
        np.testing.assert_allclose(ratio, ratio.flat[0], rtol=1e-12)


def test_tight_tolerance_and_float32():
    act = get_activation("tanh")
    ws, bs, x = _net(bias_std=0.3, dtype=np.float32)
    new = lsuv_rescale(ws, bs, x, act, target_var=2.0, tol=1e-4, max_iter=50)
    assert all(w.dtype == np.float32 for w in new)
    after = _variances(new, bs, x, act)
    assert np.all(np.abs(after - 2.0) < 2e-4 * 1.01), after


def test_inputs_not_mutated_and_outputs_are_new():
    act = get_activation("relu")
    ws, bs, x = _net(depth=4, bias_std=0.1)
    copies = [w.copy() for w in ws], [b.copy() for b in bs], x.copy()
    new = lsuv_rescale(ws, bs, x, act, target_var=1.0)
    for a, b in zip(ws + bs + [x], copies[0] + copies[1] + [copies[2]], strict=True):
        np.testing.assert_array_equal(a, b)
    for w_new, w_old in zip(new, ws, strict=True):
        assert w_new is not w_old and not np.shares_memory(w_new, w_old)


def test_zero_variance_layer_is_left_alone():
    act = get_activation("relu")
    ws, bs, x = _net(depth=3)
    zero_x = np.zeros_like(x)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        new = lsuv_rescale(ws, bs, zero_x, act)
    for w_new, w_old in zip(new, ws, strict=True):
        np.testing.assert_array_equal(w_new, w_old)
    # a dead middle layer (all-zero weights) leaves that layer alone and the next ones too
    ws[1] = np.zeros_like(ws[1])
    new = lsuv_rescale(ws, bs, x, act)
    assert np.var(x @ new[0].T) == pytest.approx(1.0, rel=0.01)
    assert not new[1].any()
    np.testing.assert_array_equal(new[2], ws[2])


def test_max_iter_limits_the_rescalings():
    act = get_activation("tanh")
    ws, bs, x = _net(depth=2)
    np.testing.assert_array_equal(lsuv_rescale(ws, bs, x, act, max_iter=0)[0], ws[0])
    # bias variance 4 alone exceeds target 1: the loop shrinks W and stops after max_iter
    bs_big = [np.full(w.shape[0], 2.0) + np.random.default_rng(1).standard_normal(w.shape[0]) * 2
              for w in ws]
    new = lsuv_rescale(ws, bs_big, x, act, target_var=1.0, max_iter=10)
    assert all(np.all(np.isfinite(w)) for w in new)
    assert np.abs(new[0]).max() < np.abs(ws[0]).max()


def test_errors():
    act = get_activation("tanh")
    ws, bs, x = _net(depth=2)
    with pytest.raises(ValueError, match="2 weight matrices but 1 bias"):
        lsuv_rescale(ws, bs[:1], x, act)
    with pytest.raises(ValueError, match="layer 1: weight shape"):
        lsuv_rescale(ws, bs, x[:, :5], act)
    with pytest.raises(ValueError, match="x must have shape"):
        lsuv_rescale(ws, bs, x[0], act)
    with pytest.raises(ValueError, match="target variance"):
        lsuv_rescale(ws, bs, x, act, target_var=0.0)
    with pytest.raises(ValueError, match="tolerance"):
        lsuv_rescale(ws, bs, x, act, tol=-1.0)
    with pytest.raises(ValueError, match="max_iter"):
        lsuv_rescale(ws, bs, x, act, max_iter=-1)
