"""Uploaded files: checked by content, photos stripped of EXIF/GPS, stored behind an interface."""
