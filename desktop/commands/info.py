from models import ALL_MODELS
from models.database import resolve_location, schema_version


def register(subparsers) -> None:
    parser = subparsers.add_parser("info", help="schema version and the row count of every table")
    parser.set_defaults(handler=run)


def run(args) -> int:
    print(f"database        {resolve_location(args.db).describe()}")
    print(f"schema version  {schema_version()}")
    width = max(len(model._meta.table_name) for model in ALL_MODELS)
    for model in ALL_MODELS:
        print(f"{model._meta.table_name:<{width}}  {model.select().count():>10,}")
    return 0
