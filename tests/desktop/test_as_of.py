"""Reports as of a moment: for random lifecycle histories, the report read "as of" any moment
equals the current report as it was taken at that moment."""

import bisect
from datetime import timedelta

from hypothesis import settings, strategies as st
from hypothesis.stateful import invariant, rule

from desktop.reports.assignments import AssignmentsReport
from desktop.reports.user_packages import AssignedPackagesReport
from desktop.reports.user_resources import ResourceAssignmentsReport
from models import Assignment
from tests.helpers.databases import TEST_DATABASE, empty_postgresql
from tests.helpers.history_tenant import SET_UP, build_at
from tests.helpers.lifecycle_machine import RandomLifecycle


def snapshot(packages, people, moment=None) -> dict:
    """Every row of reports 1-3 for every package and person, now or at `moment`."""
    reports = {("all",): AssignmentsReport(None, as_of=moment)}
    for package in packages:
        reports[("package", package.id)] = AssignmentsReport(package, as_of=moment)
    for person in people:
        reports[("assigned", person.id)] = AssignedPackagesReport(person, as_of=moment)
        reports[("resources", person.id)] = ResourceAssignmentsReport(person, as_of=moment)
    taken = {}
    for key, report in reports.items():
        rows = list(report.iterate())
        assert report.count() == len(rows)
        assert report.page(0, 3) == rows[:3]
        taken[key] = rows
    return taken


class AsOfMachine(RandomLifecycle):
    def __init__(self):
        if TEST_DATABASE:
            empty_postgresql(TEST_DATABASE)
        super().__init__(TEST_DATABASE, lambda: build_at(SET_UP))
        # (moment, the reports as they were right after the last change at that moment)
        self.moments, self.snapshots = [], []

    @rule(pick=st.integers(0, 50), actor=st.sampled_from([0, 1, 6]))
    def remove(self, pick, actor):
        assignments = list(Assignment.select().order_by(Assignment.created_date_time, Assignment.id))
        if assignments:
            self.attempt(
                lambda: self.lifecycle.remove_assignment(self.people[actor], assignments[pick % len(assignments)].id)
            )

    @rule(hours=st.sampled_from([1, 12, 24 * 5, 24 * 21]))
    def wait(self, hours):
        self.clock.advance(timedelta(hours=hours))

    @rule()
    def process_due(self):
        self.lifecycle.process_due(self.tenant.admin)

    @invariant()
    def take_snapshot(self):
        taken = snapshot(self.packages, self.people)
        now = self.clock.now()
        # The changes just made end the versions before them exactly now.
        assert snapshot(self.packages, self.people, now) == taken
        if self.moments and self.moments[-1] == now:
            self.snapshots[-1] = taken
        else:
            self.moments.append(now)
            self.snapshots.append(taken)

    @rule(pick=st.integers(0, 1000), fraction=st.floats(0, 0.999))
    def as_of_equals_the_snapshot(self, pick, fraction):
        """A moment at or after a recorded one (and before the next) reads that one's reports."""
        if len(self.moments) < 2:
            return
        index = pick % (len(self.moments) - 1)
        # The recorded moment itself (when changes are made) and one between it and the next.
        assert snapshot(self.packages, self.people, self.moments[index]) == self.snapshots[index]
        moment = self.moments[index] + (self.moments[index + 1] - self.moments[index]) * fraction
        expected = self.snapshots[bisect.bisect_right(self.moments, moment) - 1]
        assert snapshot(self.packages, self.people, moment) == expected

    @rule()
    def before_the_tenant_there_was_nothing(self):
        before = snapshot(self.packages, self.people, SET_UP - timedelta(seconds=1))
        assert all(rows == [] for rows in before.values())


AsOfMachine.TestCase.settings = settings(max_examples=8, stateful_step_count=15, deadline=None)
TestAsOf = AsOfMachine.TestCase
