"""The transactional outbox: what must follow a change, claimed by the worker."""
