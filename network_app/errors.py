"""The application's error family and the handlers that present it (HTML, or JSON under /api/)."""
import logging

from flask import current_app, jsonify, make_response, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from .extensions import db

log = logging.getLogger(__name__)


class AppError(Exception):
    status, code = 500, "internal"
    message = _l("Something went wrong on our side. Please try again in a moment.")

    def __init__(self, message=None, **details):
        super().__init__(str(message or self.message))
        if message is not None:
            self.message = message
        self.details = details


class NotFound(AppError):
    status, code = 404, "not_found"
    message = _l("We could not find that page.")


class Forbidden(AppError):
    status, code = 403, "forbidden"
    message = _l("You do not have permission to do that.")


class Unauthorized(AppError):
    status, code = 401, "unauthorized"
    message = _l("A valid API token is required.")


class InvalidInput(AppError):
    """Field errors: {field name: message}. Nothing has been stored when this is raised."""

    status, code = 422, "invalid"
    message = _l("Please correct the marked fields.")

    def __init__(self, errors: dict, message=None):
        super().__init__(message)
        self.errors = errors


# Statuses from Werkzeug with a message in the user's language (the same as our own errors').
HTTP_MESSAGES = {
    400: _l("The request could not be understood. Please go back and try again."),
    401: Unauthorized.message,
    403: Forbidden.message,
    404: NotFound.message,
    405: _l("This page cannot be used that way."),
    413: _l("What you sent is too large. The limit is one megabyte."),
    429: _l("Too many attempts. Please wait a few minutes and try again."),
    500: AppError.message,
}
HTTP_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
              405: "method_not_allowed", 413: "too_large", 429: "too_many_requests", 500: "internal"}


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/healthz"


def error_response(status: int, code: str, message, **extra):
    message = str(message)  # never a lazy string: Jinja would treat it as safe markup
    if wants_json():
        body = {"error": {"code": code, "message": str(message)}}
        body["error"].update(extra)
        return jsonify(body), status
    template = f"errors/{status}.html" if status in (400, 403, 404, 413, 429) else "errors/500.html"
    return render_template(template, status=status, message=message, **extra), status


def _long_fields() -> dict:
    """Long text fields from a refused form, shown read-only so the person can copy them back."""
    try:
        return {k: v for k, v in request.form.items()
                if k != "csrf_token" and "password" not in k and len(v) > 80}
    except Exception:  # noqa: BLE001 - the form itself may be what is broken
        return {}


def register_error_handlers(app):
    @app.errorhandler(AppError)
    def handle_app_error(err: AppError):
        extra = dict(err.details)
        if isinstance(err, InvalidInput) and wants_json():
            extra["fields"] = {k: str(v) for k, v in err.errors.items()}
        return error_response(err.status, err.code, err.message, **extra)

    @app.errorhandler(CSRFError)
    def handle_csrf(err):
        message = _l("Your form had expired or was sent from elsewhere, so nothing was saved. "
                     "Reload the page and try again.")
        return error_response(400, "csrf", message, kept=_long_fields())

    @app.errorhandler(HTTPException)
    def handle_http(err: HTTPException):
        status = err.code or 500
        message = HTTP_MESSAGES.get(status, err.description)
        response = make_response(error_response(status, HTTP_CODES.get(status, "http_error"), message))
        if status == 405 and err.valid_methods:
            response.headers["Allow"] = ", ".join(err.valid_methods)
        return response

    @app.errorhandler(Exception)
    def handle_unexpected(err: Exception):
        if current_app.testing and not current_app.config.get("RENDER_500_IN_TESTS"):
            raise err
        user_id = current_user.get_id() if current_user else None
        log.exception("unhandled error on %s %s (user %s, view args %s)",
                      request.method, request.path, user_id, request.view_args)
        db.session.rollback()
        return error_response(500, "internal", HTTP_MESSAGES[500])
