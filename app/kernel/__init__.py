"""The shared kernel: settings, database, errors, input rules, security, middleware, logging.

Every domain package builds on it; it imports no domain package.
"""
