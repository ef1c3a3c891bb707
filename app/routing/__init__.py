"""Agencies, categories and where each complaint goes."""
