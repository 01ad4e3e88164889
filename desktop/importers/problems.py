"""Every problem of one import run: where it is, what is wrong, and how to get a complete record.

A run checks every file and lists every problem instead of stopping at the first, so an
administrator fixes an export once. Up to PROBLEMS_KEPT are listed; all are counted.
"""

from dataclasses import dataclass

from desktop.errors import InvalidInput
from desktop.importers import kinds

PROBLEMS_KEPT = 200

# The Graph call that returns a complete record of each kind (the README's import section says the same).
COMPLETE_CALLS = {
    kinds.ASSIGNMENT: "list assignments with `$expand=target,accessPackage,assignmentPolicy`",
    kinds.REQUEST: "list assignment requests with `$expand=requestor,accessPackage,assignment($expand=target)` (an administrator's request names its target only in its assignment)",
    kinds.POLICY: "list assignment policies with `$expand=accessPackage,catalog`",
    kinds.ACCESS_PACKAGE: "list access packages with `$expand=catalog,resourceRoleScopes($expand=role,scope)`",
    kinds.RESOURCE: "list a catalog's resources with `catalogs/{id}/resources?$expand=roles,scopes`",
    kinds.USER: "list users without `$select`, or with `$select=id,userPrincipalName,displayName,mail,userType`",
    kinds.AUDIT: "list `auditLogs/directoryAudits`, or download the audit log as CSV from the admin center",
}


@dataclass(frozen=True)
class Problem:
    """One record (or file) that cannot be imported as it is."""

    file: str
    record: str | None  # "record 3", "line 12", or None for the whole file
    id: str | None
    field: str | None
    reason: str
    kind: str | None = None

    @property
    def hint(self) -> str | None:
        """How to get a complete record, when the problem is a field the Graph call left out."""
        if self.kind in COMPLETE_CALLS and self.field and "is missing" in self.reason:
            return COMPLETE_CALLS[self.kind]
        return None

    def line(self) -> str:
        """`users.json: record 3 (id …): field userPrincipalName: is missing (hint)`."""
        text = self.file
        if self.record:
            text += f": {self.record}"
        if self.id:
            text += f" (id {self.id})"
        if self.field:
            text += f": field {self.field}"
        text += f": {self.reason}"
        hint = self.hint
        return f"{text} ({hint})" if hint else text


class ImportProblems(InvalidInput):
    """The import found problems and wrote nothing; `problems` lists up to PROBLEMS_KEPT of `total`."""

    def __init__(self, problems: list[Problem], total: int):
        self.problems = problems
        self.total = total
        # One problem reads as one line, as the first release reported it.
        message = problems[0].line() if total == 1 else "\n".join(report_lines(problems, total, imported=False))
        super().__init__(message)


def report_lines(problems: list[Problem], total: int, *, imported: bool) -> list[str]:
    """The problems as text lines for the CLI, the dialog and a saved report."""
    if imported:
        head = f"{total:,} record{'s' * (total != 1)} skipped (not valid):"
    else:
        head = (
            f"{total:,} problem{'s' * (total != 1)} found; nothing was imported. Fix them, or import with "
            '--skip-invalid (File → Import…: "Skip invalid records") to import the rest:'
        )
    lines = [head] + [f"  {problem.line()}" for problem in problems]
    if total > len(problems):
        lines.append(f"  … and {total - len(problems):,} more")
    return lines


@dataclass(frozen=True)
class Unreadable:
    """What a reader yields in place of a record it cannot read (a short CSV row, a bad date)."""

    field: str | None
    reason: str


@dataclass(frozen=True)
class Notice:
    """What a reader yields for something the summary should say (a failed `$batch` sub-response)."""

    text: str
