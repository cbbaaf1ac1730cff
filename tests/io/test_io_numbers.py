"""One finite_or_none for every strict-JSON writer."""

from __future__ import annotations

import math
import pathlib
import re

import numpy as np
import pytest

from gradexplorer.io.numbers import finite_or_none


@pytest.mark.parametrize("value, expected", [
    (1.5, 1.5), (np.float32(0.25), 0.25), (3, 3), (np.int64(7), 7), (None, None),
    (math.inf, None), (-math.inf, None), (math.nan, None), (np.float64("nan"), None),
    (True, 1.0),
])
def test_values(value, expected):
    got = finite_or_none(value)
    assert got == expected and type(got) is type(expected)


def test_ints_stay_ints_floats_become_python_floats():
    assert type(finite_or_none(np.int32(4))) is int
    assert type(finite_or_none(np.float16(0.5))) is float


def test_there_is_only_one_copy():
    root = pathlib.Path(__file__).resolve().parents[2] / "gradexplorer"
    pattern = re.compile(r"def _(num|finite_or_none)\(")
    copies = [str(p) for p in root.rglob("*.py") if pattern.search(p.read_text("utf-8"))]
    assert copies == []
