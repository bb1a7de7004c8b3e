"""Importing files into the database: what every import shares, and the record imports.

tower.ingest reads and validates files without Django; this package stores what it returns:
- report: reading the file, the ImportReport every import returns, the ImportLog row it writes;
- references: client, site and product codes (created with --create-missing) and references
  to stored rows (a deviation's batch, a CAPA's deviation, a functional area) as ids;
- records: the one pipeline for every record kind (validate, resolve, compare, write);
- kinds: batches, deviations, CAPAs, plan weeks and stock-outs, and their import functions;
- command: the management command base shared with `tower import lines`;
- refresh: what depends on the imported data, refreshed after every import (one explicit call);
- models: ImportLog, one row per import attempt, with its client.

Order lines keep their own pipeline (tower.imports.lines.import_lines): one line has many
delivery rows and its outcomes are recomputed after writing.
"""
