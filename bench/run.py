"""`make bench`: request throughput of the main public pages and API on a demo portal.

Runs in-process through the WSGI test client against a temporary SQLite portal with the
demo data, a bounded number of requests per page; prints medians and 95th percentiles.
The foundation issue sets no speed targets; the figures are a baseline for later issues.
"""
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from network_app import create_app  # noqa: E402
from network_app import demo  # noqa: E402
from flask_migrate import upgrade  # noqa: E402

from network_app.extensions import db  # noqa: E402

REQUESTS = 200
TARGET_MS = 50  # a page of this size should render well inside this on one core
PAGES = ["/", "/networks/", "/networks/bebo", "/login", "/register", "/api/v1/networks",
         "/api/v1/networks/bebo", "/healthz"]


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"DATA_DIR": tmp, "SECRET_KEY": "bench",
                          "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.sqlite3",
                          "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
        with app.app_context():
            upgrade()  # the schema comes from the migrations, as in production
            for _label, step in demo.steps():
                step()
            db.session.remove()
        client = app.test_client()
        print(f"{'page':28} {'median ms':>10} {'p95 ms':>8}  target {TARGET_MS} ms")
        failed = False
        for page in PAGES:
            timings = []
            for _ in range(REQUESTS):
                start = time.perf_counter()
                response = client.get(page)
                timings.append((time.perf_counter() - start) * 1000)
                assert response.status_code == 200, (page, response.status_code)
            median = statistics.median(timings)
            p95 = statistics.quantiles(timings, n=20)[-1]
            ok = p95 <= TARGET_MS
            failed |= not ok
            print(f"{page:28} {median:10.2f} {p95:8.2f}  {'ok' if ok else 'SLOW'}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
