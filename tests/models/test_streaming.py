from datetime import datetime, timedelta, timezone

from models import AuditEvent
from models.streaming import streamed


def test_streamed_rows_are_the_rows_of_the_query(database):
    start = datetime(2026, 1, 5, tzinfo=timezone.utc)
    AuditEvent.insert_many(
        [
            {
                "id": f"record-{n}",
                "activity_date_time": start + timedelta(minutes=n),
                "category": "Test",
                "activity_display_name": "Step",
                "target_resources": [{"id": str(n)}],
            }
            for n in range(5000)
        ]
    ).execute()

    def query():
        return AuditEvent.select().order_by(AuditEvent.seq)

    expected = [(event.id, event.activity_date_time, event.target_resources) for event in query()]
    assert [(event.id, event.activity_date_time, event.target_resources) for event in streamed(query())] == expected
    raw = list(streamed(query().select(AuditEvent.id, AuditEvent.target_resources).tuples(), raw=True))
    assert [record_id for record_id, _ in raw] == [record_id for record_id, _, _ in expected]
    assert all(isinstance(targets, str) for _, targets in raw)  # the JSON text, unconverted
