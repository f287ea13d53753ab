"""Đúng hạn notify service."""
