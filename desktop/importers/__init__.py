"""Importing a real tenant: Microsoft Graph JSON and Entra admin center audit-log downloads."""
from desktop.importers.documents import import_documents
from desktop.importers.files import import_files
from desktop.importers.summary import ImportSummary

__all__ = ["ImportSummary", "import_documents", "import_files"]
