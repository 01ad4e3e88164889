"""Version 3: database logins bound to directory users, for shared PostgreSQL databases."""

from models.meta import DatabaseLogin


def upgrade(database) -> None:
    database.create_tables([DatabaseLogin])
