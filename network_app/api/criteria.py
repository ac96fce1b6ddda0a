"""Criteria API."""
from . import bp  # noqa: F401
