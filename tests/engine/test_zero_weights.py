"""A zero-weight layer: its update ratio is 0 (nothing changes), not inf (0/0) or NaN."""

import math

from gradexplorer.engine.model.spec import NetworkSpec
from gradexplorer.engine.runs.propagation import propagate
from gradexplorer.engine.runs.result import collect
from gradexplorer.engine.training.trainer import TrainConfig, TrainEnd, train


def test_zero_weights_have_update_ratio_zero_in_the_run():
    r = collect(propagate(NetworkSpec(depth=3, width=4, in_features=4, init="zeros")))
    for b in r.backward:
        assert b.grad_weight_norm == 0 and b.grad_to_weight == 0
        assert b.log10_grad_to_weight == -math.inf


def test_training_zero_weights_says_the_layers_do_not_learn_at_all():
    spec = NetworkSpec(depth=3, width=8, init="zeros", batch=32)
    records = list(train(spec, TrainConfig(steps=4, eval_every=2, batch_size=32)))
    end = records[-1]
    assert isinstance(end, TrainEnd) and end.frozen_layers == (1, 2, 3)
    assert "do not learn at all" in end.summary and "hardly" not in end.summary
    for rec in records[1:-1]:
        assert all(v == -math.inf for v in rec.log10_update_ratio)  # not NaN
