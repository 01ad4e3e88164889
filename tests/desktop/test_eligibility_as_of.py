"""Who could request what as of a moment: for random histories of everything eligibility reads
(policies and their scopes, allowed targets, group memberships, the user, connected
organizations, packages and catalogs), the "Can request" report read as of any moment equals the
report as it was taken at that moment."""

import bisect
import contextlib
import shutil
import tempfile
from datetime import timedelta
from pathlib import Path

from hypothesis import settings, strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from desktop.reports.user_packages import CanRequestReport
from models import (
    AccessPackage,
    AssignmentPolicy,
    Catalog,
    ConnectedOrganization,
    GroupMember,
    PolicyAllowedTarget,
    User,
    db,
)
from models.change_context import clear_change_context, set_change_context
from models.database import close_database, open_database
from tests.helpers import factories as f
from tests.helpers.databases import TEST_DATABASE, empty_postgresql
from tests.helpers.history_tenant import SET_UP

SCOPES = (
    "allMemberUsers",
    "allDirectoryUsers",
    "allExternalUsers",
    "allConfiguredConnectedOrganizationUsers",
    "specificDirectoryUsers",
    "specificConnectedOrganizationUsers",
    "notSpecified",
)


def snapshot(people, moment=None) -> dict:
    """Every row of every person's "Can request", with the details of each row, now or at `moment`."""
    taken = {}
    for person in people:
        # Now: the user as stored now (their type and organization change); at a moment the
        # report reads the user's version of that moment itself.
        report = CanRequestReport(User.get_by_id(person.id), as_of=moment)
        rows = list(report.iterate())
        assert report.count() == len(rows)
        assert report.page(0, 2) == rows[:2]
        details = [report.details(row, key) for row in rows for key in ("policies", "resource_roles")]
        taken[person.id] = (rows, details)
    return taken


class EligibilityAsOfMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.folder = tempfile.mkdtemp()
        if TEST_DATABASE:
            empty_postgresql(TEST_DATABASE)
        open_database(TEST_DATABASE or Path(self.folder) / "tenant.db")
        self.now = SET_UP
        with self.change():
            self.organizations = [f.connected_organization("Fabrikam"), f.connected_organization("Tailspin")]
            self.people = [
                f.user("Mia Member"),
                f.user("Gus Grouped"),
                f.user("Gia Guest", user_type="Guest", connected_organization=self.organizations[0]),
            ]
            self.group = f.group("Team", members=[self.people[1]])
            self.catalogs = [f.catalog("General"), f.catalog("Projects")]
            self.packages = [
                f.access_package("Sales", target_catalog=self.catalogs[0]),
                f.access_package("Travel", target_catalog=self.catalogs[1]),
            ]
            self.policies = [
                f.policy(self.packages[0], "Members", scope="allMemberUsers"),
                f.policy(self.packages[0], "Listed", scope="specificDirectoryUsers", allowed=[self.group]),
                f.policy(
                    self.packages[1],
                    "Partners",
                    scope="specificConnectedOrganizationUsers",
                    allowed=[self.organizations[0]],
                ),
            ]
        self.moments, self.snapshots = [], []

    def teardown(self):
        close_database()
        shutil.rmtree(self.folder, ignore_errors=True)

    @contextlib.contextmanager
    def change(self):
        """A transaction whose writes the history records at the machine's clock."""
        with db.atomic():
            set_change_context("test", at=self.now)
            yield
            clear_change_context()

    @rule(hours=st.sampled_from([1, 24, 24 * 10]))
    def wait(self, hours):
        self.now += timedelta(hours=hours)

    @rule(policy=st.integers(0, 2), scope=st.sampled_from(SCOPES), self_add=st.booleans())
    def change_policy(self, policy, scope, self_add):
        with self.change():
            AssignmentPolicy.update(allowed_target_scope=scope, enable_targets_to_self_add_access=self_add).where(
                AssignmentPolicy.id == self.policies[policy].id
            ).execute()

    @rule(policy=st.integers(0, 2), subject=st.integers(0, 4), listed=st.booleans())
    def list_or_unlist(self, policy, subject, listed):
        """Add or remove an allowed target: a person, the group or an organization."""
        subject = (self.people + [self.group, self.organizations[0]])[subject]
        column = {User: "user", type(self.group): "group", ConnectedOrganization: "connected_organization"}
        column = column[type(subject)]
        with self.change():
            if listed:
                PolicyAllowedTarget.create(policy=self.policies[policy], **f._subject_set(subject))
            else:
                PolicyAllowedTarget.delete().where(
                    (PolicyAllowedTarget.policy == self.policies[policy].id)
                    & (getattr(PolicyAllowedTarget, column) == subject.id)
                ).execute()

    @rule(person=st.integers(0, 2), member=st.booleans())
    def join_or_leave(self, person, member):
        key = (GroupMember.group == self.group.id) & (GroupMember.member == self.people[person].id)
        with self.change():
            if member and not GroupMember.select().where(key).exists():
                GroupMember.create(group=self.group, member=self.people[person])
            elif not member:
                GroupMember.delete().where(key).execute()

    @rule(person=st.integers(0, 2), guest=st.booleans(), organization=st.sampled_from([None, 0, 1]))
    def change_user(self, person, guest, organization):
        with self.change():
            User.update(
                user_type="Guest" if guest else "Member",
                connected_organization=None if organization is None else self.organizations[organization].id,
            ).where(User.id == self.people[person].id).execute()

    @rule(organization=st.integers(0, 1), state=st.sampled_from(["configured", "proposed"]), gone=st.booleans())
    def change_organization(self, organization, state, gone):
        with self.change():
            ConnectedOrganization.update(state=state, deleted_date_time=self.now if gone else None).where(
                ConnectedOrganization.id == self.organizations[organization].id
            ).execute()

    @rule(which=st.sampled_from(["person", "policy", "package", "catalog"]), pick=st.integers(0, 2), gone=st.booleans())
    def delete_or_restore(self, which, pick, gone):
        """Mark an object deleted from the tenant, or current again, as an import does."""
        objects = {
            "person": (User, self.people),
            "policy": (AssignmentPolicy, self.policies),
            "package": (AccessPackage, self.packages),
            "catalog": (Catalog, self.catalogs),
        }
        model, rows = objects[which]
        with self.change():
            model.update(deleted_date_time=self.now if gone else None).where(
                model.id == rows[pick % len(rows)].id
            ).execute()

    @rule(package=st.integers(0, 1), hidden=st.booleans())
    def hide_or_show(self, package, hidden):
        with self.change():
            AccessPackage.update(is_hidden=hidden).where(AccessPackage.id == self.packages[package].id).execute()

    @invariant()
    def take_snapshot(self):
        taken = snapshot(self.people)
        assert snapshot(self.people, self.now) == taken
        if self.moments and self.moments[-1] == self.now:
            self.snapshots[-1] = taken
        else:
            self.moments.append(self.now)
            self.snapshots.append(taken)

    @rule(pick=st.integers(0, 1000), fraction=st.floats(0, 0.999))
    def as_of_equals_the_snapshot(self, pick, fraction):
        if len(self.moments) < 2:
            return
        index = pick % (len(self.moments) - 1)
        assert snapshot(self.people, self.moments[index]) == self.snapshots[index]
        moment = self.moments[index] + (self.moments[index + 1] - self.moments[index]) * fraction
        expected = self.snapshots[bisect.bisect_right(self.moments, moment) - 1]
        assert snapshot(self.people, moment) == expected

    @rule()
    def before_the_tenant_nobody_could_request(self):
        before = snapshot(self.people, SET_UP - timedelta(seconds=1))
        assert all(rows == [] for rows, _ in before.values())


EligibilityAsOfMachine.TestCase.settings = settings(max_examples=6, stateful_step_count=15, deadline=None)
TestEligibilityAsOf = EligibilityAsOfMachine.TestCase
