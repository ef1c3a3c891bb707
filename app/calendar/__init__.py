"""Working-day calendars of the jurisdictions and their HTTP API."""
