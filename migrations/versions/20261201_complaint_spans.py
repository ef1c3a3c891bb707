"""complaint_spans: working days of each step stored on the complaint

`verify_days`, `acknowledge_days` and `respond_days` are written by the transition that ends
each span (app/complaints/spans.py); existing rows get them here with the SQL the reports used
until now (an index of each jurisdiction's calendar, with its overrides, subscripted by the
local dates), so every report gives the same figures before and after.

Revision ID: 0023
Revises: 0022
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app.calendar.workdays import CalendarOverride, WorkCalendar
from app.complaints.spans import SPANS, backfill

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    for column in SPANS:
        op.add_column("complaints", sa.Column(column, sa.SmallInteger()))
    bind = op.get_bind()
    for jurisdiction_id, timezone in bind.execute(
        sa.text("SELECT id, timezone FROM jurisdictions")
    ):
        overrides = bind.execute(
            sa.text("SELECT day, kind, name FROM calendar_overrides WHERE jurisdiction_id = :j"),
            {"j": jurisdiction_id},
        )
        cal = WorkCalendar(timezone, [CalendarOverride(d, k, n) for d, k, n in overrides])
        backfill(bind, jurisdiction_id, cal)


def downgrade() -> None:
    for column in SPANS:
        op.drop_column("complaints", column)
