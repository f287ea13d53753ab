"""Đúng hạn deadline service."""
