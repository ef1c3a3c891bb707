"""channel_ref scope: a channel's message id is unique per sender, not per jurisdiction

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 10:45:00

Two apps of one district may both number their messages from 1: the redelivery key becomes
(jurisdiction, channel, sender, channel_ref), the sender being `submitted_by` (the API client,
the user, or the provider's channel account). Every existing row keeps its place: the new key
has one column more than the old one, so rows unique under the old index are unique under it.
Rows taken in by a provider account before the account was recorded as their sender get it from
their channel detail; any other row without a sender keeps NULL, which no new intake writes
(every intake has a caller), so such rows can never answer a new sender's redelivery.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        """
        UPDATE complaints SET submitted_by = CAST(channel_detail ->> 'account_id' AS uuid)
        WHERE submitted_by IS NULL AND channel_detail ->> 'account_id' IS NOT NULL
        """
    )
    op.drop_index("uq_complaints_channel_ref", table_name="complaints")
    op.create_index(
        "uq_complaints_sender_channel_ref",
        "complaints",
        ["jurisdiction_id", "channel", "submitted_by", "channel_ref"],
        unique=True,
        postgresql_where=sa.text("channel_ref IS NOT NULL"),
    )


def downgrade() -> None:
    # Fails, and changes nothing, once two senders have used one reference: merging their
    # complaints is not something a downgrade may decide.
    op.drop_index("uq_complaints_sender_channel_ref", table_name="complaints")
    op.create_index(
        "uq_complaints_channel_ref",
        "complaints",
        ["jurisdiction_id", "channel", "channel_ref"],
        unique=True,
        postgresql_where=sa.text("channel_ref IS NOT NULL"),
    )
