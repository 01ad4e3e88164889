import uuid

from models.base import new_id, time_ordered_guid


def test_new_ids_are_version_7_guids_in_creation_order():
    ids = [new_id() for _ in range(2000)]
    assert len(set(ids)) == len(ids)
    assert all(uuid.UUID(value).version == 7 and uuid.UUID(value).variant == uuid.RFC_4122 for value in ids)
    assert all(str(uuid.UUID(value)) == value for value in ids)  # lowercase, hyphenated
    # Within a millisecond the random bits decide the order; across milliseconds time does.
    stamps = [value[:13] for value in ids]
    assert stamps == sorted(stamps)


def test_a_time_ordered_guid_keeps_its_time_and_random_bits():
    value = uuid.UUID(time_ordered_guid(1_767_225_600_000, (1 << 74) - 1))
    assert value.int >> 80 == 1_767_225_600_000
    assert value.version == 7 and value.variant == uuid.RFC_4122
    assert time_ordered_guid(1, 0) < time_ordered_guid(2, 0) < time_ordered_guid(2, 1)
