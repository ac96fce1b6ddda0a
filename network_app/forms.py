"""Shared form machinery: every form refuses control characters and takes service errors."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Field

from .util import has_forbidden_chars


class Form(FlaskForm):
    """A FlaskForm (CSRF included) that also refuses NUL, control characters and invalid UTF-8."""

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        for field in self:
            data = field.data
            values = data if isinstance(data, list) else [data]
            if any(isinstance(v, str) and has_forbidden_chars(v) for v in values):
                field.errors = list(field.errors) + [
                    _l("This contains characters that cannot be used, such as invisible control "
                       "characters or bytes that are not valid UTF-8.")]
                ok = False
        return ok

    def apply_errors(self, errors: dict) -> None:
        """Attach a service's {field: message} errors to the form's fields."""
        for name, message in errors.items():
            field: Field | None = getattr(self, name, None)
            if field is not None:
                field.errors = list(field.errors) + [message]
