"""The scorecard as JSON: Scorecard.to_dict(), the shape every other export's figures match."""

from __future__ import annotations

import json

from tower.scorecards.scorecard import Scorecard


def render(card: Scorecard) -> bytes:
    return json.dumps(card.to_dict(), indent=2, ensure_ascii=False).encode()
