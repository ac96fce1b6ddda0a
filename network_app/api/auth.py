"""Bearer tokens: `Authorization: Bearer <token>` identifies the API user."""
from functools import wraps

from flask import g, request

from ..accounts import services as accounts
from ..errors import Unauthorized


def api_user():
    """The token's user, None without a token; a wrong or revoked token is refused with 401."""
    if "api_user" in g:
        return g.api_user
    header = request.headers.get("Authorization", "")
    user = None
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthorized("Use the header 'Authorization: Bearer <token>'.")
        user = accounts.user_for_api_token(token.strip())
        if user is None:
            raise Unauthorized("The API token is unknown or has been revoked.")
    g.api_user = user
    return user


def token_required(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        if api_user() is None:
            raise Unauthorized()
        return view(*args, **kwargs)
    return wrapper


def token_optional(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        api_user()
        return view(*args, **kwargs)
    return wrapper
