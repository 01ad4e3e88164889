"""Version 12: the configuration version, a counter that triggers on the configuration's tables
bump on every write, so the lifecycle reads the configuration again only when it changed
(models.configuration_version). Version 11 is another change made at the same time."""

from models.configuration_version import install_configuration_version


def upgrade(database) -> None:
    install_configuration_version(database)
