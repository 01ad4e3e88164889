"""Graph records into rows: one writer per family of resources over the shared upsert engine
(desktop.importers.upsert), and the audit log's own bulk writer."""

import json
from collections import defaultdict

from desktop.importers import deletions, kinds
from desktop.importers.audit import AuditWriter, audit_fields
from desktop.importers.fields import UNKNOWN_CATALOG_ID
from desktop.importers.upsert import UpsertEngine
from desktop.importers.values import FieldError, graph_id, guid
from desktop.importers.write_app_roles import AppRoleWriter
from desktop.importers.write_approvals import ApprovalWriter
from desktop.importers.write_assignments import AssignmentWriter
from desktop.importers.write_catalogs import CatalogWriter
from desktop.importers.write_directory import DirectoryWriter
from desktop.importers.write_policies import PolicyWriter
from desktop.importers.summary import ImportSummary
from models import (
    AccessPackage,
    Application,
    AppRole,
    Assignment,
    AssignmentPolicy,
    AssignmentRequest,
    Catalog,
    ConnectedOrganization,
    Group,
    Resource,
    User,
)

# The Graph type each table's stand-ins are counted under.
STAND_IN_KINDS = {
    User: kinds.USER,
    Group: kinds.GROUP,
    ConnectedOrganization: kinds.CONNECTED_ORGANIZATION,
    Catalog: kinds.CATALOG,
    AccessPackage: kinds.ACCESS_PACKAGE,
    AssignmentPolicy: kinds.POLICY,
    Application: kinds.APP_ROLE_ASSIGNMENT,
    AppRole: kinds.APP_ROLE_ASSIGNMENT,
    Resource: kinds.RESOURCE,
}


class GraphWriter(
    DirectoryWriter, CatalogWriter, PolicyWriter, AssignmentWriter, AppRoleWriter, ApprovalWriter, UpsertEngine
):
    """Writes the records of one import run: `end_file()` after each file, `finish()` once at the end."""

    def __init__(self, summary: ImportSummary, reject):
        super().__init__(summary, reject)
        self.audit = AuditWriter(summary, reject)
        self.fingerprints: dict[str, dict[str, tuple[int, int]]] = defaultdict(dict)
        self.stage_numbers: dict[str, int] = {}  # stages of each approval seen, in order
        self.role_ids: dict[str, str] = {}  # a directory role's Graph id → its stored id (see _directory_role)
        self.writers = {
            kinds.USER: self._user,
            kinds.GROUP: self._group,
            kinds.DIRECTORY_ROLE: self._directory_role,
            kinds.CONNECTED_ORGANIZATION: self._organization,
            kinds.SUBJECT: self._subject,
            kinds.CATALOG: self._catalog,
            kinds.RESOURCE: self._resource,
            kinds.ACCESS_PACKAGE: self._access_package,
            kinds.POLICY: self._policy,
            kinds.ASSIGNMENT: self._assignment,
            kinds.REQUEST: self._request,
            kinds.APP_ROLE_ASSIGNMENT: self._app_role_assignment,
            kinds.APPROVAL: self._approval,
            kinds.APPROVAL_STAGE: self._approval_stage,
        }

    def write(self, kind: str, record, context: str | None, where: str) -> None:
        """Write one record of `kind`; FieldError names what is wrong with it."""
        self.where = where
        if kind == kinds.AUDIT:
            self.audit.add(audit_fields(record), where)
            return
        text_id = kind in (kinds.APP_ROLE_ASSIGNMENT, kinds.APPROVAL_STAGE, kinds.APPROVAL)
        pk = graph_id(record, "id", required=True) if text_id else guid(record, "id", required=True)
        # Copies that differ only in annotations (`@odata.etag`, …) are the same object. Copies
        # with other fields (a `$select` list beside a full one) are parts of it, written in turn;
        # copies with the same fields and other values contradict each other.
        plain = without_annotations(record)
        fingerprint = (hash(tuple(sorted(plain))), hash(json.dumps(plain, sort_keys=True, default=str)))
        seen = self.fingerprints[kind]
        if pk in seen and seen[pk][0] == fingerprint[0]:
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

    def mark_deleted(self, kind: str, ids, observed_at) -> None:
        """Objects a delta page lists as `@removed`: marked deleted, never removed."""
        self.summary.deleted[kind] += deletions.mark(kind, ids, observed_at)

    def mark_unseen_deleted(self, kind: str, observed_at) -> None:
        """The import holds the complete list of `kind`: stored objects not in it are gone."""
        self.summary.deleted[kind] += deletions.mark_unseen(kind, self.fingerprints[kind].keys(), observed_at)

    def finish(self) -> None:
        """Drop an unused unknown-catalog row and count the stand-ins (after the last file)."""
        if (
            Catalog.select().where(Catalog.id == UNKNOWN_CATALOG_ID).exists()
            and not AccessPackage.select().where(AccessPackage.catalog == UNKNOWN_CATALOG_ID).exists()
            and not Resource.select().where(Resource.catalog == UNKNOWN_CATALOG_ID).exists()
        ):
            Catalog.delete().where(Catalog.id == UNKNOWN_CATALOG_ID).execute()
            self.stand_ins[Catalog].discard(UNKNOWN_CATALOG_ID)
        for model, ids in self.stand_ins.items():
            if ids:
                self.summary.references[STAND_IN_KINDS[model]] += len(ids)
        for kind, seen in self.fingerprints.items():
            deletions.restore(kind, seen.keys())


def without_annotations(value):
    """`value` without OData annotations (`@odata.type`, `members@odata.nextLink`, …) at any depth."""
    if isinstance(value, dict):
        return {key: without_annotations(item) for key, item in value.items() if "@odata." not in key}
    if isinstance(value, list):
        return [without_annotations(item) for item in value]
    return value
