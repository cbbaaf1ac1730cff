"""Sessions keep norm, residual and α, and reject bad values in one line."""

from __future__ import annotations

import pytest

from gradexplorer.engine.model.spec import NetworkSpec
from gradexplorer.io.sessions import SessionError, spec_from_session


def test_architecture_round_trips_through_a_session():
    spec = NetworkSpec(norm="layer", residual=True, residual_scale=0.25)
    assert spec_from_session(spec.to_dict()) == spec


@pytest.mark.parametrize("bad, text", [
    ({"residual": "yes"}, "spec.residual must be true or false"),
    ({"norm": 3}, "spec.norm must be a name"),
    ({"residual_scale": float("nan")}, "spec.residual_scale must be a finite number"),
    ({"residual_scale": -1.0}, "zero or positive"),
    ({"residual_scale": 1e7}, "residual_scale"),
])
def test_bad_architecture_in_a_session_is_refused(bad, text):
    with pytest.raises(SessionError, match=text):
        spec_from_session({**NetworkSpec().to_dict(), **bad})
