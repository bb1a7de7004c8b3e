"""The codes a file names (client, site, product, batch, deviation, functional area) as ids.

Resolution is set-based: each table is read once for the file's clients and joined in Polars.
Every unknown code is a row error naming the row it came from; nothing is created or written
here except by `MasterData.create`, which the importer calls inside its transaction.

Tenancy: a client the principal may not see reads exactly like one that does not exist, and
--create-missing never creates a client code that exists out of the principal's sight.
"""

from __future__ import annotations

import re

import polars as pl
from django.db.models import Model

from tower.bulk import read_frame
from tower.ingest.errors import ROW, combine_errors, row_errors
from tower.masterdata.models import FunctionalArea, Product, Site
from tower.tenancy.locks import lock_clients, lock_master_data
from tower.tenancy.models import Client
from tower.tenancy.scoping import visible_clients

# tower.tenancy.models.Client.code is a slug of at most 40 characters.
_CLIENT_CODE = re.compile(r"^[-a-zA-Z0-9_]{1,40}$")


def _errors(frame: pl.DataFrame, bad: pl.Expr, label: str, value: str, reason: str) -> pl.DataFrame:
    """Row errors for `frame` (with a "row" column) where `bad` holds."""
    return row_errors(frame.rename({"row": ROW}), bad, label, pl.col(value), reason)


class MasterData:
    """Resolves the client, site and product codes of the records; knows what it may create.

    `records` has a "row" column (the source row reported in errors), "client", and "site",
    "product" and "product_group" when the import has them. `labels` names the file's column of
    each field in error reports.
    """

    def __init__(
        self,
        records: pl.DataFrame,
        *,
        principal,
        create_missing: bool,
        labels: dict[str, str] | None = None,
    ):
        self.records = records
        self.create_missing = create_missing
        self.labels = labels or {}
        codes = records["client"].drop_nulls().unique().sort().to_list()
        self.visible = {c.code: c for c in visible_clients(principal).filter(code__in=codes)}
        self.missing_clients = [c for c in codes if c not in self.visible]
        # Client codes are unique whatever their case (tower client add): "acme" is not a new
        # client when ACME exists, in sight or not.
        taken = {code.lower(): code for code in Client.objects.values_list("code", flat=True)}
        self.taken = {c: taken[c.lower()] for c in self.missing_clients if c.lower() in taken}
        self.new_clients = [c for c in self.missing_clients if c not in self.taken]
        # Only a code in sight may be named as the one meant; another reads as unknown.
        in_sight = set(
            visible_clients(principal)
            .filter(code__in=list(self.taken.values()))
            .values_list("code", flat=True)
        )
        self.other_case = {c: code for c, code in self.taken.items() if code in in_sight}
        # Clients whose records can be stored: those in sight, and new ones --create-missing adds.
        self.usable = list(self.visible) + (self.new_clients if create_missing else [])
        self.sites = dict(Site.objects.values_list("code", "id"))
        self.products = {
            (client, code): pk
            for client, code, pk in Product.objects.filter(client__code__in=list(self.visible))
            .values_list("client__code", "code", "id")
            .order_by()
        }
        self.missing_sites: list[str] = []
        if "site" in records.columns:
            sites = records["site"].drop_nulls().unique().sort().to_list()
            self.missing_sites = [s for s in sites if s not in self.sites]
        self.missing_products = pl.DataFrame(schema={"client": pl.String, "product": pl.String})
        if "product" in records.columns:
            known = pl.DataFrame(
                list(self.products),
                schema={"client": pl.String, "product": pl.String},
                orient="row",
            )
            group = ["product_group"] if "product_group" in records.columns else []
            # Of a client out of reach nothing more is said (nor created).
            self.missing_products = (
                records.filter(
                    pl.col("client").is_not_null()
                    & ~pl.col("client").is_in(list(self.taken))
                    & pl.col("product").is_not_null()
                )
                .select("client", "product", *group)
                .unique(["client", "product"], keep="first", maintain_order=True)
                .join(known, on=["client", "product"], how="anti")
            )
        self.errors = self._errors()

    def _label(self, field: str) -> str:
        return self.labels.get(field, field)

    def _errors(self) -> pl.DataFrame:
        records, col = self.records, pl.col
        problems = [
            _errors(
                records,
                col("client").is_in([c for c in self.taken if c not in self.other_case]),
                self._label("client"),
                "client",
                "unknown client (or no access to it)",
            ),
            *(
                _errors(
                    records,
                    col("client") == c,
                    self._label("client"),
                    "client",
                    f"unknown client: client codes are case-sensitive; did you mean {code}?",
                )
                for c, code in self.other_case.items()
            ),
        ]
        if not self.create_missing:
            problems.append(
                _errors(
                    records,
                    col("client").is_in(self.new_clients),
                    self._label("client"),
                    "client",
                    "unknown client: create it with `tower client add` or pass --create-missing",
                )
            )
            if self.missing_sites:
                problems.append(
                    _errors(
                        records,
                        col("site").is_in(self.missing_sites),
                        self._label("site"),
                        "site",
                        "unknown site: pass --create-missing to create it",
                    )
                )
            if self.missing_products.height:
                unknown = records.join(
                    self.missing_products.select("client", "product"), on=["client", "product"]
                )
                problems.append(
                    _errors(
                        unknown,
                        pl.lit(True),
                        self._label("product"),
                        "product",
                        "unknown product for this client: pass --create-missing to create it",
                    )
                )
        else:
            invalid = [c for c in self.new_clients if not _CLIENT_CODE.match(c)]
            problems.append(
                _errors(
                    records,
                    col("client").is_in(invalid),
                    self._label("client"),
                    "client",
                    "cannot create this client: a client code holds at most 40 letters, digits, "
                    "- and _",
                )
            )
        return combine_errors(problems)

    def to_create(self) -> dict[str, list[str]]:
        if not self.create_missing:
            return {}
        return {
            "clients": self.new_clients,
            "sites": self.missing_sites,
            "products": [
                f"{c}/{p}" for c, p in self.missing_products.select("client", "product").iter_rows()
            ],
        }

    def lock(self) -> None:
        """Take the write locks of the file's clients (tower.tenancy.locks), and of master data
        when sites may be created; call first thing inside the import's transaction, before
        comparing with the database."""
        if self.create_missing and self.missing_sites:
            lock_master_data()
        lock_clients(self.usable)

    def create(self) -> None:
        """Create what --create-missing allows; call inside the import's transaction, after
        `lock`. Another import may have created some of it while this one waited for the locks:
        what exists by now is used, not created twice."""
        if not self.create_missing:
            return
        clients = {c.code: c for c in Client.objects.filter(code__in=self.new_clients)}
        for code in self.new_clients:
            self.visible[code] = clients.get(code) or Client.objects.create(code=code, name=code)
        sites = dict(Site.objects.filter(code__in=self.missing_sites).values_list("code", "id"))
        for code in self.missing_sites:
            self.sites[code] = sites.get(code) or Site.objects.create(code=code, name=code).pk
        groups = "product_group" in self.missing_products.columns
        wanted = self.missing_products.select("client", "product").unique()
        existing = {
            (client, code): pk
            for client, code, pk in Product.objects.filter(
                client__code__in=wanted["client"].to_list(), code__in=wanted["product"].to_list()
            ).values_list("client__code", "code", "id")
        }
        self.products.update(existing)
        new = [
            Product(
                client=self.visible[row["client"]],
                code=row["product"],
                name=row["product"],
                product_group=(row["product_group"] or "") if groups else "",
            )
            for row in self.missing_products.iter_rows(named=True)
            if (row["client"], row["product"]) not in existing
        ]
        for product in Product.objects.bulk_create(new):
            self.products[(product.client.code, product.code)] = product.pk

    def ids(self) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
        """(client, client_id), (site, site_id) and (client, product, product_id) frames."""
        clients = pl.DataFrame(
            [(code, c.pk) for code, c in self.visible.items()],
            schema={"client": pl.String, "client_id": pl.Int64},
            orient="row",
        )
        sites = pl.DataFrame(
            list(self.sites.items()), schema={"site": pl.String, "site_id": pl.Int64}, orient="row"
        )
        products = pl.DataFrame(
            [(c, p, pk) for (c, p), pk in self.products.items()],
            schema={"client": pl.String, "product": pl.String, "product_id": pl.Int64},
            orient="row",
        )
        return clients, sites, products

    def with_ids(self, records: pl.DataFrame) -> pl.DataFrame:
        """`records` with client_id, and site_id and product_id when it has those columns."""
        clients, sites, products = self.ids()
        out = records.join(clients, on="client", how="left")
        if "site" in records.columns:
            out = out.join(sites, on="site", how="left")
        if "product" in records.columns:
            out = out.join(products, on=["client", "product"], how="left")
        return out

    def clients(self, client_ids) -> list[Client]:
        ids = set(client_ids)
        return [c for c in self.visible.values() if c.pk in ids]


def resolve_numbers(
    records: pl.DataFrame,
    field: str,
    model: type[Model],
    *,
    label: str,
    reason: str,
    clients: list[str],
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """`records` with "<field>_id": the stored `model` row of the same client whose number is
    in `field` (a batch, a deviation); and the errors of rows naming a number not stored.

    `clients` are the codes whose records can be stored (MasterData.usable): the rows of other
    clients already have a client error. Only rows in the database count, also with
    --create-missing: a deviation cannot be raised against a batch nobody has imported.
    """
    stored = pl.DataFrame(
        list(
            model.objects.filter(client__code__in=clients)
            .values_list("client__code", "number", "id")
            .order_by()
        ),
        schema={"client": pl.String, field: pl.String, f"{field}_id": pl.Int64},
        orient="row",
    )
    out = records.join(stored, on=["client", field], how="left")
    unknown = (
        pl.col(field).is_not_null()
        & pl.col(f"{field}_id").is_null()
        & pl.col("client").is_in(clients)
    )
    return out, _errors(out, unknown, label, field, reason)


def resolve_areas(records: pl.DataFrame, *, label: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """`records` with "area_id": the functional area named by its code or its name, in any
    case (manufacturing, Manufacturing); and the errors of rows naming no area."""
    areas = list(FunctionalArea.objects.values_list("code", "name").order_by("code"))
    spellings = {code.lower(): code for code, _ in areas} | {
        name.lower(): code for code, name in areas
    }
    out = records.with_columns(
        pl.col("area")
        .str.to_lowercase()
        .replace_strict(spellings, default=None, return_dtype=pl.String)
        .alias("area_id")
    )
    listed = ", ".join(code for code, _ in areas)
    unknown = pl.col("area").is_not_null() & pl.col("area_id").is_null()
    reason = f"unknown functional area: use one of {listed} (or its name)"
    return out, _errors(out, unknown, label, "area", reason)


def read_for_clients(
    sql: str, client_ids: list[int], *, schema: dict[str, pl.DataType]
) -> pl.DataFrame:
    """Stored rows of the given clients: `sql` says where with "client_id IN ({clients})".

    No clients (a file of headers only) reads nothing: PostgreSQL refuses an empty IN list.
    """
    if not client_ids:
        return pl.DataFrame(schema=schema)
    marks = ", ".join(["%s"] * len(client_ids))
    return read_frame(sql.format(clients=marks), client_ids, schema=schema)
