"""report_outcomes: the outcome of handling as complaint columns, report targets per year

`resolution` and `resolution_reason` (what a response says), `acknowledged_at`, the reporter's
latest `rating` and `satisfied`, and `reopen_count`, all backfilled from the events that hold
them; `report_targets` keeps a jurisdiction's target share of settled complaints per year.

Revision ID: 0015
Revises: 0012
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("complaints", sa.Column("acknowledged_at", sa.DateTime(timezone=True)))
    op.add_column("complaints", sa.Column("resolution", sa.String(length=20)))
    op.add_column("complaints", sa.Column("resolution_reason", sa.String(length=2000)))
    op.add_column("complaints", sa.Column("rating", sa.Integer()))
    op.add_column("complaints", sa.Column("satisfied", sa.Boolean()))
    op.add_column(
        "complaints",
        sa.Column("reopen_count", sa.Integer(), server_default="0", nullable=False),
    )
    op.create_check_constraint(
        op.f("ck_complaints_resolution"),
        "complaints",
        "resolution IS NULL OR resolution IN ('resolved', 'not_settleable')",
    )
    op.create_check_constraint(
        op.f("ck_complaints_rating"), "complaints", "rating IS NULL OR rating BETWEEN 1 AND 5"
    )
    # Every response before this revision was an answer that resolved (there was no other).
    op.execute(
        """
        UPDATE complaints c SET
          resolution = CASE WHEN c.responded_at IS NOT NULL THEN 'resolved' END,
          acknowledged_at = (SELECT min(e.occurred_at) FROM complaint_events e
                             WHERE e.complaint_id = c.id AND e.type = 'acknowledged'),
          reopen_count = (SELECT count(*) FROM complaint_events e
                          WHERE e.complaint_id = c.id AND e.type = 'reopened'),
          rating = f.rating,
          satisfied = f.satisfied
        FROM complaints c2
        LEFT JOIN LATERAL (
          SELECT (e.data->>'rating')::int AS rating, (e.data->>'satisfied')::boolean AS satisfied
          FROM complaint_events e
          WHERE e.complaint_id = c2.id AND e.type = 'feedback_received'
          ORDER BY e.seq DESC LIMIT 1
        ) f ON true
        WHERE c2.id = c.id
        """
    )
    op.create_table(
        "report_targets",
        sa.Column("jurisdiction_id", sa.Uuid(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("settled_percent", sa.Numeric(5, 2), nullable=False),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.CheckConstraint(
            "settled_percent >= 0 AND settled_percent <= 100",
            name=op.f("ck_report_targets_percent"),
        ),
        sa.ForeignKeyConstraint(
            ["jurisdiction_id"],
            ["jurisdictions.id"],
            name=op.f("fk_report_targets_jurisdiction_id_jurisdictions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("jurisdiction_id", "year", name=op.f("pk_report_targets")),
    )


def downgrade() -> None:
    op.drop_table("report_targets")
    op.drop_constraint(op.f("ck_complaints_rating"), "complaints", type_="check")
    op.drop_constraint(op.f("ck_complaints_resolution"), "complaints", type_="check")
    for column in (
        "reopen_count",
        "satisfied",
        "rating",
        "resolution_reason",
        "resolution",
        "acknowledged_at",
    ):
        op.drop_column("complaints", column)
