"""Suggesting a complaint's type and category from its text."""
