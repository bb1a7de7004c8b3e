"""What the demo's quarterly business reviews add to the measured data: customer stock-outs, the
satisfaction survey, agreement terms, KPI targets, the CMO's commentary and agreed actions.

`make_review(...)` is pure like the rest of the generator: frames in, frames out, the same seed
gives the same records. Users are named by username; tower.demo.services creates them and
writes every record through the scorecard services (stock-outs through the import pipeline).

The records follow the order lines:
- Stock-outs: per client, some start 5 to 40 days after a line of the product that failed late
  with an approved CMO-attributable root cause (so the attribution of kpis.md 5 finds it: the
  line is due 1 to 60 days before); others have no such line within the look-back - after a
  failure the client caused, or with no failure at all. A few still last at the end date. Two are
  reported by a client user on the web, the rest are imported.
- Survey ratings follow the client's OTIF in the quarter (a bad quarter gets low marks).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import polars as pl

from tower.demo import days as cal
from tower.demo.catalogue import (
    AGREED_ACTIONS,
    CLIENTS,
    KPI_COMMENTS,
    KPI_TARGETS,
    PENALTY_TERMS,
    RESPONDENTS,
    STOCK_OUT_AGREEMENT_LOOKBACK,
    STOCK_OUT_NOTES,
    SURVEY_COMMENTS,
)
from tower.engine.periods import Period, quarter_of
from tower.engine.root_causes import AREA_BY_CODE, ATTRIBUTABLE_AREAS

TEXT, DATE, NUMBER, INT = pl.String(), pl.Date(), pl.Float64(), pl.Int64()
STOCK_OUT_SCHEMA = {
    "client": TEXT,
    "product": TEXT,
    "location": TEXT,
    "start_date": DATE,
    "end_date": DATE,
    "note": TEXT,
    "source": TEXT,  # "imported" or "reported"; not a column of the import file
}
QUESTIONS = ("delivery_reliability", "communication", "quality", "responsiveness", "overall")
SURVEY_SCHEMA = {
    "client": TEXT,
    "period": TEXT,
    "user": TEXT,
    **dict.fromkeys(QUESTIONS, INT),
    "comment": TEXT,
}
LINE_KEY = ["client", "order", "line"]
LOOKBACK = STOCK_OUT_AGREEMENT_LOOKBACK
# Clients whose demo sign-ins exist (tower.demo.services): they answer surveys and report.
SIGNED_IN = tuple(c.code for c in CLIENTS[:2])


@dataclass
class Review:
    stock_outs: pl.DataFrame
    surveys: pl.DataFrame
    agreements: pl.DataFrame  # client, oos_lookback_days, currency
    penalties: pl.DataFrame  # client, kind, rate, description
    targets: pl.DataFrame  # client, kpi, target, tolerance
    comments: pl.DataFrame  # client, period, kpi, text
    actions: pl.DataFrame  # client, period, kpi, title, owner, due_date, status


def last_complete_quarter(end: dt.date) -> Period:
    return quarter_of(end).shifted(-1)


def make_review(
    *,
    rows: pl.DataFrame,
    judged: pl.DataFrame,
    root_causes: pl.DataFrame,
    end: dt.date,
    seed: int,
) -> Review:
    """`judged`: the generator's reading of each line (generator.judge_lines)."""
    rng = np.random.default_rng([seed, 2])
    return Review(
        stock_outs=_stock_outs(rng, rows, judged, root_causes, end),
        surveys=_surveys(rng, judged, end),
        agreements=pl.DataFrame(
            {
                "client": [c.code for c in CLIENTS],
                "oos_lookback_days": [LOOKBACK] * len(CLIENTS),
                "currency": [c.currency for c in CLIENTS],
            }
        ),
        penalties=pl.DataFrame(
            [(c, *term) for c, terms in PENALTY_TERMS.items() for term in terms],
            schema={"client": TEXT, "kind": TEXT, "rate": NUMBER, "description": TEXT},
            orient="row",
        ),
        targets=pl.DataFrame(
            [(c, k, *v) for c, kpis in KPI_TARGETS.items() for k, v in kpis.items()],
            schema={"client": TEXT, "kpi": TEXT, "target": NUMBER, "tolerance": NUMBER},
            orient="row",
        ),
        comments=_comments(rng, end),
        actions=_actions(rng, end),
    )


# --- customer stock-outs ---------------------------------------------------------------------


def _stock_outs(rng, rows, judged, root_causes, end: dt.date) -> pl.DataFrame:
    end_day = cal.day(end)
    lines = rows.unique(LINE_KEY, keep="first", maintain_order=True).select(
        *LINE_KEY, "product", "ship_to", "first_committed_date"
    )
    causes = root_causes.filter(pl.col("status") == "approved").with_columns(
        cmo=pl.col("code").replace_strict(AREA_BY_CODE).is_in(list(ATTRIBUTABLE_AREAS)),
        client_caused=pl.col("code").replace_strict(AREA_BY_CODE) == "client",
    )
    failed = (
        judged.filter(pl.col("measured") & ~pl.col("otif"))
        .join(causes, on=LINE_KEY)
        .join(lines.drop("product"), on=LINE_KEY)
        .with_columns(
            due=pl.col("committed_date").cast(pl.Int32),
            first_due=pl.col("first_committed_date").cast(pl.Int32),
        )
    )
    # Every line that could make a stock-out CMO-caused, whatever the client's definition
    # (due on the committed or the first committed date).
    causing = failed.filter("cmo").select("client", "product", "due", "first_due")

    # CMO-caused: after a line clearly late under any of the demo definitions (3 days or more;
    # first committed no later and at most 15 days before committed, so that the line is within
    # the look-back on either date). Distinct products; one per client starts recently and lasts.
    clearly = failed.filter(
        pl.col("cmo")
        & (pl.col("days_late") >= 3)
        & (pl.col("due") - pl.col("first_due")).is_between(0, 15)
        & (pl.col("due") <= end_day - 10)
    )
    recent = clearly.filter(pl.col("due") >= end_day - 50)
    recent = _pick(rng, _one_per_product(rng, recent), 1)
    recent = recent.filter(pl.col("client").is_in([c.code for c in CLIENTS[::3]]))
    older = clearly.join(recent.select("client", "product"), on=["client", "product"], how="anti")
    older = _pick(rng, _one_per_product(rng, older), 3)
    caused = pl.concat([_after(rng, older, end_day), _after(rng, recent, end_day, lasting=True)])

    # Not CMO-caused: after a failure the client caused, and with no failure at all; never at
    # the same time and place as a CMO-caused one (one product per place here).
    theirs = failed.filter(pl.col("client_caused") & (pl.col("due") <= end_day - 10))
    theirs = _after(rng, _pick(rng, theirs, 2), end_day)
    anywhere = _anywhere(rng, rows, end_day, per_client=60)
    clear = _without_cause(pl.concat([theirs, anywhere]), causing).join(
        caused, on=["client", "product", "location"], how="anti"
    )
    clear = _pick(rng, _one_per_product(rng, clear), 3)

    events = pl.concat(
        [
            caused.with_columns(kind=pl.lit("cmo")),
            clear.with_columns(kind=pl.lit("other")),
        ]
    )
    notes = [
        STOCK_OUT_NOTES[kind][start % len(STOCK_OUT_NOTES[kind])]
        for kind, start in events.select("kind", "start").iter_rows()
    ]
    events = events.with_columns(
        note=pl.Series(notes, dtype=pl.String),
        start_date=pl.col("start").cast(pl.Date),
        end_date=pl.when(pl.col("stop") <= end_day).then(pl.col("stop").cast(pl.Date)),
    )
    # Two stock-outs are reported by the client on the web: the latest one not caused by the CMO
    # of the first client with demo sign-ins, the latest CMO-caused one of the second.
    wanted = {SIGNED_IN[0]: "other", SIGNED_IN[1]: "cmo"}
    reported = (
        events.filter(pl.col("kind") == pl.col("client").replace_strict(wanted, default=None))
        .sort("start")
        .group_by("client", maintain_order=True)
        .last()
        .select("client", "product", "start", reported=pl.lit(True))
    )
    return (
        events.join(reported, on=["client", "product", "start"], how="left")
        .with_columns(
            source=pl.when(pl.col("reported"))
            .then(pl.lit("reported"))
            .otherwise(pl.lit("imported"))
        )
        .unique(["client", "product", "location", "start_date"], keep="first", maintain_order=True)
        .sort("client", "start_date", "product")
        .select(list(STOCK_OUT_SCHEMA))
        .cast(STOCK_OUT_SCHEMA)
    )


def _one_per_product(rng, frame: pl.DataFrame) -> pl.DataFrame:
    """One row of each product, at random."""
    return (
        frame.with_columns(_r=pl.Series(rng.random(frame.height)))
        .sort("_r")
        .unique(["client", "product"], keep="first", maintain_order=True)
        .drop("_r")
    )


def _pick(rng, frame: pl.DataFrame, per_client: int) -> pl.DataFrame:
    """Up to `per_client` rows of each client, at random."""
    return (
        frame.with_columns(_r=pl.Series(rng.random(frame.height)))
        .sort("client", "_r")
        .filter(pl.int_range(pl.len()).over("client") < per_client)
        .drop("_r")
    )


def _after(rng, lines: pl.DataFrame, end_day: int, *, lasting: bool = False) -> pl.DataFrame:
    """A stock-out of each line's product at its ship-to, starting 5 to 40 days after it was due
    (never after the day before the end) and lasting 4 to 35 days, or past the end."""
    n = lines.height
    start = np.minimum(lines["due"].to_numpy() + rng.integers(5, 41, n), end_day - 1)
    stop = np.where(lasting, end_day + 1, start + rng.integers(4, 36, n))
    return lines.select(
        "client",
        "product",
        pl.col("ship_to").alias("location"),
        start=pl.Series(start, dtype=pl.Int32),
        stop=pl.Series(stop, dtype=pl.Int32),
    )


def _anywhere(rng, rows: pl.DataFrame, end_day: int, *, per_client: int) -> pl.DataFrame:
    """Candidate stock-outs of random products and ship-tos of each client at random dates."""
    used = rows.select("client", "product", "ship_to").unique().sort("client", "product", "ship_to")
    first = cal.day(rows["committed_date"].min())
    picks = []
    for client in sorted(used["client"].unique()):
        mine = used.filter(pl.col("client") == client)
        pick = rng.integers(0, mine.height, per_client)
        start = rng.integers(first + LOOKBACK + 10, end_day - 5, per_client)
        picks.append(
            mine[pick].select(
                "client",
                "product",
                pl.col("ship_to").alias("location"),
                start=pl.Series(start, dtype=pl.Int32),
                stop=pl.Series(start + rng.integers(4, 36, per_client), dtype=pl.Int32),
            )
        )
    return pl.concat(picks)


def _without_cause(events: pl.DataFrame, causing: pl.DataFrame) -> pl.DataFrame:
    """The events with no causing line of their product due within the look-back (by either
    date, with a day to spare on each side)."""
    window = (pl.col("start") - pl.col("day")).is_between(0, LOOKBACK + 1)
    hits = (
        events.join(
            causing.unpivot(index=["client", "product"], value_name="day").drop("variable"),
            on=["client", "product"],
        )
        .filter(window)
        .select("client", "product", "start")
    )
    return events.join(hits, on=["client", "product", "start"], how="anti")


# --- the survey -----------------------------------------------------------------------------


def _surveys(rng, judged: pl.DataFrame, end: dt.date) -> pl.DataFrame:
    """For the last 4 to 6 complete quarters of each client, 1 to 3 of its users rate the CMO;
    the ratings follow the client's OTIF in the quarter."""
    last = last_complete_quarter(end)
    otif = (
        judged.filter("measured")
        .group_by(
            "client",
            pl.col("committed_date").dt.quarter().alias("q"),
            pl.col("committed_date").dt.year().alias("y"),
        )
        .agg(pl.col("otif").mean())
    )
    share = {(c, y, q): v for c, q, y, v in otif.select("client", "q", "y", "otif").iter_rows()}
    records = []
    for index, client in enumerate(CLIENTS):
        users = RESPONDENTS["signed-in" if client.code in SIGNED_IN else "others"]
        for back in range(4 + index % 3):
            period = last.shifted(-back)
            quarter = (period.start.month - 1) // 3 + 1
            value = share.get((client.code, period.start.year, quarter))
            if value is None:
                continue
            # 95 % OTIF or better rates about 4.5, 85 % about 3, 75 % about 1.5.
            mood = float(np.clip(3.0 + (value - 0.85) * 15, 1.2, 4.8))
            answering = rng.random(len(users)) < 0.7
            answering[rng.integers(0, len(users))] = True
            for user, answers in zip(users, answering, strict=True):
                if not answers:
                    continue
                person = mood + rng.normal(0, 0.4)
                offsets = {
                    "delivery_reliability": -0.2,
                    "communication": 0.3,
                    "quality": 0.5,
                    "responsiveness": 0.1,
                }
                ratings = {
                    q: int(np.clip(round(person + o + rng.normal(0, 0.5)), 1, 5))
                    for q, o in offsets.items()
                }
                ratings["overall"] = int(np.clip(round(np.mean(list(ratings.values()))), 1, 5))
                band = "low" if person < 2.75 else "mid" if person < 3.75 else "high"
                texts = SURVEY_COMMENTS[band]
                records.append(
                    (
                        client.code,
                        period.key,
                        f"{client.code.lower()}-{user}",
                        *(ratings[q] for q in QUESTIONS),
                        texts[int(rng.integers(0, len(texts)))],
                    )
                )
    return pl.DataFrame(records, schema=SURVEY_SCHEMA, orient="row")


# --- the CMO's commentary and agreed actions ---------------------------------------------------


def _comments(rng, end: dt.date) -> pl.DataFrame:
    """Commentary on 2 or 3 KPIs of each client's last complete quarter."""
    period = last_complete_quarter(end).key
    kpis = list(KPI_COMMENTS)
    records = []
    for client in CLIENTS:
        for kpi in rng.choice(kpis, size=int(rng.integers(2, 4)), replace=False):
            texts = KPI_COMMENTS[str(kpi)]
            records.append((client.code, period, str(kpi), texts[int(rng.integers(0, len(texts)))]))
    return pl.DataFrame(
        records, schema={"client": TEXT, "period": TEXT, "kpi": TEXT, "text": TEXT}, orient="row"
    )


def _actions(rng, end: dt.date) -> pl.DataFrame:
    """2 to 4 actions per client: the first agreed in the quarter before the last one and done
    by now, the others agreed in the last review and open."""
    last = last_complete_quarter(end)
    records = []
    for client in CLIENTS:
        chosen = rng.choice(len(AGREED_ACTIONS), size=int(rng.integers(2, 5)), replace=False)
        for position, index in enumerate(chosen):
            title, owner, kpi, days = AGREED_ACTIONS[index]
            period = last.shifted(-1) if position == 0 else last
            review_day = period.end + dt.timedelta(days=14)
            records.append(
                (
                    client.code,
                    period.key,
                    kpi,
                    title,
                    owner,
                    review_day + dt.timedelta(days=days),
                    "done" if position == 0 else "open",
                )
            )
    return pl.DataFrame(
        records,
        schema={
            "client": TEXT,
            "period": TEXT,
            "kpi": TEXT,
            "title": TEXT,
            "owner": TEXT,
            "due_date": DATE,
            "status": TEXT,
        },
        orient="row",
    )
