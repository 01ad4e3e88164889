"""The sync: fetch the tenant from Graph and import it in one transaction, and record the run.

Nothing is written unless the whole sync succeeds: the pages stream from Graph into the
importer inside one transaction, with the delta links and the tenant connection saved in the
same one. Only the run's own record is written apart, so a failed or cancelled sync is listed
in the history too.
"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable, Iterator

from desktop.change_runs import SYNC, recorded_run
from desktop.errors import Cancelled, DeskError, InvalidInput
from desktop.graph import plan
from desktop.graph.client import GraphClient
from desktop.graph.errors import DeltaExpired
from desktop.graph.identity import SignedIn, require_sync_role, who_is_signed_in
from desktop.graph.prefetch import prefetched
from desktop.importers import ImportSummary, import_documents, kinds
from desktop.importers.values import parse_time
from desktop.session import check_acting
from models import AuditEvent, User, db, utc_now
from models.sync import DeltaLink, SyncRun, TenantConnection

FULL, INCREMENTAL = "full", "incremental"
SUCCEEDED, FAILED, CANCELLED, RUNNING = "succeeded", "failed", "cancelled", "running"
# Kinds whose complete current list a full listing is: stored objects it lacks are gone.
# (Directory roles are keyed by template across tenants; the audit log ages out, never "gone".)
LISTED_WHOLE = (
    kinds.CONNECTED_ORGANIZATION,
    kinds.CATALOG,
    kinds.RESOURCE,
    kinds.ACCESS_PACKAGE,
    kinds.POLICY,
    kinds.ASSIGNMENT,
    kinds.REQUEST,
)

# progress(kind, records of that kind so far, records of all kinds so far); once the pages are in,
# progress(WRITING, done, total) while the importer writes them.
SyncProgress = Callable[[str, int, int], None]
WRITING = "writing"


@dataclass
class SyncOutcome:
    run: SyncRun
    identity: SignedIn
    summary: ImportSummary
    fetched: dict[str, int] = field(default_factory=dict)


def parse_kinds(text: str | None) -> set[str]:
    """`--only user,group` → the kinds; InvalidInput naming the unknown ones."""
    available = plan.syncable_kinds()
    if not text:
        return set(available)
    wanted = {name.strip() for name in text.split(",") if name.strip()}
    unknown = sorted(wanted - set(available))
    if unknown:
        raise InvalidInput(f"Unknown kind(s) {', '.join(unknown)}; choose from {', '.join(available)}.")
    return wanted


class Sync:
    """One sync run; `cancel()` may be called from another thread."""

    def __init__(
        self,
        client: GraphClient,
        *,
        only: set[str] | None = None,
        full: bool = False,
        progress: SyncProgress | None = None,
        clock: Callable[[], datetime] = utc_now,
        cloud: str = "global",
        client_id: str | None = None,
    ):
        self.client = client
        self.cloud = cloud
        self.client_id = client_id
        self.only = only or set(plan.syncable_kinds())
        self.full = full
        self.progress = progress
        self.clock = clock
        self.cancel_event = client.cancel_event
        self.fetched: dict[str, int] = {kind: 0 for kind in self.only}
        self._total = 0
        self._delta_links: dict[str, str] = {}
        self._newest_audit: datetime | None = None

    def cancel(self) -> None:
        self.cancel_event.set()

    def run(self) -> SyncOutcome:
        started = self.clock()
        stored = {} if self.full else {link.kind: link.url for link in DeltaLink.select()}
        mode = INCREMENTAL if any(kind in stored for kind in plan.DELTA_KINDS if kind in self.only) else FULL
        # Recorded first and on its own: a sync refused at sign-in is in the history too.
        with db.atomic():
            run = SyncRun.create(started_at=started, endpoint=self.client.root, mode=mode, result=RUNNING)
        try:
            identity = who_is_signed_in(self.client, self.client.tokens)
            with db.atomic():
                (
                    SyncRun.update(signed_in=identity.describe(), tenant_id=identity.tenant_id)
                    .where(SyncRun.id == run.id)
                    .execute()
                )
            require_sync_role(identity)
            # On a shared database a bound login syncs only as its own user, like every write.
            check_acting(User.get_or_none(User.id == identity.user_id) if identity.user_id else None)
            _check_same_tenant(identity)
            complete = [kind for kind in LISTED_WHOLE if kind in self.only]
            complete += [kind for kind in plan.DELTA_KINDS if kind in self.only and kind not in stored]
            seen = plan.Seen()
            sources = plan.sources(self.client, self.only, stored, stored.get(kinds.AUDIT), seen)
            with db.atomic(), recorded_run(SYNC, f"{identity.describe()} from {self.client.root}", observed=started):
                summary = import_documents(
                    self._documents(sources, seen), complete=complete, observed_at=started, progress=self._check
                )
                self._save_links()
                self._save_connection(identity, started)
        except (Cancelled, KeyboardInterrupt):
            self._finish(run, CANCELLED, "Cancelled; nothing was written.")
            raise
        except DeltaExpired as error:
            # Nothing was written; without the stale links the next sync lists users and groups whole.
            with db.atomic():
                DeltaLink.delete().where(DeltaLink.kind.in_(plan.DELTA_KINDS)).execute()
            message = f"{error} Nothing was written; sync again: the next sync fetches users and groups whole."
            self._finish(run, FAILED, message)
            raise DeltaExpired(message) from None
        except DeskError as error:
            self._finish(run, FAILED, str(error))
            raise
        except BaseException as error:
            self._finish(run, FAILED, f"{type(error).__name__}: {error}")
            raise
        finally:
            self.cancel_event.set()  # stops fetches still running ahead
        self._finish(run, SUCCEEDED, None, summary)
        run.signed_in, run.tenant_id = identity.describe(), identity.tenant_id
        return SyncOutcome(run, identity, summary, dict(self.fetched))

    def _documents(self, sources, seen: plan.Seen) -> Iterator[tuple[str, dict]]:
        for kind, url, body in prefetched(sources, self.cancel_event):
            seen.note(kind, body)
            records = body.get("value") if isinstance(body.get("value"), list) else [body]
            self.fetched[kind] = self.fetched.get(kind, 0) + len(records)
            self._total += len(records)
            if kind in plan.DELTA_KINDS and body.get("@odata.deltaLink"):
                self._delta_links[kind] = body["@odata.deltaLink"]
            if kind == kinds.AUDIT:
                self._note_audit_times(records)
            if self.progress:
                self.progress(kind, self.fetched[kind], self._total)
            yield url, body

    def _note_audit_times(self, records: list) -> None:
        for record in records:
            value = record.get("activityDateTime") if isinstance(record, dict) else None
            if isinstance(value, str):
                try:
                    moment = parse_time(value)
                except ValueError:
                    continue  # the importer names the bad record
                if self._newest_audit is None or moment > self._newest_audit:
                    self._newest_audit = moment

    def _check(self, done: int, total: int) -> None:
        if self.cancel_event.is_set():
            raise Cancelled("Sync cancelled; nothing was written.")
        if self.progress:
            self.progress(WRITING, done, total)

    def _save_links(self) -> None:
        now = self.clock()
        links = dict(self._delta_links)
        if kinds.AUDIT in self.only:
            newest = self._newest_audit or _newest_audit_held()
            if newest is not None:
                links[kinds.AUDIT] = plan.audits_since(newest)
        for kind, url in links.items():
            (
                DeltaLink.insert(kind=kind, url=url, saved_at=now)
                .on_conflict(conflict_target=[DeltaLink.kind], update={DeltaLink.url: url, DeltaLink.saved_at: now})
                .execute()
            )

    def _save_connection(self, identity: SignedIn, now: datetime) -> None:
        values = {
            "display_name": identity.tenant_name,
            "graph_root": self.client.root,
            "cloud": self.cloud,
            "client_id": self.client_id,
            "signed_in_user_id": identity.user_id,
            "signed_in_upn": identity.describe(),
        }
        (
            TenantConnection.insert(tenant_id=identity.tenant_id, connected_at=now, **values)
            .on_conflict(
                conflict_target=[TenantConnection.tenant_id],
                update={getattr(TenantConnection, name): value for name, value in values.items()},
            )
            .execute()
        )

    def _finish(self, run: SyncRun, result: str, message: str | None, summary: ImportSummary | None = None) -> None:
        counts = {kind: {"fetched": number} for kind, number in self.fetched.items()}
        for kind, outcome in summary.counts.items() if summary else ():
            counts.setdefault(kind, {}).update({name: number for name, number in outcome.items() if number})
        for kind, number in summary.deleted.items() if summary else ():
            if number:
                counts.setdefault(kind, {})["deleted"] = number
        with db.atomic():
            (
                SyncRun.update(finished_at=self.clock(), result=result, message=message, counts=counts)
                .where(SyncRun.id == run.id)
                .execute()
            )
        run.finished_at, run.result, run.message, run.counts = self.clock(), result, message, counts


def _newest_audit_held() -> datetime | None:
    return (
        AuditEvent.select(AuditEvent.activity_date_time)
        .order_by(AuditEvent.activity_date_time.desc())
        .limit(1)
        .scalar()
    )


def _check_same_tenant(identity: SignedIn) -> None:
    connection = TenantConnection.select().first()
    if connection is not None and connection.tenant_id != identity.tenant_id:
        raise InvalidInput(
            f"This database mirrors the tenant {connection.display_name or connection.tenant_id}; "
            f"{identity.describe()} is signed in to {identity.tenant_name or identity.tenant_id}. "
            "Sync that tenant into another database (--db)."
        )
    if connection is None and User.select().exists():
        raise InvalidInput(
            "This database holds data that did not come from a tenant (the demo, or imported "
            "files); sync into a new database (--db) so the two are never mixed."
        )


def history(limit: int = 100) -> list[SyncRun]:
    """The latest sync runs, newest first."""
    return list(SyncRun.select().order_by(SyncRun.id.desc()).limit(limit))
