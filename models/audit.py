"""The audit log: Graph `directoryAudit` records."""

from peewee import AutoField, CharField, TextField

from models.keys import SearchKeyField
from models.base import BaseModel, GuidField, JSONField, UtcDateTimeField

AUDIT_RESULTS = ("success", "failure", "timeout", "unknownFutureValue")


class AuditEvent(BaseModel):
    """One `directoryAudit` record.

    `seq` is the write order: records that share a timestamp (the steps of one request often
    do) keep the order in which they were written when sorted by (activity_date_time, seq).
    `initiated_by`, `target_resources` and `additional_details` keep Graph's JSON as is; the
    columns beside them are derived from it for filtering (by `desktop.audit_record`, the
    one mapping, since records are appended with raw SQL): `*_key` columns are search keys
    (`models.keys.fold`) (case-insensitive prefix search by index range) and `access_package_id` is the
    id of the AccessPackage target, if any.
    """

    seq = AutoField()
    # Entra's own ids are longer than a GUID (Directory_<guid>_<suffix>_<number>).
    id = CharField(max_length=128, unique=True)
    activity_date_time = UtcDateTimeField(index=True)
    category = CharField(max_length=64)
    activity_display_name = CharField(max_length=256, index=True)
    operation_type = CharField(max_length=32, null=True)
    result = CharField(max_length=24, default="success")
    result_reason = TextField(null=True)
    logged_by_service = CharField(max_length=64, null=True)
    correlation_id = GuidField(null=True, index=True)
    initiated_by = JSONField(null=True)
    initiated_by_type = CharField(max_length=8, null=True)  # user | app
    initiated_by_id = GuidField(null=True)
    initiated_by_upn = CharField(max_length=320, null=True)
    initiated_by_display_name = CharField(max_length=256, null=True)
    initiated_by_upn_key = SearchKeyField("initiated_by_upn", max_length=320, null=True, index=True)
    initiated_by_name_key = SearchKeyField("initiated_by_display_name", max_length=256, null=True, index=True)
    target_resources = JSONField(default=list)
    target_upn_key = CharField(max_length=320, null=True, index=True)
    target_name_key = CharField(max_length=256, null=True, index=True)
    additional_details = JSONField(default=list)
    access_package_id = GuidField(null=True, index=True)
    # Tamper evidence (desktop.audit_chain): the hash of this record's Graph document, and
    # that hash chained to the previous record's chain hash.
    content_hash = CharField(max_length=64, null=True)
    chain_hash = CharField(max_length=64, null=True)
    # Last, as version 6 added it. What the columns cannot hold exactly, from an imported record:
    # `activityDateTime` with more than 6 fraction digits, and properties this app does not model
    # (beta `userAgent`, …). Hashed only when set, so records chained before it still verify.
    graph_extra = JSONField(null=True)

    class Meta:
        # Every column the audit log can be sorted by has an index ending in the write order
        # (seq is the rowid), so a sorted first page of a million records needs no sort.
        indexes = (
            (("category", "activity_date_time"), False),
            (("category", "activity_display_name"), False),
            (("result",), False),
            (("logged_by_service",), False),
            (("result_reason",), False),
        )
