"""Pure helpers: tokens, slugs, text checks. Nothing here needs the app."""
import hashlib
import re
import secrets
import unicodedata

SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
# Characters no person types into a form: NUL and other C0 controls except tab and newlines,
# and U+FFFD, which is what invalid UTF-8 bytes decode to.
_FORBIDDEN_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffd]")


def new_token() -> str:
    """A URL-safe secret with 256 bits of randomness."""
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """What we store instead of a secret token: its SHA-256 in hex."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def slugify(text: str, max_length: int = 64) -> str:
    """'Inköpscentral Mitt' -> 'inkopscentral-mitt'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:max_length].rstrip("-")


def has_forbidden_chars(text: str) -> bool:
    return bool(_FORBIDDEN_CHARS.search(text))
