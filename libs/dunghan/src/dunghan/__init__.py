"""Đúng hạn shared library: contract, plumbing, calendar and deadline engine."""
