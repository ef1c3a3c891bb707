"""event_status: each complaint event stores the status it left the complaint in

Webhook bodies and hub updates carry the complaint's status as of an event; they used to find
it by replaying the complaint's history up to that event on every send. The row now says it.
Existing rows are backfilled by the same replay, once, in SQL: each event moves the status where
the lifecycle sends it, `info_supplied` returns to the status from before the last `needs_info`,
and every other event leaves the status where it was. The rules are copied here on purpose: a
migration records what they were when it ran.

Revision ID: 0014
Revises: 0012
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATUSES = (
    "received",
    "needs_info",
    "verified",
    "dispatched",
    "in_progress",
    "responded",
    "closed",
    "archived",
)
# Walks each complaint's events in seq order (seq is gapless: the next one is last_seq + 1),
# carrying the status and the status to resume to after a wait for information. `moves` says
# where each event type leaves the complaint; a type not listed leaves it where it was.
_BACKFILL = """
    WITH RECURSIVE moves (type, status) AS (
        VALUES ('received', 'received'), ('needs_info', 'needs_info'),
               ('verified', 'verified'), ('dispatched', 'dispatched'),
               ('acknowledged', 'in_progress'), ('transferred', 'dispatched'),
               ('responded', 'responded'), ('reopened', 'in_progress'),
               ('closed', 'closed'), ('archived', 'archived')
    ), walk (complaint_id, seq, status, before_wait) AS (
        SELECT e.complaint_id, e.seq, COALESCE(m.status, 'received'), 'received'
        FROM complaint_events e LEFT JOIN moves m ON m.type = e.type
        WHERE e.seq = 1
        UNION ALL
        SELECT e.complaint_id, e.seq,
               CASE WHEN e.type = 'info_supplied' THEN w.before_wait
                    ELSE COALESCE(m.status, w.status) END,
               CASE WHEN e.type = 'needs_info' THEN w.status ELSE w.before_wait END
        FROM walk w
        JOIN complaint_events e ON e.complaint_id = w.complaint_id AND e.seq = w.seq + 1
        LEFT JOIN moves m ON m.type = e.type
    )
    UPDATE complaint_events e SET status = walk.status
    FROM walk WHERE e.complaint_id = walk.complaint_id AND e.seq = walk.seq
"""


def upgrade() -> None:
    op.add_column("complaint_events", sa.Column("status", sa.String(length=20), nullable=True))
    op.execute(_BACKFILL)
    op.alter_column("complaint_events", "status", nullable=False)
    op.create_check_constraint(
        op.f("ck_complaint_events_status"), "complaint_events", f"status IN {STATUSES}"
    )


def downgrade() -> None:
    op.drop_constraint(op.f("ck_complaint_events_status"), "complaint_events", type_="check")
    op.drop_column("complaint_events", "status")
