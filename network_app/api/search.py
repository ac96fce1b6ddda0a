"""Search API."""
from . import bp  # noqa: F401
