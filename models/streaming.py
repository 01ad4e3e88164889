"""Reading a large SELECT a batch at a time, on either database.

SQLite's cursor steps through a result as it is read. psycopg's ordinary cursor fetches the
whole result into the client when the query runs: a million audit records would sit in
memory before the first row reaches an exporter. On PostgreSQL a query is therefore read
through a server-side cursor, a batch at a time, inside a transaction that ends with it.
"""

import uuid
from typing import Iterator

import peewee
from playhouse.postgres_ext import FetchManyCursor

from models.base import db

BATCH = 2000


def streamed(query, raw: bool = False) -> Iterator:
    """The rows of `query`: as `query.iterator()` gives them, or the driver's tuples when
    `raw` (for readers that convert their few typed columns themselves)."""
    if not isinstance(db.obj, peewee.PostgresqlDatabase):
        yield from (db.execute(query) if raw else query.iterator())
        return
    sql, params = query.sql()
    with db.atomic(), peewee.__exception_wrapper__:
        cursor = db.connection().cursor(name=f"stream_{uuid.uuid4().hex}")
        try:
            cursor.itersize = BATCH
            cursor.execute(sql, params)
            if raw:
                yield from cursor
            else:
                # peewee reads rows one fetchone() at a time; FetchManyCursor answers those
                # from batches, where a server-side cursor would make each a round trip.
                yield from query._get_cursor_wrapper(FetchManyCursor(cursor, BATCH)).iterator()
        finally:
            cursor.close()
