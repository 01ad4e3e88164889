"""Version 7: search keys by Unicode case folding (models.keys). Every `*_key` column but the
audit log's is recomputed from its source with `fold`, and PostgreSQL gets the `desk_fold` function that
folds the same way inside SQL. The audit log's keys stay as written: they are covered by
each record's content hash (and the log is append-only), and the keys it already holds were
case-folded, so only compatibility forms (NFKC) can differ in them."""

import peewee

from models.base import quote_name
from models.keys import fold, install_fold_function

# (table, key column, source column)
_KEYS = (
    ("user", "upn_key", "user_principal_name"),
    ("user", "display_name_key", "display_name"),
    ("user", "mail_key", "mail"),
    ("group", "display_name_key", "display_name"),
    ("access_package", "display_name_key", "display_name"),
)


def upgrade(database) -> None:
    if isinstance(database.obj, peewee.PostgresqlDatabase):
        install_fold_function(database.obj)
    mark = database.obj.param
    for table, key, source in _KEYS:
        rows = database.execute_sql(
            f"SELECT DISTINCT {quote_name(source)}, {quote_name(key)} FROM {quote_name(table)}"
        ).fetchall()
        for text, stored in rows:
            if text is not None and fold(text) != stored:
                database.execute_sql(
                    f"UPDATE {quote_name(table)} SET {quote_name(key)} = {mark} WHERE {quote_name(source)} = {mark}",
                    (fold(text), text),
                )
