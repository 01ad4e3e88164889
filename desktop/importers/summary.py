"""What an import did: created, updated and unchanged counts per Graph type, the stand-ins
it had to create, and what it did not understand."""

from collections import Counter
from dataclasses import dataclass, field

from desktop.importers.problems import report_lines

CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"
# Enough to act on; the total is always counted.
SKIPPED_KEPT = 100


@dataclass(frozen=True)
class Skipped:
    """A file, record or part of a record that was not imported, and why."""

    where: str
    reason: str


@dataclass
class ImportSummary:
    files: list[str]
    counts: dict[str, Counter] = field(default_factory=dict)
    references: Counter = field(default_factory=Counter)
    skipped: list[Skipped] = field(default_factory=list)
    skipped_total: int = 0
    # Invalid records left out with skip_invalid (desktop.importers.problems.Problem).
    invalid: list = field(default_factory=list)
    invalid_total: int = 0
    warnings: list[str] = field(default_factory=list)
    deleted: Counter = field(default_factory=Counter)

    def count(self, kind: str, outcome: str, number: int = 1) -> None:
        self.counts.setdefault(kind, Counter())[outcome] += number

    def skip(self, where: str, reason: str) -> None:
        self.skipped_total += 1
        if len(self.skipped) < SKIPPED_KEPT:
            self.skipped.append(Skipped(where, reason))

    def total(self, outcome: str) -> int:
        return sum(counts[outcome] for counts in self.counts.values())

    def lines(self) -> list[str]:
        """The summary as text lines, for the CLI and the import dialog."""
        lines = [
            f"Imported {len(self.files)} file{'s' * (len(self.files) != 1)}: "
            f"{self.total(CREATED):,} created, {self.total(UPDATED):,} updated, "
            f"{self.total(UNCHANGED):,} unchanged."
        ]
        width = max((len(kind) for kind in self.counts), default=0)
        for kind, counts in self.counts.items():
            lines.append(
                f"  {kind:<{width}}  {counts[CREATED]:>9,} created  {counts[UPDATED]:>9,} updated  "
                f"{counts[UNCHANGED]:>9,} unchanged"
            )
        if self.references:
            lines.append(
                "Stand-ins for objects referred to but not in the import: "
                + ", ".join(f"{number:,} {kind}" for kind, number in sorted(self.references.items()))
            )
        if self.deleted:
            lines.append(
                "Marked deleted (gone from the tenant): "
                + ", ".join(f"{number:,} {kind}" for kind, number in sorted(self.deleted.items()) if number)
            )
        lines += [f"Warning: {warning}" for warning in self.warnings]
        if self.invalid_total:
            lines += report_lines(self.invalid, self.invalid_total, imported=True)
        if self.skipped_total:
            lines.append(f"Not understood, not imported ({self.skipped_total:,}):")
            lines += [f"  {item.where}: {item.reason}" for item in self.skipped]
            if self.skipped_total > len(self.skipped):
                lines.append(f"  … and {self.skipped_total - len(self.skipped):,} more")
        return lines
