"""Importing files into the database: one pipeline, and the kinds that go through it.

tower.ingest reads and validates files without Django; this package stores what it returns:
- pipeline: the one import sequence every kind goes through (read, validate, resolve, reject
  with a log, then lock, create master data, compare, write, refresh and log in one
  transaction), and the hooks a kind declares (ImportKind);
- records: the declared record kinds (RecordKind over tower.ingest.specs): resolve, compare,
  write;
- kinds: batches, deviations, CAPAs, plan weeks, stock-outs and stock, and their import
  functions;
- lines: order lines as a kind (LineKind): deliveries and orders as well, master data from each
  line's first row, planned batches, outcomes recomputed from the compared frames;
- report: reading the file, the ImportReport every import returns, the ImportLog row it writes;
- references: client, site and product codes (created with --create-missing) and references
  to stored rows (a deviation's batch, a CAPA's deviation, a functional area) as ids;
- command: the management command behind every `tower import KIND`;
- refresh: what depends on the imported data, refreshed after every import (one explicit call);
- models: ImportLog, one row per import attempt, with its client.
"""
