"""The OTIF definition as data (kpis.md 1, "Definition parameters")."""

from __future__ import annotations

import dataclasses

import pytest

from tower.engine import DefinitionError, OtifDefinition


def test_defaults_are_those_of_the_spec():
    definition = OtifDefinition()
    assert definition.to_mapping() == {
        "basis": "committed",
        "measured_at": "delivery",
        "early_days": None,
        "late_days": 0,
        "under_pct": 0.0,
        "over_pct": None,
        "open_overdue": "fail",
        "exclusions": ["cancelled", "zero_quantity"],
    }


def test_empty_mapping_gives_the_defaults():
    assert OtifDefinition.from_mapping({}) == OtifDefinition()


def test_from_mapping_reads_every_parameter():
    definition = OtifDefinition.from_mapping(
        {
            "basis": "requested",
            "measured_at": "shipment",
            "early_days": 3,
            "late_days": 2,
            "under_pct": 5,
            "over_pct": 10.5,
            "open_overdue": "exclude",
            "exclusions": ["zero_quantity"],
        }
    )
    assert definition == OtifDefinition(
        basis="requested",
        measured_at="shipment",
        early_days=3,
        late_days=2,
        under_pct=5,
        over_pct=10.5,
        open_overdue="exclude",
        exclusions=("zero_quantity",),
    )


def test_mapping_round_trips():
    definition = OtifDefinition(basis="first_committed", early_days=1, over_pct=0.0)
    assert OtifDefinition.from_mapping(definition.to_mapping()) == definition


def test_exclusions_are_kept_as_a_sorted_set():
    definition = OtifDefinition.from_mapping(
        {"exclusions": ["zero_quantity", "cancelled", "zero_quantity"]}
    )
    assert definition.exclusions == ("cancelled", "zero_quantity")


def test_no_exclusions_is_allowed():
    assert OtifDefinition.from_mapping({"exclusions": []}).exclusions == ()


def test_definition_is_immutable_and_hashable():
    definition = OtifDefinition()
    with pytest.raises(dataclasses.FrozenInstanceError):
        definition.late_days = 3  # type: ignore[misc]
    assert hash(definition) == hash(OtifDefinition())


def test_unknown_key_is_rejected_and_named():
    # a typo must not silently fall back to a default
    with pytest.raises(DefinitionError, match="late_day"):
        OtifDefinition.from_mapping({"late_day": 2})


def test_definition_error_is_a_value_error():
    with pytest.raises(ValueError):
        OtifDefinition.from_mapping({"basis": "promised"})


@pytest.mark.parametrize(
    ("mapping", "named"),
    [
        ({"late_days": "2"}, "late_days"),
        ({"late_days": 1.5}, "late_days"),
        ({"late_days": True}, "late_days"),
        ({"early_days": 2.0}, "early_days"),
        ({"under_pct": "5"}, "under_pct"),
        ({"over_pct": "ten"}, "over_pct"),
        ({"under_pct": None}, "under_pct"),
        ({"late_days": None}, "late_days"),
        ({"exclusions": "cancelled"}, "exclusions"),
        ({"exclusions": [1]}, "exclusions"),
    ],
)
def test_wrong_type_is_rejected_and_named(mapping, named):
    with pytest.raises(DefinitionError, match=named):
        OtifDefinition.from_mapping(mapping)


@pytest.mark.parametrize(
    ("mapping", "named"),
    [
        ({"late_days": -1}, "late_days"),
        ({"early_days": -1}, "early_days"),
        ({"under_pct": -0.1}, "under_pct"),
        ({"under_pct": 100.1}, "under_pct"),
        ({"over_pct": -1}, "over_pct"),
    ],
)
def test_out_of_range_is_rejected_and_named(mapping, named):
    with pytest.raises(DefinitionError, match=named):
        OtifDefinition.from_mapping(mapping)


@pytest.mark.parametrize(
    "mapping",
    [
        {"under_pct": 0},
        {"under_pct": 100},
        {"late_days": 0},
        {"early_days": 0},
        {"over_pct": 0},
        {"over_pct": 250},
    ],
)
def test_range_limits_are_inclusive(mapping):
    OtifDefinition.from_mapping(mapping)  # does not raise


@pytest.mark.parametrize(
    ("mapping", "named"),
    [
        ({"basis": "promised"}, "basis"),
        ({"basis": "Committed"}, "basis"),
        ({"measured_at": "invoice"}, "measured_at"),
        ({"open_overdue": "ignore"}, "open_overdue"),
        ({"exclusions": ["cancelled", "closed"]}, "exclusions"),
    ],
)
def test_bad_choice_is_rejected_and_named(mapping, named):
    with pytest.raises(DefinitionError, match=named):
        OtifDefinition.from_mapping(mapping)


def test_constructor_validates_as_well():
    with pytest.raises(DefinitionError, match="late_days"):
        OtifDefinition(late_days=-2)


@pytest.mark.parametrize(
    ("basis", "chain"),
    [
        ("committed", ("committed", "first_committed", "requested")),
        ("first_committed", ("first_committed", "requested", "committed")),
        ("requested", ("requested", "first_committed", "committed")),
    ],
)
def test_due_chain_starts_at_the_basis_and_reaches_every_date(basis, chain):
    assert OtifDefinition(basis=basis).due_chain == chain
