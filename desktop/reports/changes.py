"""Changes of access between two moments (or made by one import or sync), read from the
history tables: one row per assignment added, removed, expired, extended or shortened, per
resource role added to or removed from a package, and per policy added, changed or removed;
with who did it, through which request, who approved and why, and where it came from."""

from collections import defaultdict
from datetime import datetime

from peewee import JOIN, SQL, Select

from desktop.audit_record import format_time
from desktop.permissions import Action
from desktop.reports.base import Column, ColumnType, QueryReport, authorize, joined
from desktop.reports.package_roles import role_label
from models import AccessPackage, ApprovalDecision, AssignmentRequest, User, db
from models.base import UtcDateTimeField
from models.history import BACKFILL_SOURCE, ChangeRun, history_model
from models.assignments import Assignment
from models.policy import AssignmentPolicy

ACTIVE = ("delivering", "delivered", "partiallyDelivered")
ASSIGNMENT_ADDED, ASSIGNMENT_REMOVED = "Assignment added", "Assignment removed"
ASSIGNMENT_EXPIRED, ASSIGNMENT_EXTENDED = "Assignment expired", "Assignment extended"
ASSIGNMENT_SHORTENED = "Assignment shortened"
ROLE_ADDED, ROLE_REMOVED = "Resource role added", "Resource role removed"
POLICY_ADDED, POLICY_CHANGED, POLICY_REMOVED = "Policy added", "Policy changed", "Policy removed"
# Policy columns whose change is not a change of who gets access or how.
_POLICY_BOOKKEEPING = {"modified_date_time", "created_date_time"}

_ACTIVE_LIST = ", ".join(f"'{state}'" for state in ACTIVE)
_PREVIOUS = (
    "LEFT JOIN {table} p ON p.id = h.id AND p.version = (SELECT MAX(q.version) FROM {table} q "
    "WHERE q.id = h.id AND q.version < h.version)"
)
_ASSIGNMENT_CHANGE = f"""CASE
  WHEN h.change_kind = 'insert' AND h.state IN ({_ACTIVE_LIST}) THEN '{ASSIGNMENT_ADDED}'
  WHEN h.change_kind = 'delete' AND h.state IN ({_ACTIVE_LIST}) THEN '{ASSIGNMENT_REMOVED}'
  WHEN h.change_kind <> 'update' THEN NULL
  WHEN p.state IN ({_ACTIVE_LIST}) AND h.state NOT IN ({_ACTIVE_LIST}) THEN
    CASE WHEN h.status = 'Expired' THEN '{ASSIGNMENT_EXPIRED}' ELSE '{ASSIGNMENT_REMOVED}' END
  WHEN p.state NOT IN ({_ACTIVE_LIST}) AND h.state IN ({_ACTIVE_LIST}) THEN '{ASSIGNMENT_ADDED}'
  WHEN h.state IN ({_ACTIVE_LIST}) AND h.schedule_end IS NULL AND p.schedule_end IS NOT NULL
    THEN '{ASSIGNMENT_EXTENDED}'
  WHEN h.state IN ({_ACTIVE_LIST}) AND h.schedule_end IS NOT NULL AND p.schedule_end IS NULL
    THEN '{ASSIGNMENT_SHORTENED}'
  WHEN h.state IN ({_ACTIVE_LIST}) AND h.schedule_end > p.schedule_end THEN '{ASSIGNMENT_EXTENDED}'
  WHEN h.state IN ({_ACTIVE_LIST}) AND h.schedule_end < p.schedule_end THEN '{ASSIGNMENT_SHORTENED}'
END"""
# The request behind an assignment's change: its latest request made by then. Looked up for
# the rows of a page (`_requests`); in SQL only to sort by it, as it costs a lookup per change.
_REQUEST_OF_CHANGE = (
    "(SELECT {column} FROM assignment_request r {join} WHERE substr(c.change_key, 1, 1) = 'a' "
    "AND r.assignment_id = c.object_id AND r.created_date_time <= c.changed_at "
    "ORDER BY r.created_date_time DESC, r.id DESC LIMIT 1)"
)
_BRANCH_COLUMNS = (
    "change_key",
    "changed_at",
    "change",
    "package_id",
    "user_id",
    "role_id",
    "policy_id",
    "object_id",
    "source",
    "run",
    "actor",
    "version",
    "previous_version",
)


class ChangesReport(QueryReport):
    """Changes of access from `since` (included) to `until` (excluded), or those `run` made;
    narrowed to one access package or one user when given (a user's changes are their
    assignments' changes)."""

    name = "Changes"
    reads_raw = True
    columns = (
        Column("when", "When", ColumnType.DATETIME),
        Column("change", "Change"),
        Column("access_package", "Access package"),
        Column("user_principal_name", "User principal name"),
        Column("display_name", "Display name"),
        Column("resource_role", "Resource role"),
        Column("policy", "Policy"),
        Column("details", "Details"),
        Column("done_by", "Done by"),
        Column("request_id", "Request ID"),
        Column("approvers", "Approvers"),
        Column("justification", "Justification"),
        Column("source", "Source"),
        Column("run_id", "Import or sync run"),
        Column("object_id", "Object ID"),
        Column("access_package_id", "Access package ID"),
    )

    def __init__(
        self,
        since: datetime | None = None,
        until: datetime | None = None,
        *,
        package: AccessPackage | None = None,
        user: User | None = None,
        run: ChangeRun | None = None,
        actor: User | None = None,
    ):
        authorize(actor, Action.VIEW_REPORTS)
        self.since, self.until, self.package, self.user, self.run = since, until, package, user, run

    def filters(self) -> list[tuple[str, str]]:
        shown = []
        if self.run is not None:
            shown.append(("Run", f"{self.run.source} {self.run.id} of {format_time(self.run.started_date_time)}"))
        shown.append(("Since (UTC)", format_time(self.since) if self.since else "the beginning"))
        shown.append(("Until (UTC)", format_time(self.until) if self.until else "now"))
        if self.package is not None:
            shown.append(("Access package", f"{self.package.display_name} ({self.package.id})"))
        if self.user is not None:
            shown.append(("User", self.user.label))
        return shown

    # -- the query ------------------------------------------------------------------------

    def _conditions(self, package_column: str | None, user_column: str | None) -> tuple[str, list]:
        """The WHERE of one branch over its history `h`; None when the branch has no rows."""
        p = db.param
        where, params = [f"h.change_source <> '{BACKFILL_SOURCE}'"], []
        for bound, operator in ((self.since, ">="), (self.until, "<")):
            if bound is not None:
                where.append(f"h.valid_from {operator} {p}")
                params.append(UtcDateTimeField().db_value(bound))
        if self.run is not None:
            where.append(f"h.change_run = {p}")
            params.append(self.run.id)
        if self.package is not None:
            where.append(f"h.{package_column} = {p}")
            params.append(self.package.id)
        if self.user is not None:
            if user_column is None:
                return "1 = 0", []
            where.append(f"h.{user_column} = {p}")
            params.append(self.user.id)
        return " AND ".join(where), params

    def _union(self) -> tuple[str, list]:
        assignments = history_model(Assignment)._meta.table_name
        roles = "resource_role_scope_history"
        policies = history_model(AssignmentPolicy)._meta.table_name
        a_where, a_params = self._conditions("access_package_id", "target_id")
        r_where, r_params = self._conditions("access_package_id", None)
        p_where, p_params = self._conditions("access_package_id", None)
        names = ", ".join(_BRANCH_COLUMNS)
        sql = f"""
SELECT {names} FROM (
  SELECT 'a' || h.version AS change_key, h.valid_from AS changed_at, {_ASSIGNMENT_CHANGE} AS change,
    h.access_package_id AS package_id, h.target_id AS user_id, NULL AS role_id,
    h.assignment_policy_id AS policy_id, h.id AS object_id, h.change_source AS source, h.change_run AS run,
    h.change_actor AS actor, h.version AS version,
    p.version AS previous_version
  FROM {assignments} h {_PREVIOUS.format(table=assignments)}
  WHERE {a_where}
) AS assignment_changes WHERE change IS NOT NULL
UNION ALL
SELECT 'r' || h.version, h.valid_from,
  CASE h.change_kind WHEN 'insert' THEN '{ROLE_ADDED}' ELSE '{ROLE_REMOVED}' END,
  h.access_package_id, NULL, h.role_id, NULL, h.id, h.change_source, h.change_run, h.change_actor,
  h.version, NULL
FROM {roles} h
WHERE {r_where} AND h.change_kind IN ('insert', 'delete')
  -- The importer replaces a package's roles whole: a role deleted and inserted again at the
  -- same moment did not change.
  AND NOT EXISTS (SELECT 1 FROM {roles} o WHERE o.access_package_id = h.access_package_id
                  AND o.role_id = h.role_id AND o.scope_id = h.scope_id AND o.valid_from = h.valid_from
                  AND o.change_kind IN ('insert', 'delete') AND o.change_kind <> h.change_kind)
UNION ALL
SELECT 'p' || h.version, h.valid_from,
  CASE h.change_kind WHEN 'insert' THEN '{POLICY_ADDED}' WHEN 'update' THEN '{POLICY_CHANGED}'
    ELSE '{POLICY_REMOVED}' END,
  h.access_package_id, NULL, NULL, h.id, h.id, h.change_source, h.change_run, h.change_actor,
  h.version, p.version
FROM {policies} h {_PREVIOUS.format(table=policies)}
WHERE {p_where}"""
        return sql, a_params + r_params + p_params

    def query(self):
        sql, params = self._union()
        columns = [
            SQL(expression)
            for expression in (
                "c.changed_at",
                "c.change",
                "ap.display_name",
                "u.user_principal_name",
                "u.display_name",
                "res.display_name",
                "rr.display_name",
                "pol.display_name",
                "c.source",
                "c.run",
                "c.object_id",
                "c.package_id",
                "c.change_key",
                "c.version",
                "c.previous_version",
                "actor.user_principal_name",
            )
        ]
        joins = (
            "LEFT JOIN access_package ap ON ap.id = c.package_id "
            'LEFT JOIN "user" u ON u.id = c.user_id '
            "LEFT JOIN resource_role rr ON rr.id = c.role_id "
            "LEFT JOIN resource res ON res.id = rr.resource_id "
            "LEFT JOIN assignment_policy pol ON pol.id = c.policy_id "
            'LEFT JOIN "user" actor ON actor.id = c.actor'
        )
        return Select(from_list=[SQL(f"({sql}) AS c {joins}", params)], columns=columns).bind(db)

    def count_query(self):
        # The joins add names only (left joins on keys): the count needs the changes alone.
        sql, params = self._union()
        return Select(from_list=[SQL(f"({sql}) AS c", params)], columns=[SQL("c.change_key")]).bind(db)

    def sort_expressions(self) -> dict:
        return {
            "when": SQL("c.changed_at"),
            "change": SQL("c.change"),
            "access_package": SQL("ap.display_name_key"),
            "user_principal_name": SQL("u.upn_key"),
            "display_name": SQL("u.display_name_key"),
            "resource_role": SQL("res.display_name"),
            "policy": SQL("pol.display_name"),
            "details": SQL("c.change"),
            "done_by": SQL(
                _REQUEST_OF_CHANGE.format(column="q.upn_key", join='JOIN "user" q ON q.id = r.requestor_id')
            ),
            "request_id": SQL(_REQUEST_OF_CHANGE.format(column="r.id", join="")),
            "approvers": SQL(
                "(SELECT MIN(d_user.upn_key) FROM approval_decision d "
                'JOIN "user" d_user ON d_user.id = d.approver_id WHERE d.request_id = '
                f"{_REQUEST_OF_CHANGE.format(column='r.id', join='')})"
            ),
            "justification": SQL(_REQUEST_OF_CHANGE.format(column="r.justification", join="")),
            "source": SQL("c.source"),
            "run_id": SQL("c.run"),
            "object_id": SQL("c.object_id"),
            "access_package_id": SQL("c.package_id"),
        }

    def default_order(self) -> list[tuple[object, bool]]:
        return [(SQL("c.changed_at"), True), (SQL("c.change_key"), True)]

    def unique_key(self):
        return SQL("c.change_key")

    # -- the rows -------------------------------------------------------------------------

    def rows(self, records: list) -> list[tuple]:
        to_time = UtcDateTimeField().python_value
        requests = _requests([(r[12], r[10], to_time(r[0])) for r in records if r[12].startswith("a")])
        approvals = _approvals({request[0] for request in requests.values()})
        details = _details(records)
        rows = []
        for (
            changed_at,
            change,
            package,
            upn,
            name,
            resource,
            role,
            policy,
            source,
            run,
            object_id,
            package_id,
            key,
            _version,
            _previous,
            actor,
        ) in records:
            request_id, request_type, requestor, justification = requests.get(key, (None, None, None, None))
            if request_type and request_type.startswith("system"):
                done_by = "System"
            else:
                done_by = requestor or actor
            rows.append(
                (
                    to_time(changed_at),
                    change,
                    package,
                    upn,
                    name,
                    role_label(resource, role) if resource and role else None,
                    policy,
                    details.get(key),
                    done_by,
                    request_id,
                    approvals[request_id][0] if request_id else None,
                    joined([justification] + (approvals[request_id][1] if request_id else [])),
                    source,
                    run,
                    object_id,
                    package_id,
                )
            )
        return rows


def _requests(changes) -> dict[str, tuple]:
    """change key -> (request id, type, requestor UPN, justification) of the latest request of
    the changed assignment made by the time of the change, for (key, assignment id, time)."""
    by_assignment = defaultdict(list)
    if changes:
        query = (
            AssignmentRequest.select(
                AssignmentRequest.assignment,
                AssignmentRequest.created_date_time,
                AssignmentRequest.id,
                AssignmentRequest.request_type,
                User.user_principal_name,
                AssignmentRequest.justification,
            )
            .join(User, JOIN.LEFT_OUTER, on=AssignmentRequest.requestor == User.id)
            .where(AssignmentRequest.assignment.in_(list({assignment for _, assignment, _ in changes})))
            .order_by(AssignmentRequest.created_date_time, AssignmentRequest.id)
            .tuples()
        )
        for assignment, created, *request in query:
            by_assignment[assignment].append((created, tuple(request)))
    found = {}
    for key, assignment, moment in changes:
        made = [request for created, request in by_assignment[assignment] if created <= moment]
        if made:
            found[key] = made[-1]
    return found


def _approvals(request_ids) -> dict[str, tuple[str | None, list[str]]]:
    """request id -> (the approvers who decided, joined; their justifications)."""
    decided = defaultdict(list)
    if request_ids:
        query = (
            ApprovalDecision.select(
                ApprovalDecision.request,
                ApprovalDecision.review_result,
                ApprovalDecision.justification,
                User.user_principal_name,
            )
            .join(User, on=ApprovalDecision.approver == User.id)
            .where(ApprovalDecision.request.in_(list(request_ids)))
            .order_by(ApprovalDecision.request, ApprovalDecision.stage_number)
            .tuples()
        )
        for request_id, result, justification, upn in query:
            decided[request_id].append((f"{upn} ({result})", f"{upn}: {justification}" if justification else None))
    return defaultdict(
        lambda: (None, []),
        {
            request_id: (joined(who for who, _ in items), [why for _, why in items if why])
            for request_id, items in decided.items()
        },
    )


def _details(records) -> dict[str, str]:
    """change key -> what changed, read from the version and the one before it."""
    wanted = defaultdict(set)
    for record in records:
        key, version, previous = record[12], record[13], record[14]
        if key[0] in "ap":
            wanted[key[0]].update(v for v in (version, previous) if v is not None)
    versions = {}
    for prefix, model in (("a", Assignment), ("p", AssignmentPolicy)):
        if wanted[prefix]:
            history = history_model(model)
            for row in history.select().where(history.version.in_(list(wanted[prefix]))).dicts():
                versions[prefix, row["version"]] = row
    details = {}
    for record in records:
        key, version, previous = record[12], record[13], record[14]
        if key[0] not in "ap" or previous is None:
            continue
        new, old = versions[key[0], version], versions[key[0], previous]
        if key[0] == "a":
            parts = [
                f"{label}: {_text(old[column])} → {_text(new[column])}"
                for column, label in (("state", "state"), ("schedule_end", "end"))
                if old[column] != new[column]
            ]
        else:
            parts = [
                f"{column}: {_text(old[column])} → {_text(new[column])}"
                for column in new
                if column in old
                and column not in _POLICY_BOOKKEEPING
                and not column.startswith(("valid_", "change_"))
                and column != "version"
                and old[column] != new[column]
            ]
        details[key] = "; ".join(parts) or None
    return details


def _text(value) -> str:
    if value is None:
        return "none"
    if isinstance(value, datetime):
        return format_time(value)
    return str(value)
