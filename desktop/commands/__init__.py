"""CLI subcommands; each module here has `register(subparsers)` (see `desktop.cli`)."""
