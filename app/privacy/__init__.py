"""Reporter identity: encryption at rest and blind indexes for exact lookups."""
