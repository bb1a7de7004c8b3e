"""Which source column feeds which field, and how to read the file.

Every ERP exports its own headers; a mapping (a small TOML file, or a built-in profile) names
them once so that planners never rename columns by hand. Without a mapping, headers that already
spell a field name are used as they are.

The fields are those of one kind of import: order lines (FIELDS, the default) or a record kind
of tower.ingest.specs (its `fields`); a mapping naming a field the kind does not have is refused.
"""

from __future__ import annotations

import codecs
import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import polars as pl

from tower.ingest.dates import compile_date_format
from tower.ingest.errors import ROW, ImportFileError

# The order-line import's fields (tower.ingest.lines).
FIELDS = (
    "client",
    "order",
    "line",
    "product",
    "product_group",
    "site",
    "ship_to",
    "transport_mode",
    "ordered_qty",
    "unit",
    "line_value",
    "currency",
    "requested_date",
    "first_committed_date",
    "committed_date",
    "planned_ship_date",
    "planned_batch",
    "status",
    "shipped_date",
    "delivered_date",
    "delivered_qty",
    "delivery_id",
    "batch",
)

FILE_KEYS = ("sheet", "date_format", "delimiter", "encoding")
_TOP_LEVEL_KEYS = ("columns", "file", "name", "description")
PROFILES_DIR = Path(__file__).parent / "profiles"


@dataclass(frozen=True)
class Mapping:
    columns: dict[str, str] = field(default_factory=dict)  # field -> source header
    sheet: str | None = None
    date_format: str | None = None
    delimiter: str | None = None
    encoding: str | None = None
    name: str | None = None


def load_mapping(path: str | Path, *, fields: Sequence[str] = FIELDS) -> Mapping:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ImportFileError(f"cannot read the mapping file {path}: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise ImportFileError(f"the mapping file {path} is not UTF-8 text") from exc
    return parse_mapping(text, name=path.stem, source=str(path), fields=fields)


def parse_mapping(
    text: str, *, name: str | None = None, source: str = "mapping", fields: Sequence[str] = FIELDS
) -> Mapping:
    """A Mapping from TOML text for an import of `fields`; every mistake is reported with the
    valid choices."""
    fields = tuple(fields)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ImportFileError(f"{source} is not valid TOML: {exc}") from exc

    _reject_unknown(data, _TOP_LEVEL_KEYS, f"{source}: unknown top-level entries")
    columns = data.get("columns")
    if not isinstance(columns, dict) or not columns:
        example = next(f for f in fields if f != "client")
        raise ImportFileError(
            f'{source} needs a [columns] table, e.g. {example} = "Header in the file"; '
            f"fields: {', '.join(fields)}"
        )
    _reject_unknown(columns, fields, f"{source}: unknown fields in [columns]")
    file_opts = data.get("file", {})
    if not isinstance(file_opts, dict):
        raise ImportFileError(f"{source}: [file] must be a table with keys {', '.join(FILE_KEYS)}")
    _reject_unknown(file_opts, FILE_KEYS, f"{source}: unknown keys in [file]")

    for key, value in [*columns.items(), *file_opts.items()]:
        # A tab is a valid delimiter, so only headers must hold more than whitespace.
        if not isinstance(value, str) or not (value.strip() if key in columns else value):
            raise ImportFileError(f"{source}: {key} must be a non-empty text in quotes")
    # Headers are compared after stripping, as the reader strips them.
    mapped = {f: columns[f].strip() for f in fields if f in columns}
    mapping = Mapping(
        columns=mapped,
        sheet=file_opts.get("sheet"),
        date_format=file_opts.get("date_format"),
        delimiter=file_opts.get("delimiter"),
        encoding=file_opts.get("encoding"),
        name=data.get("name") if isinstance(data.get("name"), str) else name,
    )
    _check_file_options(mapping, source)
    return mapping


def available_profiles() -> list[str]:
    return sorted(p.stem for p in PROFILES_DIR.glob("*.toml"))


def load_profile(name: str) -> Mapping:
    available = available_profiles()
    # Checking against the list also keeps a name such as "../x" from reaching the file system.
    if name not in available:
        raise ImportFileError(
            f'unknown import profile "{name}"; available: {", ".join(available) or "none"}'
        )
    return replace(load_mapping(PROFILES_DIR / f"{name}.toml"), name=name)


def normalise_header(header: str) -> str:
    return re.sub(r"[\s\-]+", "_", header.strip().lower())


def default_mapping(headers: Sequence[str], fields: Sequence[str] = FIELDS) -> Mapping:
    """Headers spelling a field name ("Ordered Qty", "ordered-qty") map to that field."""
    found: dict[str, list[str]] = {}
    for header in headers:
        key = normalise_header(header)
        if key in fields:
            found.setdefault(key, []).append(header)
    clashes = {f: hs for f, hs in found.items() if len(hs) > 1}
    if clashes:
        # Picking one of two candidate columns would be a guess; let the planner decide.
        detail = "; ".join(f"{f}: {', '.join(hs)}" for f, hs in clashes.items())
        raise ImportFileError(f"several columns could be the same field ({detail}): use a mapping")
    return Mapping(columns={f: found[f][0] for f in fields if f in found})


def check_columns(mapping: Mapping, table: pl.DataFrame, fields: Sequence[str]) -> None:
    """The mapping names only `fields`, and every header it names is in the file exactly once."""
    unknown = [f for f in mapping.columns if f not in fields]
    if unknown:
        raise ImportFileError(
            f"the mapping names fields this import does not have: {', '.join(unknown)}; "
            f"valid: {', '.join(fields)}"
        )
    headers = [c for c in table.columns if c != ROW]
    missing = [f'"{h}" ({f})' for f, h in mapping.columns.items() if h not in headers]
    if missing:
        listed = ", ".join(f'"{h}"' for h in headers)
        raise ImportFileError(
            f"the file has no column {', '.join(missing)}; its columns are: {listed}"
        )
    # The reader names a repeated header "name (2)": which of the two is meant is unknown.
    repeated = sorted({h for h in mapping.columns.values() if f"{h} (2)" in headers})
    if repeated:
        raise ImportFileError(
            f"the file has more than one column named {', '.join(repeated)}: rename the copies"
        )


def _reject_unknown(table: dict, valid: tuple[str, ...], message: str) -> None:
    unknown = [k for k in table if k not in valid]
    if unknown:
        raise ImportFileError(f"{message}: {', '.join(unknown)}; valid: {', '.join(valid)}")


def _check_file_options(mapping: Mapping, source: str) -> None:
    if mapping.delimiter is not None and len(mapping.delimiter) != 1:
        raise ImportFileError(
            f'{source}: delimiter must be one character, e.g. ";" or "\\t" (got "{mapping.delimiter}")'
        )
    if mapping.encoding is not None:
        try:
            codec = codecs.lookup(mapping.encoding)
        except LookupError:
            codec = None
        # base64, zlib, rot13 ... are codecs too, but not text encodings: bytes.decode refuses
        # them with a traceback, so they are as unknown here as a misspelt name.
        if codec is None or not getattr(codec, "_is_text_encoding", True):
            raise ImportFileError(
                f'{source}: unknown encoding "{mapping.encoding}"; e.g. utf-8, cp1252, latin-1'
            ) from None
    if mapping.date_format is not None:
        try:
            compile_date_format(mapping.date_format)
        except ValueError as exc:
            raise ImportFileError(f"{source}: date_format: {exc}") from None


def with_date_format(mapping: Mapping, date_format: str) -> Mapping:
    """The mapping with another date format (the CLI's --date-format), checked like the TOML's."""
    changed = replace(mapping, date_format=date_format)
    _check_file_options(changed, "--date-format")
    return changed
