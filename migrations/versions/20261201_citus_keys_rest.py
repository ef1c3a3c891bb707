"""citus_keys_rest: the remaining tenant tables keyed with jurisdiction_id, as 0017 began

Complaints, SMS parts and the Ombudsman's cases get `jurisdiction_id` in their primary keys;
the case's steps, events and complaint links get the column (backfilled from the case) and
carry it in their keys; every foreign key to a complaint or a case pairs it (an SMS part keeps
its part when the complaint goes: `ON DELETE SET NULL (complaint_id)`, PostgreSQL 15). The
nationwide unique tracking number moves to `tracking_ids` (backfilled from the complaints),
the complaint keeping it unique within its jurisdiction, `(tracking_id, jurisdiction_id)`: led by
the number, as the case's letter key now is, so the planner never checks a foreign key to
`(id, jurisdiction_id)` through a key led by the jurisdiction. The outbox's and webhook deliveries'
keys to complaints and cases go: on Citus those tables stay on the coordinator, and a local
table cannot point at a distributed one. Classification: app/tenancy.py.

Revision ID: 0024
Revises: 0023
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

J = "jurisdiction_id"
# (table, column, target, ON DELETE now, ON DELETE before, paired with J before: 0017's)
PAIRED = [
    ("complaint_events", "complaint_id", "complaints", "CASCADE", "CASCADE", True),
    ("reporters", "complaint_id", "complaints", "CASCADE", "CASCADE", True),
    ("attachments", "complaint_id", "complaints", "CASCADE", "CASCADE", True),
    ("hub_links", "complaint_id", "complaints", "CASCADE", "CASCADE", True),
    ("identity_access_log", "complaint_id", "complaints", None, None, True),
    ("sms_parts", "complaint_id", "complaints", "SET NULL (complaint_id)", "SET NULL", False),
    ("complaints", "duplicate_of", "complaints", None, None, False),
    ("complaints", "possible_duplicate_of", "complaints", None, None, False),
    ("ombudsman_case_complaints", "complaint_id", "complaints", "CASCADE", "CASCADE", False),
    ("ombudsman_case_complaints", "case_id", "ombudsman_cases", "CASCADE", "CASCADE", False),
    ("ombudsman_steps", "case_id", "ombudsman_cases", "CASCADE", "CASCADE", False),
    ("ombudsman_case_events", "case_id", "ombudsman_cases", "CASCADE", "CASCADE", False),
    ("attachments", "ombudsman_case_id", "ombudsman_cases", "CASCADE", "CASCADE", False),
    ("identity_access_log", "ombudsman_case_id", "ombudsman_cases", None, None, False),
]
# Coordinator-local tables: their keys to distributed ones go (table, column, target).
DROPPED = [
    ("outbox_messages", "complaint_id", "complaints"),
    ("webhook_deliveries", "complaint_id", "complaints"),
    ("webhook_deliveries", "ombudsman_case_id", "ombudsman_cases"),
]
CASE_CHILDREN = ("ombudsman_case_complaints", "ombudsman_steps", "ombudsman_case_events")
# table: (primary key before, primary key now)
PRIMARY_KEYS = {
    "complaints": (["id"], ["id", J]),
    "sms_parts": (["id"], ["id", J]),
    "ombudsman_cases": (["id"], ["id", J]),
    "ombudsman_steps": (["id"], ["id", J]),
    "ombudsman_case_events": (["case_id", "seq"], ["case_id", "seq", J]),
    "ombudsman_case_complaints": (["case_id", "complaint_id"], ["case_id", "complaint_id", J]),
}

LETTER_BEFORE = "uq_ombudsman_cases_jurisdiction_id_letter_number"
LETTER_NOW = "uq_ombudsman_cases_letter_number_jurisdiction_id"


def _fk_name(table: str, column: str, target: str) -> str:
    return f"fk_{table}_{column}_{target}"


def _primary_key(table: str, columns: list[str]) -> None:
    op.drop_constraint(f"pk_{table}", table, type_="primary")
    op.create_primary_key(f"pk_{table}", table, columns)


def upgrade() -> None:
    for table, column, target, *_ in PAIRED:
        op.drop_constraint(_fk_name(table, column, target), table, type_="foreignkey")
    for table, column, target in DROPPED:
        op.drop_constraint(_fk_name(table, column, target), table, type_="foreignkey")
    for table in CASE_CHILDREN:
        op.add_column(table, sa.Column(J, sa.Uuid(), nullable=True))
        op.execute(
            f"UPDATE {table} AS t SET {J} = c.{J}"  # noqa: S608 - constants
            " FROM ombudsman_cases AS c WHERE c.id = t.case_id"
        )
        op.alter_column(table, J, nullable=False)
    for table, (_, now) in PRIMARY_KEYS.items():
        _primary_key(table, now)
    op.drop_constraint("uq_complaints_id_jurisdiction_id", "complaints", type_="unique")
    op.drop_constraint("uq_ombudsman_steps_case_id_number", "ombudsman_steps", type_="unique")
    op.create_unique_constraint(
        "uq_ombudsman_steps_case_id_number_jurisdiction_id",
        "ombudsman_steps",
        ["case_id", "number", J],
    )
    op.create_table(
        "tracking_ids",
        sa.Column("tracking_id", sa.String(length=16), nullable=False),
        sa.Column(J, sa.Uuid(), nullable=False),
        sa.Column("complaint_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            [J],
            ["jurisdictions.id"],
            name="fk_tracking_ids_jurisdiction_id_jurisdictions",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tracking_id", name="pk_tracking_ids"),
    )
    op.execute(
        "INSERT INTO tracking_ids (tracking_id, jurisdiction_id, complaint_id)"
        " SELECT tracking_id, jurisdiction_id, id FROM complaints"
    )
    op.drop_constraint("uq_complaints_tracking_id", "complaints", type_="unique")
    # Led by the number, not by J: a unique index led by J is one the planner may pick on a
    # young table for the foreign-key checks on (id, J), reading a jurisdiction's every row.
    op.create_unique_constraint(
        "uq_complaints_tracking_id_jurisdiction_id", "complaints", ["tracking_id", J]
    )
    op.drop_constraint(LETTER_BEFORE, "ombudsman_cases", type_="unique")
    op.create_unique_constraint(LETTER_NOW, "ombudsman_cases", ["letter_number", J])
    for table, column, target, ondelete, _, _ in PAIRED:
        op.create_foreign_key(
            _fk_name(table, column, target),
            table,
            target,
            [column, J],
            ["id", J],
            ondelete=ondelete,
        )


def downgrade() -> None:
    for table, column, target, *_ in PAIRED:
        op.drop_constraint(_fk_name(table, column, target), table, type_="foreignkey")
    op.drop_constraint(LETTER_NOW, "ombudsman_cases", type_="unique")
    op.create_unique_constraint(LETTER_BEFORE, "ombudsman_cases", [J, "letter_number"])
    op.drop_constraint("uq_complaints_tracking_id_jurisdiction_id", "complaints", type_="unique")
    op.create_unique_constraint("uq_complaints_tracking_id", "complaints", ["tracking_id"])
    op.drop_table("tracking_ids")
    op.drop_constraint(
        "uq_ombudsman_steps_case_id_number_jurisdiction_id", "ombudsman_steps", type_="unique"
    )
    op.create_unique_constraint(
        "uq_ombudsman_steps_case_id_number", "ombudsman_steps", ["case_id", "number"]
    )
    for table, (before, _) in PRIMARY_KEYS.items():
        _primary_key(table, before)
    op.create_unique_constraint("uq_complaints_id_jurisdiction_id", "complaints", ["id", J])
    for table in CASE_CHILDREN:
        op.drop_column(table, J)
    for table, column, target, _, ondelete, paired in PAIRED:
        op.create_foreign_key(
            _fk_name(table, column, target),
            table,
            target,
            [column, J] if paired else [column],
            ["id", J] if paired else ["id"],
            ondelete=ondelete,
        )
    for table, column, target in DROPPED:
        op.create_foreign_key(
            _fk_name(table, column, target), table, target, [column], ["id"], ondelete="CASCADE"
        )
