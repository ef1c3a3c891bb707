"""Which table is which on Citus, with `jurisdiction_id` as the distribution column.

The one list of it: `tests/ops/test_tenancy.py` walks the schema against it (a table nobody
classified fails; so does a tenant table whose key or foreign key leaves `jurisdiction_id` out,
and a reference or local table with a foreign key to a tenant one), and `python -m app
citus-sql` prints the statements that distribute a migrated database from it (README "Scaling").

- TENANT tables are distributed by `jurisdiction_id` and co-located: one jurisdiction's rows of
  all of them sit on one node, so a jurisdiction's query and its transaction run on that node.
  Citus checks a primary key or a unique key only when it includes the distribution column, and
  a foreign key between distributed tables only when both sides include it.
- REFERENCE tables are copied whole to every node: the shared lists, and a jurisdiction's own
  configuration, which is small (tens to hundreds of rows each), written rarely by its admins,
  read on nearly every request, and in places looked up before the jurisdiction is known (a
  login's username, an API key's prefix, a channel account's secret). Distributed tables may
  point at them; they may not point at a distributed table.
- LOCAL tables stay on the coordinator only: work queues claimed across every jurisdiction with
  `FOR UPDATE SKIP LOCKED` (Citus takes row locks in one shard only), the process-wide
  bookkeeping that belongs to no jurisdiction, and the lookups made before the jurisdiction is
  known. They may point at reference tables, never at a distributed one: the outbox's and the
  webhook deliveries' `complaint_id` and `ombudsman_case_id` are plain columns (migration 0024
  dropped their keys; nothing in the application deletes a complaint or a case, and deleting a
  jurisdiction still takes its outbox rows and deliveries through their key to `jurisdictions`).
"""

from app.models import Base

DISTRIBUTION_COLUMN = "jurisdiction_id"

TENANT: dict[str, str] = {
    "complaints": "the complaints themselves",
    "complaint_events": "a complaint's history, read and written with it",
    "reporters": "a complaint's sealed reporter identity",
    "attachments": "a complaint's files (their bytes are on disk)",
    "hub_links": "a complaint's id at the national hub",
    "identity_access_log": "every reveal of a reporter's identity",
    "sms_parts": "SMS parts of a jurisdiction's channel accounts, joined into complaints",
    "jurisdiction_events": "a jurisdiction's audit trail",
    "hub_reconciliations": "a jurisdiction's hub comparisons",
    "routing_models": "a jurisdiction's learned routing models (large arrays: not copied)",
    "calendar_overrides": "a jurisdiction's days off and working days",
    "routing_settings": "a jurisdiction's routing threshold",
    "report_targets": "a jurisdiction's yearly report targets",
    "ombudsman_cases": "the Ombudsman's cases about a jurisdiction's services",
    "ombudsman_case_complaints": "a case's links to the jurisdiction's own complaints",
    "ombudsman_steps": "a case's clarifications, meetings, corrective actions, recommendation",
    "ombudsman_case_events": "a case's history, read and written with it",
}

REFERENCE: dict[str, str] = {
    "jurisdictions": "the tenants themselves",
    "regions": "the national Kemendagri list of places",
    "agencies": "configuration; complaints point at their agency",
    "categories": "configuration; complaints point at their category",
    "sla_policies": "configuration; complaints point at the policy they were taken under",
    "routing_rules": "configuration, read by every intake",
    "liaisons": "configuration: who answers for an agency",
    "users": "looked up by username at login, before the jurisdiction is known",
    "clients": "machine clients, reached from an API key",
    "api_keys": "looked up by prefix on every request, before the jurisdiction is known",
    "channel_accounts": "looked up by secret on a provider's request, before the jurisdiction",
    "webhook_endpoints": "configuration, read when an event fans out",
    "ombudsman_policies": "configuration; cases point at the policy they were received under",
}

LOCAL: dict[str, str] = {
    "outbox_messages": "the engine claims due rows of every jurisdiction with SKIP LOCKED",
    "webhook_deliveries": "senders claim due deliveries of every jurisdiction with SKIP LOCKED",
    "webhook_attempts": "the delivery log, read and written with its delivery",
    "idempotency_records": "a caller's replayed answers, by principal and key, short-lived",
    "metric_snapshots": "the worker's counts for /metrics, one row per metric",
    "console_sessions": "found by its cookie's hash before the jurisdiction is known, and "
    "written on every console request: not copied to every node",
    "tracking_ids": "a tracking number to its jurisdiction and complaint, looked up before the "
    "jurisdiction is known and unique nationwide; one narrow row per complaint, written with it",
}


def citus_sql() -> str:
    """The statements that make a migrated database a Citus one (run once, on the coordinator)."""
    lines = ["CREATE EXTENSION IF NOT EXISTS citus;"]
    # A foreign key's target before its source, as Citus needs; every reference table before
    # the distributed ones that point at them.
    ordered = [table.name for table in Base.metadata.sorted_tables]
    lines += [f"SELECT create_reference_table('{name}');" for name in ordered if name in REFERENCE]
    tenant = [name for name in ordered if name in TENANT]
    first = tenant[0]
    lines.append(f"SELECT create_distributed_table('{first}', '{DISTRIBUTION_COLUMN}');")
    lines += [
        f"SELECT create_distributed_table('{name}', '{DISTRIBUTION_COLUMN}', "
        f"colocate_with => '{first}');"
        for name in tenant[1:]
    ]
    return "\n".join(lines)
