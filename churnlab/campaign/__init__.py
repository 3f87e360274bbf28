"""Retention campaigns: value, expected gain, selection, segments, control groups."""
