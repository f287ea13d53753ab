"""Đúng hạn scoring service."""
