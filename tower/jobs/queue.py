"""The job queue's SQLite file, opened on first use.

Huey's SQLite storage connects and creates its tables as soon as Django loads the app, so any
command (even one that only reads, in a folder without a database) would create the data
folder and a queue file there. This storage makes the folder and the tables when the queue is
first used: by `tower worker`, or when a job is submitted.
"""

from pathlib import Path

from huey import SqliteHuey
from huey.storage import SqliteStorage


class LazySqliteStorage(SqliteStorage):
    def __init__(self, *args, **kwargs):
        kwargs["create_tables"] = False  # made in _create_connection, on first use
        super().__init__(*args, **kwargs)

    def _create_connection(self):
        Path(self.filename).parent.mkdir(parents=True, exist_ok=True)
        connection = super()._create_connection()
        for statement in self.ddl:  # every statement is "if (not) exists": safe on each connect
            connection.execute(statement)
        return connection


class LazySqliteHuey(SqliteHuey):
    storage_class = LazySqliteStorage
