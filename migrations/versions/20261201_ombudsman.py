"""ombudsman: the Ombudsman's cases, their steps and events, and the deadline policy versions

`ombudsman_cases` (the letter, the reported agency, the sealed citizen, stage and LAHP),
`ombudsman_steps` (clarifications, meetings, corrective actions, recommendations, each with its
deadline), `ombudsman_case_events`, `ombudsman_case_complaints` (links to the Pemda's own
complaints), `ombudsman_policies`; attachments may belong to a case; the identity access log
records reads of a case's citizen (`ombudsman_case_id`, exactly one subject per row); users
may hold the role `ombudsman_liaison`.

Revision ID: 0016
Revises: 0015
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ombudsman_policies",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("jurisdiction_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("clarification_days", sa.Integer(), nullable=False),
        sa.Column("clarification_unit", sa.String(length=16), nullable=False),
        sa.Column("corrective_action_days", sa.Integer(), nullable=False),
        sa.Column("corrective_action_unit", sa.String(length=16), nullable=False),
        sa.Column("recommendation_days", sa.Integer(), nullable=False),
        sa.Column("recommendation_unit", sa.String(length=16), nullable=False),
        sa.Column("legal_basis", sa.String(length=500), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "clarification_unit IN ('working_days', 'calendar_days') AND corrective_action_unit IN ('working_days', 'calendar_days') AND recommendation_unit IN ('working_days', 'calendar_days')",
            name=op.f("ck_ombudsman_policies_units"),
        ),
        sa.CheckConstraint(
            "clarification_days > 0 AND corrective_action_days > 0 AND recommendation_days > 0",
            name=op.f("ck_ombudsman_policies_positive_days"),
        ),
        sa.ForeignKeyConstraint(
            ["jurisdiction_id"],
            ["jurisdictions.id"],
            name=op.f("fk_ombudsman_policies_jurisdiction_id_jurisdictions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ombudsman_policies")),
        sa.UniqueConstraint(
            "jurisdiction_id",
            "effective_from",
            name=op.f("uq_ombudsman_policies_jurisdiction_id_effective_from"),
        ),
        sa.UniqueConstraint(
            "jurisdiction_id", "version", name=op.f("uq_ombudsman_policies_jurisdiction_id_version")
        ),
    )
    op.create_index(
        op.f("ix_ombudsman_policies_jurisdiction_id"),
        "ombudsman_policies",
        ["jurisdiction_id"],
        unique=False,
    )
    op.create_table(
        "ombudsman_cases",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("jurisdiction_id", sa.Uuid(), nullable=False),
        sa.Column("letter_number", sa.String(length=100), nullable=False),
        sa.Column("letter_date", sa.Date(), nullable=False),
        sa.Column("perwakilan", sa.String(length=200), nullable=False),
        sa.Column("report_number", sa.String(length=100), nullable=True),
        sa.Column("subject", sa.String(length=500), nullable=False),
        sa.Column("agency_id", sa.Uuid(), nullable=False),
        sa.Column("stage", sa.String(length=20), nullable=False),
        sa.Column("policy_id", sa.Uuid(), nullable=True),
        sa.Column("policy_version", sa.Integer(), nullable=False),
        sa.Column("citizen_key_id", sa.String(length=32), nullable=True),
        sa.Column("citizen_ciphertext", sa.LargeBinary(), nullable=True),
        sa.Column("citizen_confidential", sa.Boolean(), nullable=False),
        sa.Column("conclusion", sa.String(length=40), nullable=True),
        sa.Column("lahp_number", sa.String(length=100), nullable=True),
        sa.Column("lahp_received_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_seq", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "conclusion IS NULL OR conclusion IN ('maladministration_found', 'maladministration_not_found', 'examination_stopped')",
            name=op.f("ck_ombudsman_cases_conclusion"),
        ),
        sa.CheckConstraint(
            "stage IN ('examination', 'corrective_action', 'recommendation', 'closed')",
            name=op.f("ck_ombudsman_cases_stage"),
        ),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_ombudsman_cases_agency_id_agencies")
        ),
        sa.ForeignKeyConstraint(
            ["jurisdiction_id"],
            ["jurisdictions.id"],
            name=op.f("fk_ombudsman_cases_jurisdiction_id_jurisdictions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["policy_id"],
            ["ombudsman_policies.id"],
            name=op.f("fk_ombudsman_cases_policy_id_ombudsman_policies"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ombudsman_cases")),
        sa.UniqueConstraint(
            "jurisdiction_id",
            "letter_number",
            name=op.f("uq_ombudsman_cases_jurisdiction_id_letter_number"),
        ),
    )
    op.create_index(
        "ix_ombudsman_cases_agency", "ombudsman_cases", ["agency_id", "stage"], unique=False
    )
    op.create_index(
        "ix_ombudsman_cases_list",
        "ombudsman_cases",
        ["jurisdiction_id", "received_at", "id"],
        unique=False,
    )
    op.create_table(
        "ombudsman_case_events",
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=40), nullable=False),
        sa.Column("stage", sa.String(length=20), nullable=False),
        sa.Column("step_id", sa.Uuid(), nullable=True),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("data", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["ombudsman_cases.id"],
            name=op.f("fk_ombudsman_case_events_case_id_ombudsman_cases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("case_id", "seq", name=op.f("pk_ombudsman_case_events")),
    )
    op.create_table(
        "ombudsman_steps",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("meeting_kind", sa.String(length=20), nullable=True),
        sa.Column("reference", sa.String(length=100), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("owner_agency_id", sa.Uuid(), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("scheduled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("place", sa.String(length=300), nullable=True),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("notes", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("attachments", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('clarification', 'meeting', 'corrective_action', 'recommendation')",
            name=op.f("ck_ombudsman_steps_kind"),
        ),
        sa.CheckConstraint("state IN ('open', 'done')", name=op.f("ck_ombudsman_steps_state")),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["ombudsman_cases.id"],
            name=op.f("fk_ombudsman_steps_case_id_ombudsman_cases"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["owner_agency_id"],
            ["agencies.id"],
            name=op.f("fk_ombudsman_steps_owner_agency_id_agencies"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ombudsman_steps")),
        sa.UniqueConstraint("case_id", "number", name=op.f("uq_ombudsman_steps_case_id_number")),
    )
    op.create_index(
        "ix_ombudsman_steps_owner",
        "ombudsman_steps",
        ["owner_agency_id", "kind", "state"],
        unique=False,
    )
    op.create_table(
        "ombudsman_case_complaints",
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("complaint_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["ombudsman_cases.id"],
            name=op.f("fk_ombudsman_case_complaints_case_id_ombudsman_cases"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["complaint_id"],
            ["complaints.id"],
            name=op.f("fk_ombudsman_case_complaints_complaint_id_complaints"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "case_id", "complaint_id", name=op.f("pk_ombudsman_case_complaints")
        ),
    )
    op.create_index(
        op.f("ix_ombudsman_case_complaints_complaint_id"),
        "ombudsman_case_complaints",
        ["complaint_id"],
        unique=False,
    )
    op.add_column("attachments", sa.Column("ombudsman_case_id", sa.Uuid(), nullable=True))
    op.create_index(
        op.f("ix_attachments_ombudsman_case_id"), "attachments", ["ombudsman_case_id"], unique=False
    )
    op.create_foreign_key(
        op.f("fk_attachments_ombudsman_case_id_ombudsman_cases"),
        "attachments",
        "ombudsman_cases",
        ["ombudsman_case_id"],
        ["id"],
        ondelete="CASCADE",
    )
    op.add_column("identity_access_log", sa.Column("ombudsman_case_id", sa.Uuid(), nullable=True))
    op.alter_column("identity_access_log", "complaint_id", existing_type=sa.UUID(), nullable=True)
    op.create_index(
        "ix_identity_access_log_ombudsman_case",
        "identity_access_log",
        ["ombudsman_case_id", "occurred_at"],
        unique=False,
    )
    op.create_foreign_key(
        op.f("fk_identity_access_log_ombudsman_case_id_ombudsman_cases"),
        "identity_access_log",
        "ombudsman_cases",
        ["ombudsman_case_id"],
        ["id"],
    )
    op.create_check_constraint(
        op.f("ck_identity_access_log_one_subject"),
        "identity_access_log",
        "(complaint_id IS NULL) <> (ombudsman_case_id IS NULL)",
    )
    op.drop_constraint(op.f("ck_users_role"), "users", type_="check")
    op.create_check_constraint(
        op.f("ck_users_role"),
        "users",
        "role IN ('admin', 'supervisor', 'liaison', 'operator', 'ombudsman_liaison')",
    )
    # A callback delivery is owed for a complaint's event or for a case's.
    op.add_column("webhook_deliveries", sa.Column("ombudsman_case_id", sa.Uuid(), nullable=True))
    op.alter_column("webhook_deliveries", "complaint_id", existing_type=sa.UUID(), nullable=True)
    op.create_foreign_key(
        op.f("fk_webhook_deliveries_ombudsman_case_id_ombudsman_cases"),
        "webhook_deliveries",
        "ombudsman_cases",
        ["ombudsman_case_id"],
        ["id"],
        ondelete="CASCADE",
    )
    op.create_check_constraint(
        op.f("ck_webhook_deliveries_one_subject"),
        "webhook_deliveries",
        "(complaint_id IS NULL) <> (ombudsman_case_id IS NULL)",
    )


def downgrade() -> None:
    # Fails while a narahubung exists or a case citizen's read is logged (the log is
    # append-only): reassign those users first; the log keeps its rows by design.
    op.drop_constraint(op.f("ck_users_role"), "users", type_="check")
    op.create_check_constraint(
        op.f("ck_users_role"), "users", "role IN ('admin', 'supervisor', 'liaison', 'operator')"
    )
    op.drop_constraint(
        op.f("ck_identity_access_log_one_subject"), "identity_access_log", type_="check"
    )
    op.execute("DELETE FROM webhook_deliveries WHERE ombudsman_case_id IS NOT NULL")
    op.drop_constraint(
        op.f("ck_webhook_deliveries_one_subject"), "webhook_deliveries", type_="check"
    )
    op.drop_constraint(
        op.f("fk_webhook_deliveries_ombudsman_case_id_ombudsman_cases"),
        "webhook_deliveries",
        type_="foreignkey",
    )
    op.alter_column("webhook_deliveries", "complaint_id", existing_type=sa.UUID(), nullable=False)
    op.drop_column("webhook_deliveries", "ombudsman_case_id")
    op.drop_constraint(
        op.f("fk_identity_access_log_ombudsman_case_id_ombudsman_cases"),
        "identity_access_log",
        type_="foreignkey",
    )
    op.drop_index("ix_identity_access_log_ombudsman_case", table_name="identity_access_log")
    op.alter_column("identity_access_log", "complaint_id", existing_type=sa.UUID(), nullable=False)
    op.drop_column("identity_access_log", "ombudsman_case_id")
    op.drop_constraint(
        op.f("fk_attachments_ombudsman_case_id_ombudsman_cases"), "attachments", type_="foreignkey"
    )
    op.drop_index(op.f("ix_attachments_ombudsman_case_id"), table_name="attachments")
    op.drop_column("attachments", "ombudsman_case_id")
    op.drop_index(
        op.f("ix_ombudsman_case_complaints_complaint_id"), table_name="ombudsman_case_complaints"
    )
    op.drop_table("ombudsman_case_complaints")
    op.drop_index("ix_ombudsman_steps_owner", table_name="ombudsman_steps")
    op.drop_table("ombudsman_steps")
    op.drop_table("ombudsman_case_events")
    op.drop_index("ix_ombudsman_cases_list", table_name="ombudsman_cases")
    op.drop_index("ix_ombudsman_cases_agency", table_name="ombudsman_cases")
    op.drop_table("ombudsman_cases")
    op.drop_index(op.f("ix_ombudsman_policies_jurisdiction_id"), table_name="ombudsman_policies")
    op.drop_table("ombudsman_policies")
