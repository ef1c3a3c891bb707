"""report_event_index: a partial index on the events the reports count

The reports join a period's complaints to their transfers and their feedback comments; without
an index PostgreSQL reads every event to find those few (bench/RESULTS_reports.md).

Revision ID: 0022
Revises: 0015
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_complaint_events_reported",
        "complaint_events",
        ["type", "complaint_id"],
        postgresql_where=sa.text("type IN ('transferred', 'feedback_received')"),
    )


def downgrade() -> None:
    op.drop_index("ix_complaint_events_reported", table_name="complaint_events")
