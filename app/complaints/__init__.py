"""Complaints: intake, lifecycle, events and reads."""
