"""outbox_done_retention: an index to find done outbox rows by age; webhook_deliveries.locked_until goes

Done outbox rows are pruned after `LAPOR_OUTBOX_DONE_RETENTION_DAYS` by a periodic job of the
engine; the partial index keeps its search an index range scan however many rows are pending.
`webhook_deliveries.locked_until` was never written since the one engine took over the leases
(they live on the outbox row).

Revision ID: 0021
Revises: 0015
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_outbox_messages_done",
        "outbox_messages",
        ["done_at"],
        postgresql_where=sa.text("status = 'done'"),
    )
    op.drop_column("webhook_deliveries", "locked_until")


def downgrade() -> None:
    op.add_column(
        "webhook_deliveries", sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True)
    )
    op.drop_index("ix_outbox_messages_done", table_name="outbox_messages")
