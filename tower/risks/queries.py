"""Reads for the risk pages, taking an already scoped queryset (tenancy.scoping)."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from tower.engine import risk as rules
from tower.risks.models import RiskMatrix


def register_rows(risks: QuerySet, today: dt.date) -> list:
    """The risks with their actions (one query more) and whether each review is overdue."""
    rows = list(risks.select_related("matrix", "project", "client").prefetch_related("actions"))
    for risk in rows:
        actions = list(risk.actions.all())
        risk.action_count = len(actions)
        risk.open_action_count = sum(a.status == "open" for a in actions)
        risk.overdue = rules.review_overdue(risk.next_review_on, today)
    return rows


def heat_maps(rows: list, matrix: RiskMatrix) -> dict:
    """Inherent and residual heat maps on the matrix in force: for each cell its level and the
    numbers of the risks in it. Risks rated on another version are counted when they fit."""
    grid = matrix.grid
    n_p, n_i = len(grid), len(grid[0])

    def build(cells):
        table = []
        for p in range(n_p, 0, -1):
            label = matrix.probability_labels[p - 1] if matrix.probability_labels else ""
            table.append(
                {
                    "probability": p,
                    "label": label,
                    "cells": [
                        {"level": grid[p - 1][i - 1], "risks": cells.get((p, i), [])}
                        for i in range(1, n_i + 1)
                    ],
                }
            )
        return table

    inherent, residual = {}, {}
    for r in rows:
        if r.probability <= n_p and r.impact <= n_i:
            inherent.setdefault((r.probability, r.impact), []).append(r.number)
        if r.residual_probability and r.residual_probability <= n_p and r.residual_impact <= n_i:
            residual.setdefault((r.residual_probability, r.residual_impact), []).append(r.number)
    impacts = [
        {"impact": i, "label": matrix.impact_labels[i - 1] if matrix.impact_labels else ""}
        for i in range(1, n_i + 1)
    ]
    return {"inherent": build(inherent), "residual": build(residual), "impacts": impacts}


def colour_counts(rows: list) -> dict:
    counts = {"red": 0, "yellow": 0, "grey": 0, "none": 0, "overdue": 0}
    for r in rows:
        counts[r.colour or "none"] += 1
        counts["overdue"] += r.overdue
    return counts
