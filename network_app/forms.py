"""Shared form machinery: every form refuses control characters and invalid UTF-8,
and takes a service's field errors."""
from urllib.parse import unquote_to_bytes

from flask import Request, g, request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Field

from .util import has_forbidden_chars

BAD_CHARACTERS = _l("This contains characters that cannot be used, such as invisible control "
                    "characters or bytes that are not valid UTF-8.")


class PortalRequest(Request):
    """Keeps the raw body of urlencoded forms (at most MAX_CONTENT_LENGTH) for the UTF-8 check."""

    def _load_form_data(self):
        if self.mimetype == "application/x-www-form-urlencoded":
            self.get_data(cache=True, parse_form_data=False)
        super()._load_form_data()


def invalid_utf8_fields() -> set[str]:
    """Names of urlencoded form fields whose bytes are not valid UTF-8.

    Werkzeug keeps such bytes as literal %XX text, which would then be stored as if typed.
    """
    if "invalid_utf8_fields" in g:
        return g.invalid_utf8_fields
    bad = set()
    if request.mimetype == "application/x-www-form-urlencoded":
        for pair in request.get_data(cache=True).split(b"&"):
            name, _, value = pair.partition(b"=")
            try:
                unquote_to_bytes(value.replace(b"+", b" ")).decode("utf-8")
            except UnicodeDecodeError:
                bad.add(unquote_to_bytes(name.replace(b"+", b" ")).decode("utf-8", "replace"))
    g.invalid_utf8_fields = bad
    return bad


class Form(FlaskForm):
    """A FlaskForm (CSRF included) that also refuses NUL, control characters and invalid UTF-8."""

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        bad_bytes = invalid_utf8_fields()
        for field in self:
            data = field.data
            values = data if isinstance(data, list) else [data]
            if field.name in bad_bytes or any(isinstance(v, str) and has_forbidden_chars(v) for v in values):
                field.errors = list(field.errors) + [str(BAD_CHARACTERS)]
                ok = False
        return ok

    def apply_errors(self, errors: dict) -> None:
        """Attach a service's {field: message} errors to the form's fields."""
        for name, message in errors.items():
            field: Field | None = getattr(self, name, None)
            if field is not None:
                # str(): a lazy string counts as safe markup in Jinja, and messages can carry
                # names people typed (an organisation's name, for example).
                field.errors = list(field.errors) + [str(message)]
