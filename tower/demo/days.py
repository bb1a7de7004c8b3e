"""Calendar arithmetic on day numbers (days since 1970-01-01), shared by the demo generators.

The generators work on numpy arrays of day numbers, so that dates are plain integers to add and
compare; these helpers convert and snap them. The production campaign grid lives here too: the
order lines (which lines share a batch) and the batches (when it is made) must agree on it.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

EPOCH = dt.date(1970, 1, 1)
CAMPAIGN_DAYS = 14
_FIRST_MONDAY = 4  # 1970-01-05


def day(d: dt.date) -> int:
    return (d - EPOCH).days


def dates(days: np.ndarray) -> pl.Series:
    return pl.Series(np.asarray(days).astype(np.int32)).cast(pl.Date)


def weekday(days: np.ndarray) -> np.ndarray:
    """Monday = 0 (1970-01-01 was a Thursday)."""
    return (days + 3) % 7


def monday(days: np.ndarray) -> np.ndarray:
    """The Monday of each day's week."""
    return days - weekday(days)


def snap(days: np.ndarray, *, forward: bool) -> np.ndarray:
    """Move Saturdays and Sundays to the next Monday (forward) or the previous Friday."""
    wd = weekday(days)
    if forward:
        return days + np.where(wd == 5, 2, np.where(wd == 6, 1, 0))
    return days - np.where(wd == 5, 1, np.where(wd == 6, 2, 0))


def month(days: np.ndarray) -> np.ndarray:
    """Months since January 1970."""
    return np.asarray(days).astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)


def months_before(d: dt.date, months: int) -> dt.date:
    total = d.year * 12 + d.month - 1 - months
    y, m = divmod(total, 12)
    m += 1
    next_month = dt.date(y + m // 12, m % 12 + 1, 1)
    return dt.date(y, m, min(d.day, (next_month - dt.timedelta(days=1)).day))


def campaign(days: np.ndarray) -> np.ndarray:
    """The two-week production campaign (starting on a Monday) a day falls in."""
    return (np.asarray(days) - _FIRST_MONDAY) // CAMPAIGN_DAYS


def campaign_start(campaigns: np.ndarray) -> np.ndarray:
    return np.asarray(campaigns) * CAMPAIGN_DAYS + _FIRST_MONDAY


def campaign_expr(days: pl.Expr) -> pl.Expr:
    """campaign() of a Polars expression of day numbers."""
    return (days - _FIRST_MONDAY) // CAMPAIGN_DAYS
