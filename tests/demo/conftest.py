"""One small demo data set, generated once for the generator's tests."""

from __future__ import annotations

import datetime as dt

import pytest

from tower.demo.generator import generate, judge_lines

END = dt.date(2026, 11, 21)
LINES = 5_000


@pytest.fixture(scope="session")
def demo():
    return generate(seed=7, lines=LINES, end=END)


@pytest.fixture(scope="session")
def judged(demo):
    return judge_lines(demo.rows, END)
