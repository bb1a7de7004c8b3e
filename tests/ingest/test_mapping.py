"""Mappings: TOML files, built-in profiles, the default mapping, and their error messages."""

from __future__ import annotations

import pytest

from tower.ingest import (
    FIELDS,
    ImportFileError,
    Mapping,
    available_profiles,
    default_mapping,
    load_mapping,
    load_profile,
)
from tower.ingest.specs import BATCHES, PLAN


@pytest.fixture
def toml_file(tmp_path):
    def write(text: str):
        path = tmp_path / "acme.toml"
        path.write_text(text, encoding="utf-8")
        return path

    return write


def test_load_mapping(toml_file):
    path = toml_file(
        """
        [columns]
        order = " PO Number "
        product = "Material"
        ordered_qty = "Qty"
        delivered_qty = "Qty"
        committed_date = "Confirmed"

        [file]
        sheet = "Lines"
        date_format = "%d.%m.%Y"
        delimiter = ";"
        encoding = "cp1252"
        """
    )
    assert load_mapping(path) == Mapping(
        columns={
            "order": "PO Number",
            "product": "Material",
            "ordered_qty": "Qty",
            "committed_date": "Confirmed",
            "delivered_qty": "Qty",
        },
        sheet="Lines",
        date_format="%d.%m.%Y",
        delimiter=";",
        encoding="cp1252",
        name="acme",
    )


def test_tab_delimiter(toml_file):
    path = toml_file('[columns]\norder = "PO"\n[file]\ndelimiter = "\\t"\n')
    assert load_mapping(path).delimiter == "\t"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '[columns]\norder = "PO"\nqty = "Q"\n',
            "unknown fields in \\[columns\\]: qty; valid: client, order",
        ),
        (
            '[columns]\norder = "PO"\n[file]\nsheets = "S"\n',
            "unknown keys in \\[file\\]: sheets; valid: sheet, date_format, delimiter, encoding",
        ),
        ('[columns]\norder = "PO"\n[extra]\na = 1\n', "unknown top-level entries: extra"),
        ('[columns\norder = "PO"\n', "is not valid TOML"),
        ('[file]\nsheet = "S"\n', "needs a \\[columns\\] table"),
        ("[columns]\norder = 3\n", "order must be a non-empty text"),
        ('[columns]\norder = ""\n', "order must be a non-empty text"),
        ('[columns]\norder = "PO"\n[file]\ndelimiter = ";;"\n', "delimiter must be one character"),
        ('[columns]\norder = "PO"\n[file]\nencoding = "klingon"\n', 'unknown encoding "klingon"'),
        (
            '[columns]\norder = "PO"\n[file]\ndate_format = "%d/%m"\n',
            "date_format: .* must give a day, a month and a year",
        ),
    ],
)
def test_mapping_errors_say_what_is_wrong(toml_file, text, message):
    with pytest.raises(ImportFileError, match=message):
        load_mapping(toml_file(text))


def test_unknown_field_message_lists_every_field(toml_file):
    with pytest.raises(ImportFileError) as caught:
        load_mapping(toml_file('[columns]\nqty = "Q"\n'))
    assert ", ".join(FIELDS) in str(caught.value)


def test_unreadable_mapping_file(tmp_path):
    with pytest.raises(ImportFileError, match="cannot read the mapping file"):
        load_mapping(tmp_path / "missing.toml")


def test_scms_profile():
    assert "scms" in available_profiles()
    mapping = load_profile("scms")
    assert mapping.name == "scms"
    assert mapping.sheet == "SCMS Delivery History Dataset"
    assert "client" not in mapping.columns
    assert mapping.columns["order"] == "PO / SO #"
    assert mapping.columns["line"] == "ID"
    assert (
        mapping.columns["ordered_qty"] == mapping.columns["delivered_qty"] == "Line Item Quantity"
    )
    assert mapping.columns["requested_date"] == mapping.columns["committed_date"]
    assert mapping.columns["committed_date"] == "Scheduled Delivery Date"
    assert mapping.columns["delivered_date"] == "Delivered to Client Date"
    assert mapping.columns["delivery_id"] == "ASN/DN #"
    assert mapping.date_format is None


@pytest.mark.parametrize("name", ["nope", "../scms", "scms.toml"])
def test_unknown_profile_lists_the_available_ones(name):
    with pytest.raises(
        ImportFileError, match=f'unknown import profile "{name}"; available: .*scms'
    ):
        load_profile(name)


def test_default_mapping_matches_field_names_loosely():
    headers = ["Order", "LINE", "product", "Ordered Qty", "committed-date", "Notes", "ship to"]
    assert default_mapping(headers).columns == {
        "order": "Order",
        "line": "LINE",
        "product": "product",
        "ship_to": "ship to",
        "ordered_qty": "Ordered Qty",
        "committed_date": "committed-date",
    }


def test_default_mapping_never_picks_between_two_candidates():
    with pytest.raises(ImportFileError, match="order: Order, order"):
        default_mapping(["Order", "order", "product"])


def test_a_mapping_is_checked_against_the_fields_of_its_kind(toml_file):
    path = toml_file('[columns]\nbatch = "Lot"\norder = "PO"\n')
    with pytest.raises(
        ImportFileError, match="unknown fields in \\[columns\\]: order; valid: client, batch"
    ):
        load_mapping(path, fields=BATCHES.names)
    mapping = load_mapping(toml_file('[columns]\nbatch = "Lot"\n'), fields=BATCHES.names)
    assert mapping.columns == {"batch": "Lot"}
    with pytest.raises(
        ImportFileError, match='e.g. batch = "Header in the file"; fields: client, batch'
    ):
        load_mapping(toml_file('[file]\nsheet = "S"\n'), fields=BATCHES.names)


def test_default_mapping_of_a_record_kind():
    headers = ["Client", "Week", "Planned Qty", "product", "Site", "order"]
    assert default_mapping(headers, PLAN.names).columns == {
        "client": "Client",
        "product": "product",
        "site": "Site",
        "week": "Week",
        "planned_qty": "Planned Qty",
    }
