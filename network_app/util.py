"""Pure helpers: tokens, slugs, text checks. Nothing here needs the app."""
import hashlib
import re
import secrets
import threading
import unicodedata
from collections import OrderedDict

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


def spreadsheet_cell(value: str) -> str:
    """A spreadsheet cell that cannot become a formula (OWASP: prefix = + - @ tab and CR with ')."""
    value = " ".join((value or "").split())
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


class LRUCache:
    """A small thread-safe least-recently-used cache (functools.lru_cache cannot be filled from outside)."""

    def __init__(self, maxsize: int):
        self.maxsize = maxsize
        self._items: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key, default=None):
        with self._lock:
            if key not in self._items:
                return default
            self._items.move_to_end(key)
            return self._items[key]

    def put(self, key, value) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.maxsize:
                self._items.popitem(last=False)

    def get_or_make(self, key, make):
        value = self.get(key, _MISSING)
        if value is _MISSING:
            value = make()
            self.put(key, value)
        return value


_MISSING = object()
