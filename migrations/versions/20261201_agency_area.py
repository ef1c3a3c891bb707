"""agency_area: an agency may serve an area (a kecamatan or desa/kelurahan code)

Area offices (kecamatan, kelurahan) are chosen by where a complaint is, not by what it says:
learned routing gives their shared probability to the office whose area holds the region.

Revision ID: 0012
Revises: 0011
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("agencies", sa.Column("region_code", sa.String(length=13), nullable=True))


def downgrade() -> None:
    op.drop_column("agencies", "region_code")
