"""People (users with passwords) and machines (clients with API keys)."""
