"""Đúng hạn intake service."""
