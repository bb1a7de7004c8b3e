"""The scorecard as JSON: Scorecard.to_dict(), the shape every other export's figures match."""

from __future__ import annotations

import json
import math

from tower.scorecards.scorecard import Scorecard


def render(card: Scorecard) -> bytes:
    # Standard JSON has no Infinity or NaN (Python would write them): null, "no data", instead.
    return json.dumps(_finite(card.to_dict()), indent=2, ensure_ascii=False).encode()


def _finite(value):
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value
