"""one_engine: every background job is an outbox row; ordering keys, positions, held rows

Webhook deliveries become rows of the `webhook` topic (the `webhook_deliveries` row stays the
delivery's description and public status); a row with an ordering key waits while an earlier
(lower `position`) pending row with the same key exists. Claims are per topic, in order of
`available_at`, through a partial index over pending rows only.

Revision ID: 0013
Revises: 0012
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_STATUSES = "status IN ('pending', 'done', 'dead', 'cancelled', 'held')"


def upgrade() -> None:
    # A periodic job belongs to no jurisdiction.
    op.alter_column("outbox_messages", "jurisdiction_id", nullable=True)
    op.add_column("outbox_messages", sa.Column("ordering_key", sa.String(200), nullable=True))
    op.add_column(
        "outbox_messages",
        sa.Column("position", sa.BigInteger(), sa.Identity(always=False), nullable=False),
    )
    op.drop_constraint(op.f("ck_outbox_messages_status"), "outbox_messages", type_="check")
    op.create_check_constraint(op.f("ck_outbox_messages_status"), "outbox_messages", _STATUSES)
    op.drop_index("ix_outbox_messages_due", table_name="outbox_messages")
    op.create_index(
        "ix_outbox_messages_due",
        "outbox_messages",
        ["topic", "available_at"],
        postgresql_where=sa.text("status = 'pending'"),
    )
    op.create_index(
        "ix_outbox_messages_ordering",
        "outbox_messages",
        ["ordering_key", "position"],
        postgresql_where=sa.text("status = 'pending' AND ordering_key IS NOT NULL"),
        postgresql_ops={"ordering_key": "varchar_pattern_ops"},
    )
    op.create_index(
        "ix_outbox_messages_held",
        "outbox_messages",
        ["ordering_key"],
        postgresql_where=sa.text("status = 'held'"),
        postgresql_ops={"ordering_key": "varchar_pattern_ops"},
    )
    # The dispatcher's own claim index is gone with the dispatcher.
    op.drop_index("ix_webhook_deliveries_due", table_name="webhook_deliveries")
    # What is still owed becomes an engine row, in the order it was owed.
    op.execute(
        """
        INSERT INTO outbox_messages (id, jurisdiction_id, topic, dedupe_key, complaint_id, seq,
                                     payload, status, available_at, attempts, created_at,
                                     ordering_key)
        SELECT gen_random_uuid(), d.jurisdiction_id, 'webhook', 'webhook:' || d.dedupe_key,
               d.complaint_id, d.seq, jsonb_build_object('delivery_id', d.id::text),
               'pending', d.available_at, d.attempts, d.created_at,
               'webhook:' || coalesce(d.endpoint_id::text, 'callback') || ':'
                   || d.complaint_id::text
        FROM webhook_deliveries d
        WHERE d.status = 'pending'
        ORDER BY d.complaint_id, d.seq
        """
    )


def downgrade() -> None:
    # The dispatcher keeps its state on the delivery again: copy back what the engine held.
    op.execute(
        """
        UPDATE webhook_deliveries d
        SET attempts = o.attempts, available_at = o.available_at, locked_until = NULL,
            status = CASE WHEN o.status IN ('pending', 'held') THEN 'pending' ELSE d.status END
        FROM outbox_messages o
        WHERE o.topic = 'webhook' AND o.payload->>'delivery_id' = d.id::text
          AND o.status IN ('pending', 'held')
        """
    )
    op.execute("DELETE FROM outbox_messages WHERE topic = 'webhook' OR jurisdiction_id IS NULL")
    op.execute("UPDATE outbox_messages SET status = 'pending' WHERE status = 'held'")
    op.create_index(
        "ix_webhook_deliveries_due",
        "webhook_deliveries",
        ["available_at"],
        postgresql_where=sa.text("status = 'pending'"),
    )
    op.drop_index("ix_outbox_messages_held", table_name="outbox_messages")
    op.drop_index("ix_outbox_messages_ordering", table_name="outbox_messages")
    op.drop_index("ix_outbox_messages_due", table_name="outbox_messages")
    op.create_index(
        "ix_outbox_messages_due",
        "outbox_messages",
        ["available_at"],
        postgresql_where=sa.text("status = 'pending'"),
    )
    op.drop_constraint(op.f("ck_outbox_messages_status"), "outbox_messages", type_="check")
    op.create_check_constraint(
        op.f("ck_outbox_messages_status"),
        "outbox_messages",
        "status IN ('pending', 'done', 'dead', 'cancelled')",
    )
    op.drop_column("outbox_messages", "position")
    op.drop_column("outbox_messages", "ordering_key")
    op.alter_column("outbox_messages", "jurisdiction_id", nullable=False)
