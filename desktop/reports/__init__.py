"""Reports: each defined once here and used three ways (the paged Qt model shows it, the
exporters write it, the CLI names it)."""
