"""The session's optional ``train_pins`` field: written only when present, checked on read."""

from __future__ import annotations

import json

import numpy as np
import pytest

from gradexplorer.engine.model.spec import NetworkSpec
from gradexplorer.io.sessions import Session, SessionError, load_session, save_session
from gradexplorer.io.train_pins import TrainPin

SPEC = NetworkSpec(depth=3, width=8)


def pin(n=4):
    return TrainPin("run A", SPEC, np.arange(n, dtype=float) * 10,
                    {"test_loss": np.array([2.3, 1.5, np.nan, 0.9])[:n]},
                    np.full((n, 3), -1.5), np.array([[-3, np.inf, -2]] * n, dtype=float))


def test_round_trip_keeps_values_and_writes_gaps_as_null(tmp_path):
    path = tmp_path / "s.gxs.json"
    save_session(path, Session(SPEC, (), (pin(),)))
    doc = json.loads(path.read_text())
    assert doc["train_pins"][0]["curves"]["test_loss"] == [2.3, 1.5, None, 0.9]
    assert doc["train_pins"][0]["log10_update_ratio"][0] == [-3.0, None, -2.0]
    back = load_session(path).train_pins[0]
    assert back.label == "run A" and back.spec == SPEC
    np.testing.assert_array_equal(back.steps, [0, 10, 20, 30])
    np.testing.assert_array_equal(back.curves["test_loss"], [2.3, 1.5, np.nan, 0.9])
    np.testing.assert_array_equal(back.log10_grad_norm, np.full((4, 3), -1.5))


def test_old_sessions_load_and_sessions_without_train_pins_are_unchanged(tmp_path):
    old = {"format": "gradexplorer-session", "version": 1, "spec": SPEC.to_dict(), "pins": []}
    assert Session.from_dict(old).train_pins == ()
    assert "train_pins" not in Session(SPEC).to_dict()


@pytest.mark.parametrize("change, message", [
    (lambda p: p.update(curves={"loss": [1, 2, 3, 4]}), "unknown curve"),
    (lambda p: p.update(steps=[0, 1]), "must be a list of 2 values"),
    (lambda p: p["curves"]["test_loss"].__setitem__(1, "x"), "test_loss[1] must be a number"),
    (lambda p: p.update(log10_grad_norm=[[1, 2]] * 4), "log10_grad_norm[0] must be a list of 3"),
    (lambda p: p.update(label=""), "label must be text"),
    (lambda p: p["spec"].update(gain=-1.0), "train_pins[0].spec.gain"),
])
def test_a_bad_train_pin_is_refused_naming_the_field(change, message):
    doc = Session(SPEC, (), (pin(),)).to_dict()
    change(doc["train_pins"][0])
    with pytest.raises(SessionError, match=message.replace("[", r"\[").replace("]", r"\]")):
        Session.from_dict(json.loads(json.dumps(doc)))
