"""Importing a real tenant: Microsoft Graph JSON (files, or responses the sync fetched) and
Entra admin center audit-log downloads."""

from desktop.importers.documents import import_documents
from desktop.importers.files import import_files
from desktop.importers.problems import ImportProblems, Problem
from desktop.importers.summary import ImportSummary

__all__ = ["ImportProblems", "ImportSummary", "Problem", "import_documents", "import_files"]
