"""Reporter hashes indexed with their time, so the duplicate search reads a reporter's latest few.

The search used to scan the window's complaints for a matching reporter, which grew with the
table; now each hash is an index range read newest first. Equality lookups (subject-rights
export and correction by NIK, phone or e-mail) use the same indexes' leading column.

Revision ID: 0010
Revises: 0009
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KINDS = ("nik", "phone", "email", "social")


def upgrade() -> None:
    for kind in KINDS:
        op.create_index(
            op.f(f"ix_reporters_{kind}_hash_created"), "reporters", [f"{kind}_hash", "created_at"]
        )
        op.drop_index(op.f(f"ix_reporters_{kind}_hash"), table_name="reporters")


def downgrade() -> None:
    for kind in KINDS:
        op.create_index(op.f(f"ix_reporters_{kind}_hash"), "reporters", [f"{kind}_hash"])
        op.drop_index(op.f(f"ix_reporters_{kind}_hash_created"), table_name="reporters")
