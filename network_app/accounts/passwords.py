"""Password policy: long enough and not one of the passwords attackers try first."""
import re
from functools import cache

from flask import current_app
from flask_babel import lazy_gettext as _l
from werkzeug.security import check_password_hash, generate_password_hash

MIN_LENGTH = 12
MAX_LENGTH = 200

# A hash of a random password, checked when the e-mail is unknown so that the time a login
# takes does not reveal whether an account exists.
_DUMMY_HASH = generate_password_hash("not-a-real-password-only-for-timing")


@cache
def _common_passwords() -> frozenset[str]:
    # zxcvbn ships the 30,000 most common passwords from public leak lists.
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def _is_common(password: str) -> bool:
    lowered = password.lower()
    # "Password1234!" is "password" with the usual decorations; "aaaaaaaaaaaa" is no better.
    core = re.sub(r"^[\W\d_]+|[\W\d_]+$", "", lowered)
    return (len(set(lowered)) <= 3 or lowered in _common_passwords()
            or (len(core) >= 3 and core in _common_passwords()))


def problems(password: str, *, email: str = "", name: str = "") -> str | None:
    """A message explaining why the password is refused, or None if it is acceptable."""
    if len(password) < MIN_LENGTH:
        return _l("Use at least %(n)d characters.", n=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        return _l("Use at most %(n)d characters.", n=MAX_LENGTH)
    if _is_common(password):
        return _l("That password is among the most commonly used ones. Choose another, "
                  "for example a few unrelated words.")
    lowered = password.lower()
    local = email.split("@")[0].lower()
    if (local and len(local) >= 4 and local in lowered) or (name and name.lower() in lowered):
        return _l("Do not use your name or e-mail address in the password.")
    return None


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def verify(password_hash: str | None, password: str) -> bool:
    return check_password_hash(password_hash or _DUMMY_HASH, password) and password_hash is not None
