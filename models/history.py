"""History tables: every version of a tracked row, with the time it was valid.

Each tracked table `<table>` has a `<table>_history` with the same columns plus the version's
valid time (`valid_from`, `valid_to`; NULL while current) and where the change came from
(`change_kind`, `change_source`, `change_run`, `change_actor`). Database triggers write it, so
no code path that writes a tracked table (lifecycle, importer, sync, a hand-run UPDATE) can skip
it. An UPDATE that changes nothing writes nothing. A DELETE closes the current version and
leaves a zero-length tombstone (valid_from = valid_to), which no moment sees but the list of
changes does. A row inserted for the first time is valid from its own creation time (an
assignment's: its schedule start when Graph gave no creation time) when that is earlier (an import first sees an assignment made weeks before); later versions from the
time of their write.

The source, run, actor and business time of the current write come from the change context
(`models.change_context`); without one a write counts as source "database" at the database's
clock. Everything here is generated from the peewee models: after a migration adds a column to
a tracked table, `install_history(database, [Model])` adds it to the history and re-installs the
triggers.
"""

import functools

import peewee
from peewee import AutoField, CharField, CompositeKey, ForeignKeyField, IntegerField, Model, TextField

from models.assignments import Assignment, ResourceRoleAssignment
from models.base import GuidField, UtcDateTimeField, db, new_id
from models.catalog import AccessPackage, Catalog, Resource, ResourceRole, ResourceRoleScope
from models.directory import ConnectedOrganization, Group, GroupMember, User
from models.keys import SearchKeyField
from models.policy import ApprovalStage, ApprovalStageApprover, AssignmentPolicy, PolicyAllowedTarget
from models.requests import AssignmentRequest

# Every table a history report reads (reports 1-3, who could request what, and the list of
# changes). Catalogs and connected organizations joined in schema version 11.
TRACKED_MODELS = (
    User,
    ConnectedOrganization,
    Catalog,
    Group,
    GroupMember,
    AccessPackage,
    Resource,
    ResourceRole,
    ResourceRoleScope,
    AssignmentPolicy,
    PolicyAllowedTarget,
    ApprovalStage,
    ApprovalStageApprover,
    Assignment,
    AssignmentRequest,
    ResourceRoleAssignment,
)
# The indexes of a history, besides a row's key, that readers look versions up by: the foreign
# keys reports 1-3 and "Can request" filter on when read at a moment, the package name report 1
# over every package walks in order, and valid time where the list of changes reads a range. An
# assignment's valid time comes with its deleted marker: counting the assignments valid at a
# moment reads that index alone, not every version. (Schema version 11: the first three here.)
HISTORY_LOOKUPS = {
    GroupMember: (("member_id",),),
    AccessPackage: (("display_name_key",),),
    Assignment: (("access_package_id",), ("target_id",), ("valid_from", "valid_to", "deleted_date_time")),
    ResourceRoleAssignment: (("target_id",),),
    ResourceRoleScope: (("access_package_id",), ("valid_from",)),
    AssignmentPolicy: (("access_package_id",), ("valid_from",)),
}
HISTORY_COLUMNS = ("version", "valid_from", "valid_to", "change_kind", "change_source", "change_run", "change_actor")
# The source of a write made without a change context, and of the versions a migration backfilled.
UNKNOWN_SOURCE = "database"
BACKFILL_SOURCE = "backfill"
# PostgreSQL custom settings holding the change context of the current transaction.
SETTING_PREFIX = "entitlement_desk.change_"


class ChangeContext(Model):
    """SQLite's change context: at most one row, set inside a write transaction and deleted
    before it ends (SQLite has one writer at a time, so the row is that writer's)."""

    slot = IntegerField(primary_key=True, default=1)
    source = CharField(max_length=16)
    run = CharField(max_length=36, null=True)
    actor = CharField(max_length=36, null=True)
    at = UtcDateTimeField(null=True)

    class Meta:
        database = db
        table_name = "change_context"


class ChangeRun(Model):
    """One import or sync: the changes it made carry its id in `change_run`."""

    id = GuidField(primary_key=True, default=new_id)
    source = CharField(max_length=16)  # import | sync
    started_date_time = UtcDateTimeField(index=True)
    finished_date_time = UtcDateTimeField(null=True)
    description = TextField(null=True)

    class Meta:
        database = db
        table_name = "change_run"


def history_table(model) -> str:
    return f"{model._meta.table_name}_history"


def tracked_columns(model) -> list[str]:
    return [field.column_name for field in model._meta.sorted_fields]


def key_columns(model) -> list[str]:
    primary_key = model._meta.primary_key
    if isinstance(primary_key, CompositeKey):
        return [model._meta.fields[name].column_name for name in primary_key.field_names]
    return [primary_key.column_name]


def _copy(field) -> peewee.Field:
    """A nullable column of the same type as `field` (a foreign key: its target's type)."""
    source = field.rel_field if isinstance(field, ForeignKeyField) else field
    if isinstance(source, AutoField):
        return IntegerField(null=True, column_name=field.column_name)
    if isinstance(source, SearchKeyField):  # a copy, not a key the model fills
        return CharField(null=True, column_name=field.column_name, max_length=source.max_length)
    if isinstance(source, CharField):
        return type(source)(null=True, column_name=field.column_name, max_length=source.max_length)
    return type(source)(null=True, column_name=field.column_name)


@functools.cache
def history_model(model):
    """The peewee model of `model`'s history table."""
    attributes = {field.column_name: _copy(field) for field in model._meta.sorted_fields}
    attributes.update(
        version=AutoField(),
        valid_from=UtcDateTimeField(),
        valid_to=UtcDateTimeField(null=True),
        change_kind=CharField(max_length=8),  # insert | update | delete
        change_source=CharField(max_length=16),
        change_run=CharField(max_length=36, null=True),
        change_actor=CharField(max_length=36, null=True),
    )
    # Every tracked write writes each index, so there are only these: a row's versions (the
    # triggers close the current one through it) and the lookups of `HISTORY_LOOKUPS`.
    indexes = [(tuple(key_columns(model)) + ("valid_from",), False)]
    indexes += [(columns, False) for columns in HISTORY_LOOKUPS.get(model, ())]
    meta = type("Meta", (), {"database": db, "table_name": history_table(model), "indexes": tuple(indexes)})
    return type(f"{model.__name__}History", (Model,), {**attributes, "Meta": meta})


def valid_at(history, moment):
    """The condition that a version of `history` (a `history_model`) was the row at `moment`."""
    return (history.valid_from <= moment) & (history.valid_to.is_null() | (history.valid_to > moment))


def install_history(database, models=TRACKED_MODELS) -> None:
    """Create (or complete) the history tables of `models` and (re)install their triggers.
    Columns a later migration added to a live table are added to its history first."""
    database.create_tables([ChangeContext, ChangeRun], safe=True)
    is_postgresql = isinstance(database.obj, peewee.PostgresqlDatabase)
    existing = set(database.get_tables())
    for model in models:
        history = history_model(model)
        if history._meta.table_name not in existing:
            database.create_tables([history])
        else:
            _add_missing_columns(database, model, history)
        for statement in postgresql_trigger_sql(model) if is_postgresql else sqlite_trigger_sql(model):
            database.execute_sql(statement)


def _add_missing_columns(database, model, history) -> None:
    from playhouse.migrate import SchemaMigrator, migrate

    present = {column.name for column in database.get_columns(history._meta.table_name)}
    missing = [column for column in tracked_columns(model) if column not in present]
    if missing:
        migrator = SchemaMigrator.from_database(database)
        fields = {field.column_name: field for field in history._meta.sorted_fields}
        migrate(*[migrator.add_column(history._meta.table_name, column, fields[column]) for column in missing])


def backfill_history(database, moment, models=TRACKED_MODELS) -> None:
    """One version per row already there, valid from its creation time (or from `moment`, the
    migration's, when the row does not know when it was created)."""
    for model in models:
        columns = ", ".join(_quoted(column) for column in tracked_columns(model))
        created = model._meta.fields.get("created_date_time")
        start = f"COALESCE({_quoted(created.column_name)}, {database.param})" if created else database.param
        database.execute_sql(
            f"INSERT INTO {_quoted(history_table(model))} ({columns}, valid_from, valid_to, change_kind, "
            f"change_source) SELECT {columns}, {start}, NULL, 'insert', "
            f"'{BACKFILL_SOURCE}' FROM {_quoted(model._meta.table_name)}",
            (UtcDateTimeField().db_value(moment),),
        )


def _quoted(name: str) -> str:
    return f'"{name}"'


def _columns_and_values(model, row: str) -> tuple[str, str]:
    columns = tracked_columns(model)
    return (", ".join(_quoted(c) for c in columns), ", ".join(f"{row}.{_quoted(c)}" for c in columns))


def _key_match(model, row: str) -> str:
    return " AND ".join(f"{_quoted(c)} = {row}.{_quoted(c)}" for c in key_columns(model))


# The columns that tell when a row's object came to be, in order of trust: an assignment
# imported without a creation time has held since its schedule started.
_CREATION_COLUMNS = ("created_date_time", "schedule_start")


def _creation_time(model, row: str) -> str | None:
    """SQL for when the object of `row` came to be, or None when the table does not say."""
    present = [f"{row}.{_quoted(c)}" for c in _CREATION_COLUMNS if c in tracked_columns(model)]
    if not present:
        return None
    return present[0] if len(present) == 1 else f"COALESCE({', '.join(present)})"


_HISTORY_EXTRA = "valid_from, valid_to, change_kind, change_source, change_run, change_actor"


def sqlite_trigger_sql(model) -> list[str]:
    """The statements that (re)install `model`'s three history triggers on SQLite."""
    table, history = _quoted(model._meta.table_name), _quoted(history_table(model))
    name = history_table(model)
    # The history rows are inserted with SELECT … FROM the context (one read of it per row);
    # a LEFT JOIN from a one-row constant keeps the row when no context is set.
    at = "COALESCE(context.at, strftime('%Y-%m-%d %H:%M:%f', 'now'))"
    source = f"COALESCE(context.source, '{UNKNOWN_SOURCE}')"
    run, actor = "context.run", "context.actor"
    context = "FROM (SELECT 1) AS one LEFT JOIN change_context AS context"
    columns, new_values = _columns_and_values(model, "NEW")
    _, old_values = _columns_and_values(model, "OLD")
    changed = " OR ".join(f"OLD.{_quoted(c)} IS NOT NEW.{_quoted(c)}" for c in tracked_columns(model))

    def close(row):
        return (
            f"UPDATE {history} SET valid_to = (SELECT {at} {context}) "
            f"WHERE {_key_match(model, row)} AND valid_to IS NULL;"
        )

    def insert(values, until, kind, start=at):
        return (
            f"INSERT INTO {history} ({columns}, {_HISTORY_EXTRA}) "
            f"SELECT {values}, {start}, {until}, '{kind}', {source}, {run}, {actor} {context};"
        )

    first_seen = at
    if _creation_time(model, "NEW"):
        first_seen = (
            f"CASE WHEN EXISTS (SELECT 1 FROM {history} WHERE {_key_match(model, 'NEW')}) THEN {at} "
            f"ELSE COALESCE(MIN({_creation_time(model, 'NEW')}, {at}), {at}) END"
        )
    return [
        *(f'DROP TRIGGER IF EXISTS "{name}_{kind}"' for kind in ("insert", "update", "delete")),
        f'CREATE TRIGGER "{name}_insert" AFTER INSERT ON {table} BEGIN '
        f"{close('NEW')} {insert(new_values, 'NULL', 'insert', first_seen)} END",
        f'CREATE TRIGGER "{name}_update" AFTER UPDATE ON {table} WHEN {changed} BEGIN '
        f"{close('OLD')} {insert(new_values, 'NULL', 'update')} END",
        f'CREATE TRIGGER "{name}_delete" AFTER DELETE ON {table} BEGIN '
        f"{close('OLD')} {insert(old_values, at, 'delete')} END",
    ]


def postgresql_trigger_sql(model) -> list[str]:
    """The statements that (re)install `model`'s history trigger on PostgreSQL."""
    table, history = _quoted(model._meta.table_name), _quoted(history_table(model))
    name = history_table(model)
    columns, new_values = _columns_and_values(model, "NEW")
    _, old_values = _columns_and_values(model, "OLD")

    def setting(field):
        return f"NULLIF(current_setting('{SETTING_PREFIX}{field}', true), '')"

    first_seen = ""
    if _creation_time(model, "NEW"):
        first_seen = (
            f"IF NOT EXISTS (SELECT 1 FROM {history} WHERE {_key_match(model, 'NEW')}) THEN "
            f"v_start := LEAST({_creation_time(model, 'NEW')}, v_at); END IF;"
        )

    body = f"""
DECLARE
  v_at timestamp := COALESCE({setting("at")}::timestamp, now() AT TIME ZONE 'UTC');
  v_source text := COALESCE({setting("source")}, '{UNKNOWN_SOURCE}');
  v_run text := {setting("run")};
  v_actor text := {setting("actor")};
  v_start timestamp := v_at;
BEGIN
  IF TG_OP = 'UPDATE' AND OLD IS NOT DISTINCT FROM NEW THEN
    RETURN NULL;
  END IF;
  IF TG_OP = 'INSERT' THEN
    {first_seen}
    UPDATE {history} SET valid_to = v_at WHERE {_key_match(model, "NEW")} AND valid_to IS NULL;
  ELSE
    UPDATE {history} SET valid_to = v_at WHERE {_key_match(model, "OLD")} AND valid_to IS NULL;
  END IF;
  IF TG_OP = 'DELETE' THEN
    INSERT INTO {history} ({columns}, {_HISTORY_EXTRA})
    VALUES ({old_values}, v_at, v_at, 'delete', v_source, v_run, v_actor);
  ELSE
    INSERT INTO {history} ({columns}, {_HISTORY_EXTRA})
    VALUES ({new_values}, v_start, NULL, lower(TG_OP), v_source, v_run, v_actor);
  END IF;
  RETURN NULL;
END"""
    return [
        f'CREATE OR REPLACE FUNCTION "{name}_write"() RETURNS trigger LANGUAGE plpgsql AS $history${body}$history$',
        f'DROP TRIGGER IF EXISTS "{name}_write" ON {table}',
        f'CREATE TRIGGER "{name}_write" AFTER INSERT OR UPDATE OR DELETE ON {table} '
        f'FOR EACH ROW EXECUTE FUNCTION "{name}_write"()',
    ]
