"""Version 10: a user's userPrincipalName is optional, as Graph gives it (`$select`, delta and
member-cast answers, some guests). Until now the importer stored the user's id there, a value
that is not a UPN; those become NULL and readers show the best name there is.

SQLite cannot drop a NOT NULL in place: the table is rebuilt (create, copy, drop, rename,
indexes again) with foreign key enforcement off, so that dropping the old table cascades into
no other table, and the foreign keys are checked before the transaction commits.
"""

import re

from models.errors import DatabaseOpenError

TABLE = "user"
OPTIONAL_COLUMNS = ("user_principal_name", "upn_key")
REBUILT = "user__v0010"


def upgrade(database) -> None:
    if database.obj.__class__.__name__.startswith("Postgres"):
        for column in OPTIONAL_COLUMNS:
            database.execute_sql(f'ALTER TABLE "{TABLE}" ALTER COLUMN "{column}" DROP NOT NULL')
    else:
        _rebuild_sqlite(database)
    database.execute_sql(
        f'UPDATE "{TABLE}" SET "user_principal_name" = NULL, "upn_key" = NULL WHERE "user_principal_name" = "id"'
    )


# models.database.migrate turns foreign key enforcement off around this step on SQLite.
upgrade.rebuilds_sqlite_tables = True


def _rebuild_sqlite(database) -> None:
    if database.execute_sql("PRAGMA foreign_keys").fetchone()[0]:
        raise DatabaseOpenError("Schema version 10 rebuilds the user table and needs foreign keys off.")
    (create,) = database.execute_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (TABLE,)
    ).fetchone()
    for column in OPTIONAL_COLUMNS:
        create, found = re.subn(rf'("{column}" VARCHAR\(\d+\)) NOT NULL', r"\1", create)
        if found != 1:
            raise DatabaseOpenError(f"The user table's column {column} is not as schema version 9 made it.")
    create, found = re.subn(rf'^CREATE TABLE "{TABLE}"', f'CREATE TABLE "{REBUILT}"', create)
    if found != 1:
        raise DatabaseOpenError("The user table's definition is not as schema version 9 made it.")
    dependents = [
        sql
        for (sql,) in database.execute_sql(
            "SELECT sql FROM sqlite_master WHERE tbl_name = ? AND type IN ('index', 'trigger') AND sql IS NOT NULL",
            (TABLE,),
        )
    ]
    columns = ", ".join(f'"{row[1]}"' for row in database.execute_sql(f'PRAGMA table_info("{TABLE}")'))
    database.execute_sql(create)
    database.execute_sql(f'INSERT INTO "{REBUILT}" ({columns}) SELECT {columns} FROM "{TABLE}"')
    database.execute_sql(f'DROP TABLE "{TABLE}"')
    database.execute_sql(f'ALTER TABLE "{REBUILT}" RENAME TO "{TABLE}"')
    for sql in dependents:
        database.execute_sql(sql)
    broken = database.execute_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        raise DatabaseOpenError(f"Rebuilding the user table broke {len(broken)} foreign key(s), first {broken[0]}.")
