"""citus_keys: jurisdiction_id in the keys of the tenant tables, so Citus can distribute them

A complaint's events and its reporter get `jurisdiction_id` (backfilled from the complaint);
complaints get a unique (id, jurisdiction_id) for the others to point at; a complaint's events,
reporter, attachments, hub link and identity log point at it by (complaint_id, jurisdiction_id)
and carry jurisdiction_id in their primary keys, as do the jurisdiction's events, hub
reconciliations and routing models. Classification and what is still to do: app/tenancy.py.

Revision ID: 0017
Revises: 0015
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# table: (old primary key, whether deleting the complaint deletes its rows)
CHILDREN = {
    "complaint_events": (["complaint_id", "seq"], True),
    "reporters": (["complaint_id"], True),
    "attachments": (["id"], True),
    "hub_links": (["complaint_id"], True),
    # No cascade: a complaint whose identity was read cannot take its log with it.
    "identity_access_log": (["id"], False),
}
LEAVES = ("jurisdiction_events", "hub_reconciliations", "routing_models")
NEW_COLUMN = ("complaint_events", "reporters")


def _primary_key(table: str, columns: list[str]) -> None:
    op.drop_constraint(f"pk_{table}", table, type_="primary")
    op.create_primary_key(f"pk_{table}", table, columns)


def upgrade() -> None:
    op.create_unique_constraint(
        "uq_complaints_id_jurisdiction_id", "complaints", ["id", "jurisdiction_id"]
    )
    for table in NEW_COLUMN:
        op.add_column(table, sa.Column("jurisdiction_id", sa.Uuid(), nullable=True))
        op.execute(
            f"UPDATE {table} AS t SET jurisdiction_id = c.jurisdiction_id"  # noqa: S608 - ours
            " FROM complaints AS c WHERE c.id = t.complaint_id"
        )
        op.alter_column(table, "jurisdiction_id", nullable=False)
    for table, (key, cascade) in CHILDREN.items():
        name = f"fk_{table}_complaint_id_complaints"
        op.drop_constraint(name, table, type_="foreignkey")
        _primary_key(table, [*key, "jurisdiction_id"])
        op.create_foreign_key(
            name,
            table,
            "complaints",
            ["complaint_id", "jurisdiction_id"],
            ["id", "jurisdiction_id"],
            ondelete="CASCADE" if cascade else None,
        )
    for table in LEAVES:
        _primary_key(table, ["id", "jurisdiction_id"])


def downgrade() -> None:
    for table in LEAVES:
        _primary_key(table, ["id"])
    for table, (key, cascade) in CHILDREN.items():
        name = f"fk_{table}_complaint_id_complaints"
        op.drop_constraint(name, table, type_="foreignkey")
        _primary_key(table, key)
        op.create_foreign_key(
            name,
            table,
            "complaints",
            ["complaint_id"],
            ["id"],
            ondelete="CASCADE" if cascade else None,
        )
    for table in NEW_COLUMN:
        op.drop_column(table, "jurisdiction_id")
    op.drop_constraint("uq_complaints_id_jurisdiction_id", "complaints", type_="unique")
