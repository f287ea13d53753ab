"""Test support shared by every service: real broker/database fixtures and small helpers."""
