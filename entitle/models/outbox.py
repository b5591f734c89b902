from piccolo.columns import Integer, Text, Timestamptz, Varchar
from piccolo.table import Table


class OutboxMessage(Table):
    """An email written in the same transaction as the change that caused it."""

    created_at = Timestamptz(index=True)
    to_address = Varchar(length=254)
    subject = Varchar(length=300)
    body = Text()
    kind = Varchar(length=64)
    sent_at = Timestamptz(null=True, default=None)
    attempts = Integer(default=0)
    last_error = Text(null=True, default=None)
