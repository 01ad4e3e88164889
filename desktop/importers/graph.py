"""Graph records into rows: one writer per family of resources over the shared upsert engine
(desktop.importers.upsert), and the audit log's own bulk writer."""
import json
from collections import defaultdict

from desktop.importers import kinds
from desktop.importers.audit import AuditWriter, audit_fields
from desktop.importers.fields import UNKNOWN_CATALOG_ID
from desktop.importers.upsert import UpsertEngine
from desktop.importers.values import FieldError, guid
from desktop.importers.write_assignments import AssignmentWriter
from desktop.importers.write_catalogs import CatalogWriter
from desktop.importers.write_directory import DirectoryWriter
from desktop.importers.write_policies import PolicyWriter
from desktop.importers.summary import ImportSummary
from models import AccessPackage, Assignment, AssignmentPolicy, AssignmentRequest, Catalog, ConnectedOrganization, Group, Resource, User

# The Graph type each table's stand-ins are counted under.
STAND_IN_KINDS = {
    User: kinds.USER, Group: kinds.GROUP, ConnectedOrganization: kinds.CONNECTED_ORGANIZATION,
    Catalog: kinds.CATALOG, AccessPackage: kinds.ACCESS_PACKAGE, AssignmentPolicy: kinds.POLICY,
}



class GraphWriter(DirectoryWriter, CatalogWriter, PolicyWriter, AssignmentWriter, UpsertEngine):
    """Writes the records of one import run: `end_file()` after each file, `finish()` once at the end."""

    def __init__(self, summary: ImportSummary):
        super().__init__(summary)
        self.audit = AuditWriter(summary)
        self.fingerprints: dict[str, dict[str, int]] = defaultdict(dict)
        self.writers = {
            kinds.USER: self._user, kinds.GROUP: self._group, kinds.DIRECTORY_ROLE: self._directory_role,
            kinds.CONNECTED_ORGANIZATION: self._organization, kinds.SUBJECT: self._subject,
            kinds.CATALOG: self._catalog, kinds.RESOURCE: self._resource,
            kinds.ACCESS_PACKAGE: self._access_package, kinds.POLICY: self._policy,
            kinds.ASSIGNMENT: self._assignment, kinds.REQUEST: self._request,
        }

    def write(self, kind: str, record, context: str | None, where: str) -> None:
        """Write one record of `kind`; FieldError names what is wrong with it."""
        self.where = where
        if kind == kinds.AUDIT:
            self.audit.add(audit_fields(record), where)
            return
        pk = guid(record, "id", required=True)
        fingerprint = hash(json.dumps(record, sort_keys=True, default=str))
        seen = self.fingerprints[kind]
        if pk in seen:
            if seen[pk] != fingerprint:
                raise FieldError("id", "the same id came earlier in this import with different data")
            return
        seen[pk] = fingerprint
        outcome = self.writers[kind](record, context, pk)
        if outcome is not None:  # None: queued, counted when its chunk is written
            self.summary.count(kind, outcome)

    def end_file(self) -> None:
        """Write what the file left queued."""
        for model in (User, Assignment, AssignmentRequest):
            self._flush(model)
        self.audit.end_file()

    def finish(self) -> None:
        """Drop an unused unknown-catalog row and count the stand-ins (after the last file)."""
        if (Catalog.select().where(Catalog.id == UNKNOWN_CATALOG_ID).exists()
                and not AccessPackage.select().where(AccessPackage.catalog == UNKNOWN_CATALOG_ID).exists()
                and not Resource.select().where(Resource.catalog == UNKNOWN_CATALOG_ID).exists()):
            Catalog.delete().where(Catalog.id == UNKNOWN_CATALOG_ID).execute()
            self.stand_ins[Catalog].discard(UNKNOWN_CATALOG_ID)
        for model, ids in self.stand_ins.items():
            if ids:
                self.summary.references[STAND_IN_KINDS[model]] += len(ids)
