from piccolo.columns import JSON, Integer, Timestamptz, Varchar
from piccolo.table import Table


class AuditEvent(Table):
    """Append-only record of every change and every sensitive read (REP-2).

    Actor and organization are plain IDs, not foreign keys: the log outlives what it
    names, and an ON DELETE action would have to rewrite rows the database forbids
    anyone to update.
    """

    occurred_at = Timestamptz(index=True)
    request_id = Varchar(length=64, null=True, default=None)
    actor_id = Integer(null=True, default=None, index=True)
    actor_label = Varchar(length=200, help_text="User ID, or who acted when no account did.")
    organization_id = Integer(null=True, default=None, index=True)
    action = Varchar(length=64)
    target_type = Varchar(length=64)
    target_id = Varchar(length=64, null=True, default=None)
    before = JSON(null=True, default=None)
    after = JSON(null=True, default=None)
