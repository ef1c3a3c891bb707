"""Jurisdictions (tenants), their calendar overrides and SLA policy versions."""
