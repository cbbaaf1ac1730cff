"""Training mode: learning, vanishing gradients, exact gradients, pause/resume, divergence,
optimizers, tasks and config validation. No torch needed (reference values are hard-coded)."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

from gradexplorer.engine.data.inputs import DataError
from gradexplorer.engine.data.tasks import make_task, split_indices
from gradexplorer.engine.model.activations import get_activation
from gradexplorer.engine.model.network import DenseLayer, build_network
from gradexplorer.engine.model.spec import NetworkSpec, SpecError
from gradexplorer.engine.training.backprop import evaluate, loss_and_gradients
from gradexplorer.engine.training.optimizers import SGD, Adam, make_optimizer
from gradexplorer.engine.training.trainer import (
    TrainConfig,
    TrainEnd,
    TrainRecord,
    TrainStart,
    train,
)

RELU_HE = NetworkSpec(depth=3, width=64, activation="relu", init="kaiming_normal")
SIGMOID_20 = NetworkSpec(depth=20, width=64, activation="sigmoid", init="xavier_normal")


def records(spec, config):
    out = list(train(spec, config))
    assert isinstance(out[0], TrainStart) and isinstance(out[-1], TrainEnd)
    return out[0], out[1:-1], out[-1]


def same_record(a: TrainRecord, b: TrainRecord) -> bool:
    """Bit-identical: every scalar equal (None/NaN alike), every array equal bit for bit."""
    for name in TrainRecord.__dataclass_fields__:
        x, y = getattr(a, name), getattr(b, name)
        if isinstance(x, np.ndarray):
            if x.dtype != y.dtype or x.tobytes() != y.tobytes():
                return False
        elif not (x == y or (x is not None and y is not None and math.isnan(x) and math.isnan(y))):
            return False
    return True


# --- learning and not learning -----------------------------------------------------------------
def test_relu_he_3_layers_learns_the_digits():
    start, recs, end = records(RELU_HE, TrainConfig(steps=300, lr=0.05, eval_every=100))
    assert start.widths == (64, 64, 64, 64) and start.n_outputs == 10
    assert (start.n_train, start.n_test) == (1438, 359)
    assert start.n_parameters == 3 * (64 * 64 + 64) + 10 * 64 + 10
    assert [r.step for r in recs] == [100, 200, 300]
    assert end.verdict == "completed" and not end.diverged and end.steps == 300
    last = recs[-1]
    assert last.train_accuracy > 0.9 and last.test_accuracy > 0.9
    assert last.train_loss < 0.05 < recs[0].train_loss < math.log(10)
    # every layer learns at a healthy pace (update/weight ≈ 10^-3 per step, theory.md §6)
    assert np.all(recs[0].log10_update_ratio > -3.5) and np.all(recs[0].log10_update_ratio < -1.5)
    assert end.stalled_layers == () and end.summary.startswith("every layer learns")
    # ReLU: about half the units are saturated (h <= 0), activations of order 1
    assert np.all(np.abs(last.saturated_fraction - 0.53) < 0.05)
    assert np.all((last.act_std > 0.5) & (last.act_std < 5))


def test_sigmoid_xavier_20_layers_first_layer_gradient_vanishes_and_nothing_is_learned():
    _, recs, end = records(SIGMOID_20, TrainConfig(steps=200, lr=0.05, eval_every=50))
    assert len(recs) == 4
    for r in recs:
        # ≥ 3 decades between the last and the first layer (measured: about 11.9)
        assert r.log10_grad_norm[-1] - r.log10_grad_norm[0] >= 3
        assert r.log10_grad_norm[-1] - r.log10_grad_norm[0] > 10
        assert abs(r.train_loss - math.log(10)) < 0.1
        assert abs(r.test_loss - math.log(10)) < 0.1 and r.test_accuracy < 0.2
        assert r.log10_update_ratio[0] < -10
    assert end.verdict == "completed"
    assert end.stalled_layers[0] == 1 and len(end.stalled_layers) >= 10
    assert re.match(r"layers 1–\d+ of 20 hardly learn", end.summary)


def test_teacher_task_for_any_input_size_with_adam_and_mse_regression():
    spec = NetworkSpec(depth=4, width=32, activation="tanh", in_features=7)
    start, recs, end = records(spec, TrainConfig(steps=200, lr=0.01, optimizer="adam",
                                                 eval_every=100, task="teacher", loss="mse",
                                                 samples=500, classes=3))
    assert start.widths[0] == 7 and start.n_outputs == 3 and not start.classification
    assert all(r.train_accuracy is None and r.test_accuracy is None for r in recs)
    # targets have unit variance: predicting 0 costs ≈ 1; the net does much better
    assert recs[-1].test_loss < 0.3 and recs[-1].train_loss < recs[0].train_loss
    assert end.verdict == "completed"


# --- exact gradients ---------------------------------------------------------------------------
@pytest.mark.parametrize("loss,classification", [("cross_entropy", True), ("mse", True),
                                                 ("mse", False)])
@pytest.mark.parametrize("act", ["tanh", "gelu", "sigmoid"])
def test_gradients_match_central_differences_float64(act, loss, classification):
    spec = NetworkSpec(depth=3, widths=(5, 4, 6), activation=act, init="xavier_normal",
                       gain=1.5, bias_init="normal", bias_std=0.3, seed=3)
    rng = np.random.default_rng(7)
    x = rng.standard_normal((8, 4))
    y = rng.integers(0, 3, 8) if classification else rng.standard_normal((8, 3))
    activation = get_activation(act)
    net = build_network(spec, (4, 5, 4, 6), x, activation)
    layers = [*net.layers, DenseLayer(rng.standard_normal((3, 6)) / 2, rng.standard_normal(3))]
    value, correct, grads = loss_and_gradients(layers, activation, x, y, loss, classification)
    assert (correct is None) != classification
    params = [p for layer in layers for p in (layer.weight, layer.bias)]
    assert [g.shape for g in grads] == [p.shape for p in params]
    h = 1e-6
    worst = 0.0
    for p, g in zip(params, grads, strict=True):
        for i in np.ndindex(p.shape):
            keep = p[i]
            p[i] = keep + h
            up = loss_and_gradients(layers, activation, x, y, loss, classification)[0]
            p[i] = keep - h
            down = loss_and_gradients(layers, activation, x, y, loss, classification)[0]
            p[i] = keep
            fd = (up - down) / (2 * h)
            worst = max(worst, abs(fd - g[i]) / max(abs(fd), 1e-3))
    assert worst < 1e-6
    assert value == loss_and_gradients(layers, activation, x, y, loss, classification)[0]


def test_cross_entropy_value_and_evaluate_agree_with_hand_values():
    # a linear identity hidden layer, then logits z = a Rᵀ with R = [[0, 0], [ln 3, 0]]
    act = get_activation("linear")
    layers = [DenseLayer(np.eye(2), np.zeros(2)),
              DenseLayer(np.array([[0.0, 0.0], [math.log(3), 0.0]]), np.zeros(2))]
    x = np.array([[1.0, 0.0], [0.0, 0.0]])
    y = np.array([1, 0])
    # row 1: z = (0, ln 3): p = (1/4, 3/4), −log p_1 = ln(4/3); row 2: z = (0, 0): ln 2
    value, correct, grads = loss_and_gradients(layers, act, x, y, "cross_entropy")
    assert value == pytest.approx((math.log(4 / 3) + math.log(2)) / 2, rel=1e-15)
    assert correct == 2  # argmax (0, ln 3) = 1, argmax (0, 0) = 0 (the first maximum)
    # ∂L/∂c = mean of softmax − onehot = ((1/4 − 0) + (1/2 − 1), (3/4 − 1) + (1/2 − 0)) / 2
    np.testing.assert_allclose(grads[3], [-0.125, 0.125], rtol=0, atol=1e-16)
    loss, acc, std, sat = evaluate(layers, act, x, y, "cross_entropy", True)
    assert loss == value and acc == 1.0
    assert std[0] == pytest.approx(np.std([1.0, 0.0, 0.0, 0.0])) and sat[0] == 0.0


# --- pause, resume, reproducibility ------------------------------------------------------------
def test_pausing_between_records_and_resuming_is_bit_identical():
    spec = NetworkSpec(depth=4, width=32, activation="tanh", init="xavier_normal", seed=5)
    config = TrainConfig(steps=120, lr=0.02, optimizer="adam", eval_every=20, batch_size=32)
    _, whole, end = records(spec, config)
    paused = train(spec, config)
    first = [next(paused) for _ in range(4)][1:]  # TrainStart + 3 records
    # while paused: another run (with other errstate/random use) goes all the way through
    other = list(train(spec.replace(seed=9), config))
    np.random.default_rng(0).standard_normal(1000)
    rest = list(paused)
    resumed = first + rest[:-1]
    assert len(resumed) == len(whole) == 6
    assert all(same_record(a, b) for a, b in zip(whole, resumed, strict=True))
    assert rest[-1].verdict == end.verdict == "completed"
    assert not same_record(whole[-1], other[-2])  # a different seed really is different


def test_two_interleaved_runs_match_uninterrupted_runs_in_float32():
    spec = NetworkSpec(depth=3, width=16, activation="relu", init="kaiming_normal",
                       dtype="float32")
    config = TrainConfig(steps=30, lr=0.05, eval_every=5, batch_size=16)
    _, alone, _ = records(spec, config)
    a, b = train(spec, config), train(spec, config)
    zipped = list(zip(a, b, strict=True))
    assert all(same_record(x, y) and same_record(x, z)
               for (x, y), z in zip(zipped[1:-1], alone, strict=True))
    assert alone[0].act_std.dtype == np.float64 and np.isfinite(alone[-1].train_loss)


def test_cancel_by_closing_the_generator():
    run = train(RELU_HE, TrainConfig(steps=10_000, eval_every=10))
    assert isinstance(next(run), TrainStart)
    assert next(run).step == 10
    run.close()
    with pytest.raises(StopIteration):
        next(run)


# --- divergence --------------------------------------------------------------------------------
def test_huge_learning_rate_diverges_with_a_verdict_not_an_exception():
    _, recs, end = records(RELU_HE, TrainConfig(steps=200, lr=50.0, eval_every=2))
    assert end.diverged and end.verdict == "diverged at step 7: loss became NaN"
    assert end.steps == 6 and [r.step for r in recs] == [2, 4, 6]
    assert end.stalled_layers == () and end.summary == ""


# --- optimizers against hand-computed values ---------------------------------------------------
def test_sgd_momentum_steps_by_hand():
    # v1 = g1 = (0.5, 0.1): p = (1, −2) − 0.1 v1 = (0.95, −2.01)
    # v2 = 0.9 v1 + g2 = (0.65, −0.21): p = (0.885, −1.989); v3 = 0.9 v2 = (0.585, −0.189)
    p = np.array([1.0, -2.0])
    opt = SGD([p], lr=0.1, momentum=0.9)
    expected = ([0.95, -2.01], [0.885, -1.989], [0.8265, -1.9701])  # = torch.optim.SGD
    for g, want in zip(([0.5, 0.1], [0.2, -0.3], [0.0, 0.0]), expected, strict=True):
        before = p.copy()
        (delta,) = opt.step([np.array(g)])
        np.testing.assert_allclose(p, want, rtol=0, atol=1e-15)
        np.testing.assert_allclose(delta, p - before, rtol=0, atol=1e-15)
    plain = np.array([1.0])
    SGD([plain], lr=0.5, momentum=0.0).step([np.array([0.3])])
    assert plain[0] == 1.0 - 0.5 * 0.3


def test_adam_steps_by_hand():
    p = np.array([1.0, -2.0, 0.3])
    opt = Adam([p], lr=0.1)
    # step 1: m̂ = g, v̂ = g², so Δ = −lr·g/(|g| + ε) = −0.1·sign(g)·|g|/(|g| + 1e-8)
    g1 = np.array([0.5, 0.1, -1e-3])
    opt.step([g1])
    np.testing.assert_allclose(p, [1 - 0.1 * 0.5 / (0.5 + 1e-8), -2 - 0.1 * 0.1 / (0.1 + 1e-8),
                                   0.3 + 0.1 * 1e-3 / (1e-3 + 1e-8)], rtol=0, atol=1e-15)
    np.testing.assert_allclose(p, [0.900000002, -2.09999999, 0.39999900001], rtol=0, atol=1e-15)
    # step 2, by hand: m = 0.9·0.1·g1 + 0.1·g2, v = 0.999·0.001·g1² + 0.001·g2²,
    # m̂ = m/(1 − 0.81), v̂ = v/(1 − 0.998001); values as torch.optim.Adam gives them
    g2 = np.array([-0.2, 0.4, 2.0])
    m = 0.9 * 0.1 * g1 + 0.1 * g2
    v = 0.999 * 0.001 * g1 ** 2 + 0.001 * g2 ** 2
    want = np.array([0.900000002, -2.09999999, 0.39999900001]) - 0.1 * (m / 0.19) / (
        np.sqrt(v / (1 - 0.999 ** 2)) + 1e-8)
    opt.step([g2])
    np.testing.assert_allclose(p, want, rtol=0, atol=1e-14)
    np.testing.assert_allclose(p, [0.8654394181165108, -2.188437636024883, 0.3256188136244032],
                               rtol=0, atol=1e-14)


def test_make_optimizer_names():
    assert isinstance(make_optimizer("sgd", [], 0.1), SGD)
    assert isinstance(make_optimizer("adam", [], 0.1), Adam)
    with pytest.raises(ValueError, match="unknown optimizer 'rmsprop'"):
        make_optimizer("rmsprop", [], 0.1)


# --- tasks -------------------------------------------------------------------------------------
def test_digits_split_is_stratified_seeded_and_standardized_on_training_rows():
    task = make_task(NetworkSpec(), "digits", "cross_entropy", 0.2)
    assert task.x_train.shape == (1438, 64) and task.x_test.shape == (359, 64)
    counts_test = np.bincount(task.y_test, minlength=10)
    counts_all = counts_test + np.bincount(task.y_train, minlength=10)
    assert np.all(np.abs(counts_test - 0.2 * counts_all) <= 0.5)
    kept = task.x_train[:, task.x_train.std(axis=0) > 0]
    np.testing.assert_allclose(kept.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(kept.std(axis=0), 1, atol=1e-12)
    again = make_task(NetworkSpec(), "digits", "cross_entropy", 0.2)
    assert np.array_equal(task.y_test, again.y_test)
    other = make_task(NetworkSpec(seed=1), "digits", "cross_entropy", 0.2)
    assert not np.array_equal(task.x_test, other.x_test)
    raw = make_task(NetworkSpec(standardize=False, dtype="float32"), "digits", "mse", 0.2)
    assert raw.x_train.dtype == np.float32 and raw.x_train.max() == 16.0 and raw.classification


def test_split_indices_random_and_stratified():
    rng = np.random.default_rng(0)
    train_idx, test_idx = split_indices(10, 0.3, rng)
    assert test_idx.size == 3 and np.array_equal(np.sort(np.r_[train_idx, test_idx]), range(10))
    labels = np.array([0, 0, 0, 0, 1, 1, 2])  # class 2 has one row: it stays in training
    train_idx, test_idx = split_indices(7, 0.25, rng, labels)
    assert sorted(labels[test_idx]) == [0, 1] and 6 in train_idx
    assert split_indices(5, 0.0, rng, np.zeros(5, int))[1].size == 0


def test_file_task_needs_labels(tmp_path):
    good = tmp_path / "good.csv"
    rows = "\n".join(f"{i % 3},{i * 0.5},{(-1) ** i}" for i in range(30))
    good.write_text("label,a,b\n" + rows + "\n")
    spec = NetworkSpec(depth=2, width=8, input="file", input_path=str(good))
    task = make_task(spec, "file", "cross_entropy", 0.2)
    assert task.n_outputs == 3 and task.x_train.shape[1] == 2 and task.x_test.shape[0] == 6
    start, _, end = records(spec, TrainConfig(steps=20, task="file", batch_size=8, eval_every=10))
    assert start.widths[0] == 2 and "good.csv" in start.task and end.verdict == "completed"
    unlabelled = tmp_path / "plain.csv"
    unlabelled.write_text("1,2\n3,4\n")
    with pytest.raises(DataError, match="has no labels"):
        make_task(NetworkSpec(input="file", input_path=str(unlabelled)), "file", "mse", 0.2)
    nan = tmp_path / "nan.csv"
    nan.write_text("y,a\n0,1\n1,nan\n")
    with pytest.raises(DataError, match="1 NaN/inf cells"):
        make_task(NetworkSpec(input="file", input_path=str(nan)), "file", "mse", 0.2)
    with pytest.raises(DataError, match="needs a path"):
        make_task(NetworkSpec(), "file", "mse", 0.2)


def test_teacher_labels_are_argmax_of_a_fixed_teacher():
    spec = NetworkSpec(in_features=12, seed=4)
    task = make_task(spec, "teacher", "cross_entropy", 0.25, samples=400, classes=4)
    assert task.x_train.shape == (300, 12) and task.x_test.shape == (100, 12)
    assert task.classification and set(np.unique(task.y_train)) <= {0, 1, 2, 3}
    reg = make_task(spec, "teacher", "mse", 0.25, samples=400, classes=4)
    assert reg.y_train.shape == (300, 4) and not reg.classification
    both = np.concatenate([reg.y_train, reg.y_test])
    assert both.std() == pytest.approx(1.0)


# --- validation --------------------------------------------------------------------------------
@pytest.mark.parametrize("change,field,text", [
    ({"steps": 0}, "steps", "steps must be a whole number from 1"),
    ({"lr": -1.0}, "lr", "learning rate must be a finite number > 0"),
    ({"lr": float("nan")}, "lr", "learning rate"),
    ({"momentum": 1.0}, "momentum", "momentum must be a finite number in [0, 1)"),
    ({"optimizer": "rmsprop"}, "optimizer", "unknown optimizer 'rmsprop'"),
    ({"task": "mnist"}, "task", "choose from: digits, file, teacher"),
    ({"loss": "random"}, "loss", "unknown loss 'random'"),
    ({"holdout": 1.0}, "holdout", "holdout"),
    ({"batch_size": 2.5}, "batch_size", "batch size must be a whole number"),
    ({"classes": 1}, "classes", "classes"),
])
def test_train_config_rejects_bad_values(change, field, text):
    with pytest.raises(SpecError, match=re.escape(text)) as info:
        TrainConfig(**change)
    assert info.value.field == field


def test_train_config_from_dict_coerces_strings():
    c = TrainConfig.from_dict({"steps": "30", "lr": "1e-3", "optimizer": " Adam", "holdout": 0})
    assert (c.steps, c.lr, c.optimizer, c.holdout) == (30, 1e-3, "adam", 0.0)
    assert TrainConfig.from_dict(c.to_dict()) == c
    with pytest.raises(SpecError, match="steps must be a whole number, got 'ten'"):
        TrainConfig.from_dict({"steps": "ten"})
    with pytest.raises(SpecError, match="unknown training setting 'speed'"):
        TrainConfig.from_dict({"speed": 1})


def test_batch_larger_than_training_rows_and_no_holdout():
    with pytest.raises(SpecError, match="batch size 2000 is larger than the 1438 training rows"):
        next(train(RELU_HE, TrainConfig(batch_size=2000)))
    start, recs, _ = records(RELU_HE, TrainConfig(steps=10, eval_every=10, holdout=0.0))
    assert start.n_test == 0 and start.n_eval == 512
    assert recs[0].test_accuracy is None and recs[0].test_loss is None


def test_stalled_summary_names_layer_ranges():
    from gradexplorer.engine.training.trainer import _stalled, _summary

    assert _stalled(np.array([-12.0, -5.5, -4.9, -3.0, -np.inf, -6.0])) == (1, 2, 5, 6)
    assert _summary((1, 2, 5, 6), 6, "sgd").startswith("layers 1–2 and 5–6 of 6 hardly learn:")
    assert _summary((1, 2, 3, 7), 9, "sgd").startswith("layers 1–3 and 7 of 9 hardly learn:")
    assert _summary((4,), 9, "adam").startswith("layer 4 of 9 hardly learns:")
    assert _summary((4,), 9, "adam").endswith("despite Adam's per-weight rescaling")
