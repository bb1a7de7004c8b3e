"""The OTIF definition: the parameters of kpis.md section 1, as data.

Every client agreement picks its own OTIF variant; a definition is a frozen value that the engine
evaluates with. Versions live in the database (performance.OtifDefinitionVersion); this module
only knows the parameters, their defaults and how to validate them.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

BASES = ("requested", "first_committed", "committed")
MEASURED_AT = ("delivery", "shipment")
OPEN_OVERDUE = ("fail", "exclude")
EXCLUSIONS = ("cancelled", "zero_quantity")
# Bounds of the tolerances: a year of grace (or of early delivery) and ten times the ordered
# quantity are beyond any agreement; beyond them a value is a typo (or 1e308), and day counts
# that large overflow the engine's date arithmetic.
MAX_DAYS = 365
MAX_OVER_PCT = 1000.0

# When the chosen due date is missing, fall back along this chain (kpis.md 1). The chain starts at
# the chosen basis and continues with the dates after it; `requested` continues with the others
# in chain order so that a line with any date at all gets a due date.
FALLBACK_CHAIN = ("committed", "first_committed", "requested")


class DefinitionError(ValueError):
    """A definition parameter is missing, unknown or out of range; the message says which."""


@dataclass(frozen=True)
class OtifDefinition:
    basis: str = "committed"
    measured_at: str = "delivery"
    early_days: int | None = None
    late_days: int = 0
    under_pct: float = 0.0
    over_pct: float | None = None
    open_overdue: str = "fail"
    exclusions: tuple[str, ...] = field(default=EXCLUSIONS)

    def __post_init__(self) -> None:
        _check_choice("basis", self.basis, BASES)
        _check_choice("measured_at", self.measured_at, MEASURED_AT)
        _check_choice("open_overdue", self.open_overdue, OPEN_OVERDUE)
        if self.early_days is not None:
            _check_number("early_days", self.early_days, integer=True, low=0, high=MAX_DAYS)
        _check_number("late_days", self.late_days, integer=True, low=0, high=MAX_DAYS)
        _check_number("under_pct", self.under_pct, low=0, high=100)
        if self.over_pct is not None:
            _check_number("over_pct", self.over_pct, low=0, high=MAX_OVER_PCT)
        if isinstance(self.exclusions, str) or not all(isinstance(e, str) for e in self.exclusions):
            raise DefinitionError('exclusions must be a list of names, e.g. ["cancelled"]')
        for name in self.exclusions:
            _check_choice("exclusions", name, EXCLUSIONS)
        object.__setattr__(self, "exclusions", tuple(sorted(set(self.exclusions))))

    @property
    def due_chain(self) -> tuple[str, ...]:
        """Due-date columns to try in order, the chosen basis first."""
        start = FALLBACK_CHAIN.index(self.basis)
        return FALLBACK_CHAIN[start:] + FALLBACK_CHAIN[:start][::-1]

    @classmethod
    def from_mapping(cls, values: dict[str, Any]) -> OtifDefinition:
        """Build from a TOML/JSON mapping whose keys are exactly the parameter names.

        Missing keys take their defaults; unknown keys are an error (a typo must not silently
        fall back to a default that changes the figures).
        """
        known = set(cls.__dataclass_fields__)
        unknown = sorted(set(values) - known)
        if unknown:
            raise DefinitionError(
                f"unknown parameter(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}"
            )
        values = dict(values)
        if "exclusions" in values and isinstance(values["exclusions"], list):
            values["exclusions"] = tuple(values["exclusions"])
        return cls(**values)

    def to_mapping(self) -> dict[str, Any]:
        data = asdict(self)
        data["exclusions"] = list(self.exclusions)
        return data


def _check_choice(name: str, value: Any, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise DefinitionError(f"{name} must be one of {', '.join(choices)}; got {value!r}")


def _check_number(name: str, value: Any, *, integer: bool = False, low=None, high=None) -> None:
    kinds = (int,) if integer else (int, float)
    # TOML spells inf and nan; nan compares false with every bound, so it is refused by name.
    if isinstance(value, bool) or not isinstance(value, kinds) or not math.isfinite(value):
        kind = "a whole number" if integer else "a finite number"
        raise DefinitionError(f"{name} must be {kind}; got {value!r}")
    if low is not None and value < low:
        raise DefinitionError(f"{name} must be at least {low}; got {value}")
    if high is not None and value > high:
        raise DefinitionError(f"{name} must be at most {high}; got {value}")
