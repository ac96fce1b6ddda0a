"""JSON API under /api/v1/: bearer-token authentication, JSON errors, OpenAPI 3 description."""
from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from . import criteria, intents, needs, search, specs, views  # noqa: E402,F401 - registers the routes on bp
