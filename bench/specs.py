"""`make bench` (second part): specification pages over HTTP on gunicorn, against the issue's targets.

What it does, in a fresh temporary DATA_DIR (SQLite, nothing outside it is touched):

1. `flask init` and `flask demo`, then seeds the network bebo's bare repository directly with
   `git fast-import` (the service layer would take far too long for 5,000 revisions): 200
   specifications of about 5 KB, one with 5,000 revisions, one with exactly 100, 1,000 unrelated
   commits to other paths interleaved with them, and a specification for the concurrent saves.
   The `specs` rows are inserted through the app context; `flask check --repair` builds the
   revision cache from git and `flask check` must then report no problems.
2. Starts the portal on gunicorn (2 workers, 127.0.0.1, a free port) and logs in over HTTP as
   the coordinator of bebo; a plain Flask page of the same size (bench/plain_app.py) runs on a
   second gunicorn with the same settings.
3. Measures, with bounded loops: p50/p95 of the specification page, the history page, a diff of
   two old revisions, saves; edit-then-save cycles per second from one client; throughput of the
   specification page and the plain page under 8 concurrent clients (taking turns, 5 rounds, so
   that load from other programs falls on both alike); history time at 100 vs 5,000 revisions;
   8 clients saving the same specification for 30 s, then checks that no acknowledged save is
   missing from git, `git fsck`, and that the revision cache (read through the API) lists the
   same commits in the same order as git for the specifications saved to (what `flask check`
   compares; the whole `flask check` takes about half a minute on this repository).
4. Prints a table of figures against the targets with PASS/FAIL. Exit status 0 even when a target
   is missed (it is a report); non-zero only when the benchmark itself broke.

Options: --quick (shorter loops, for trying the script), --keep (keep DATA_DIR and print its path).
"""
import argparse
import html
import http.client
import json
import math
import multiprocessing
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent  # .venv/bin when run as `make bench`

NETWORK = "bebo"
EMAIL = "samordnare@bebo.example"
PASSWORD = "demo-losenord-2026"
WORKERS = 2
CLIENTS = 8

N_SPECS = 200
LONG_REVISIONS = 5000
SHORT_REVISIONS = 100
UNRELATED_COMMITS = 1000
LONG_SLUG = "fastighetsautomation-lang-historik"
SHORT_SLUG = "fastighetsautomation-kort-historik"
STORM_SLUG = "samtidiga-andringar"
START_TIME = 1672574400  # 2023-01-01 12:00 UTC: seeded commits are 5 minutes apart from here

# Targets from the issue.
TARGET_VIEW_P95 = 25.0
TARGET_HISTORY_P95 = 30.0
TARGET_DIFF_P95 = 40.0
TARGET_SAVE_P95 = 120.0
TARGET_CYCLES = 20.0
TARGET_RATIO = 0.30
FLAT_TOLERANCE = 1.5  # "does not grow": the 5,000-revision page within 1.5x the 100-revision page (p50)


@dataclass
class Settings:
    requests: int = 300  # per page for p50/p95
    save_cycles: int = 150  # sequential GET edit + POST
    flat_requests: int = 100  # per history URL
    throughput_seconds: float = 10.0
    storm_seconds: float = 30.0


QUICK = Settings(requests=60, save_cycles=30, flat_requests=20, throughput_seconds=3.0, storm_seconds=8.0)


class BenchError(Exception):
    """The benchmark itself broke (not a missed target)."""


# --- a small HTTP client: cookies, CSRF token, no redirects followed --------------------------------

@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: str
    ms: float

    def header(self, name: str) -> str:
        return self.headers.get(name, "")

    @property
    def location(self) -> str:
        """The redirect target as a path (Werkzeug sends relative ones; absolute ones are cut down)."""
        parts = urllib.parse.urlsplit(self.header("Location") or "/")
        return parts.path + (f"?{parts.query}" if parts.query else "")


class Client:
    """One browser: its own cookies (and so its own session). http.client with keep-alive when
    the server offers it (gunicorn's sync workers close after each response; then it reconnects)."""

    def __init__(self, port: int, timeout: float = 60.0):
        self.port, self.timeout = port, timeout
        self.cookies: dict[str, str] = {}
        self.conn: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, form: dict | None = None, headers: dict | None = None) -> Response:
        body = urllib.parse.urlencode(form).encode("utf-8") if form is not None else None
        head = {"Accept-Language": "sv", **(headers or {})}
        if body is not None:
            head["Content-Type"] = "application/x-www-form-urlencoded"
        if self.cookies:
            head["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
            start = time.perf_counter()
            try:
                self.conn.request(method, path, body=body, headers=head)
                raw = self.conn.getresponse()
                data = raw.read()
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                self.close()  # a kept-alive connection the server had closed: once more on a new one
                if attempt == 2:
                    raise
                continue
            ms = (time.perf_counter() - start) * 1000
            if raw.will_close:
                self.close()
            self._remember(raw.msg.get_all("Set-Cookie") or [])
            return Response(raw.status, raw.msg, data.decode("utf-8", "replace"), ms)
        raise AssertionError("unreachable")

    def get(self, path: str, **kw) -> Response:
        return self.request("GET", path, **kw)

    def post(self, path: str, form: dict, **kw) -> Response:
        return self.request("POST", path, form=form, **kw)

    def _remember(self, set_cookies: list[str]) -> None:
        for line in set_cookies:
            pair, *attributes = line.split(";")
            name, _, value = pair.strip().partition("=")
            expired = any(a.strip().lower() in ("max-age=0",) or "1970" in a for a in attributes)
            if expired or value == "":
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def login(self) -> None:
        page = self.get("/login")
        token = hidden_value(page.body, "csrf_token")
        done = self.post("/login", {"csrf_token": token, "next": "", "email": EMAIL, "password": PASSWORD})
        if done.status != 302:
            raise BenchError(f"login as {EMAIL} answered {done.status}, not 302 (throttled or wrong password?)")
        self.get(done.location)  # the page that shows (and so clears) the flash


def hidden_value(page: str, name: str) -> str:
    for tag in re.findall(r"<input[^>]*>", page):
        if re.search(rf'\bname="{re.escape(name)}"', tag):
            found = re.search(r'\bvalue="([^"]*)"', tag)
            return html.unescape(found.group(1)) if found else ""
    raise BenchError(f"no hidden field {name!r} in the page")


def textarea_value(page: str, name: str) -> str:
    found = re.search(rf'<textarea[^>]*\bname="{re.escape(name)}"[^>]*>(.*?)</textarea>', page, re.S)
    if not found:
        raise BenchError(f"no textarea {name!r} in the page")
    text = html.unescape(found.group(1))
    return text[2:] if text.startswith("\r\n") else text[1:] if text.startswith("\n") else text


def flashes(page: str) -> list[str]:
    block = re.search(r'<div class="flashes"[^>]*>(.*?)</div>', page, re.S)
    return [html.unescape(m) for m in re.findall(r"<p[^>]*>(.*?)</p>", block.group(1), re.S)] if block else []


def edit_form(client: Client, slug: str) -> tuple[Response, dict]:
    page = client.get(f"/networks/{NETWORK}/specs/{slug}/edit")
    if page.status != 200:
        raise BenchError(f"edit form of {slug} answered {page.status}")
    return page, {"csrf_token": hidden_value(page.body, "csrf_token"),
                  "base_revision": hidden_value(page.body, "base_revision"),
                  "section": hidden_value(page.body, "section"),
                  "text": textarea_value(page.body, "text")}


# --- statistics ---------------------------------------------------------------------------------

def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(1, min(len(ordered), math.ceil(p / 100 * len(ordered))))
    return ordered[rank - 1]


def p50(values):
    return percentile(values, 50)


def p95(values):
    return percentile(values, 95)


# --- the portal: environment, commands, servers ---------------------------------------------------

PORTAL_VARIABLES = ("DATABASE_URL", "RATELIMIT_STORAGE_URI", "PROXY_HOPS", "SERVER_NAME", "PREFERRED_URL_SCHEME",
                    "SESSION_COOKIE_SECURE", "LOGIN_LIMIT_PER_ACCOUNT", "LOGIN_LIMIT_PER_ADDRESS",
                    "REGISTER_LIMIT_PER_ADDRESS", "PORTAL_BASE_URL", "MAIL_SERVER", "FLASK_APP")


def portal_env(data_dir: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in PORTAL_VARIABLES}
    env.update(DATA_DIR=str(data_dir), SECRET_KEY="bench-" + os.urandom(8).hex(),
               DATABASE_URL=f"sqlite:///{data_dir / 'portal.sqlite3'}", PYTHONUNBUFFERED="1")
    return env


def flask(env: dict, *args: str, ok=(0,)) -> subprocess.CompletedProcess:
    done = subprocess.run([str(BIN / "flask"), "--app", "wsgi", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=600)
    if done.returncode not in ok:
        raise BenchError(f"flask {' '.join(args)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}")
    return done


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """gunicorn with `WORKERS` sync workers on 127.0.0.1; stop() always ends it and its workers."""

    def __init__(self, name: str, app: str, env: dict, log_dir: Path, chdir: Path = ROOT):
        self.name, self.port = name, free_port()
        self.log = log_dir / f"gunicorn-{name}.log"
        self.proc = subprocess.Popen(
            [str(BIN / "gunicorn"), "--workers", str(WORKERS), "--bind", f"127.0.0.1:{self.port}",
             "--chdir", str(chdir), "--error-logfile", str(self.log), "--timeout", "120", app],
            cwd=chdir, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, start_new_session=True)

    def wait_ready(self, path: str, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise BenchError(f"gunicorn ({self.name}) exited with {self.proc.returncode}:\n{self.tail()}")
            try:
                if Client(self.port, timeout=5).get(path).status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise BenchError(f"gunicorn ({self.name}) did not answer {path} within {seconds} s:\n{self.tail()}")

    def tail(self) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-30:])
        except OSError:
            return "(no log)"

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()  # the master stops its workers
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, 9)  # its own session: only this gunicorn and its workers
                self.proc.wait(5)


# --- seeding ---------------------------------------------------------------------------------------

TOPICS = ["värmepumpar", "tvättstugor", "ventilation", "laddplatser", "belysning", "hissar", "solceller",
          "fönster", "takarbeten", "fasadrenovering", "passersystem", "städtjänster", "snöröjning",
          "avfallshantering", "markskötsel", "vattenmätning", "energiuppföljning", "brandlarm",
          "styr-och-regler", "lekplatser"]
SENTENCES = [
    "Leverantören ska redovisa hur kravet uppfylls och hur det verifieras under avtalstiden.",
    "Kravet gäller samtliga fastigheter som omfattas av ramavtalet, även de som tillkommer senare.",
    "Beställaren har rätt att begära in underlag som styrker uppgifterna inom tio arbetsdagar.",
    "Utrustningen ska vara dimensionerad för dygnet-runt-drift i flerbostadshus med hög belastning.",
    "Nätverket har tagit fram kraven gemensamt efter dialog med leverantörer och förvaltare.",
    "Livscykelkostnaden beräknas med gemensamma indata för energipris, kalkylränta och livslängd.",
    "Avvikelser ska rapporteras skriftligen till beställarens kontaktperson utan dröjsmål.",
    "Dokumentation ska lämnas på svenska i ett redigerbart format senast vid slutbesiktning.",
    "Underhållsplanen ska ange intervall, åtgärder och uppskattad kostnad för de första tio åren.",
    "Små och medelstora företag ska kunna lämna anbud på delområden utan krav på hela åtagandet.",
]
UNITS = ["dB(A)", "kWh/år", "timmar", "arbetsdagar", "procent", "år", "kg CO2e", "minuter"]


def _paragraph(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(SENTENCES) for _ in range(n))


def spec_lines(rng: random.Random, title: str, requirements: int = 24) -> list[str]:
    """A realistic Swedish requirement specification of about 5 KB, as lines of Markdown."""
    lines = [f"# {title}", "", "## Bakgrund", "", _paragraph(rng, 3), "", "## Omfattning", ""]
    lines += [f"- {rng.choice(SENTENCES)}" for _ in range(4)] + ["", "## Ska-krav", ""]
    for k in range(1, requirements + 1):
        lines += [f"{k}. **K{k}** Värdet får vara högst {rng.randint(5, 95)} {rng.choice(UNITS)}. "
                  f"{rng.choice(SENTENCES)}", ""]
    lines += ["## Bör-krav", ""] + [f"- {rng.choice(SENTENCES)}" for _ in range(3)]
    lines += ["", "## Kravnivåer", "", "| Krav | Nivå | Verifiering |", "|---|---|---|"]
    lines += [f"| K{k} | {rng.randint(1, 3)} | {rng.choice(['Intyg', 'Mätprotokoll', 'Egenkontroll', 'Stickprov'])} |"
              for k in range(1, 9)]
    lines += ["", "## Uppföljning", "", _paragraph(rng, 2), "", "### Kontakt", "",
              "Frågor om kravspecifikationen besvaras av nätverkets samordnare.", ""]
    return lines


def storm_lines() -> list[str]:
    """The text the concurrent savers edit: one line per client, far apart, plus a line they share."""
    lines = ["# Samtidiga ändringar", "", "## Gemensamt", "", "Gemensam rad: ursprunglig", "",
             SENTENCES[0], "", SENTENCES[1], ""]
    for i in range(CLIENTS):
        lines += [f"## Avsnitt {i}", "", SENTENCES[i % len(SENTENCES)], "", f"Klient {i}: värde 0", "",
                  SENTENCES[(i + 3) % len(SENTENCES)], "", SENTENCES[(i + 5) % len(SENTENCES)], ""]
    return lines


def _revised(line: str, n: int, rng: random.Random) -> str:
    """A requirement line with a new limit, marked with the change that made it."""
    line = re.sub(r" \(ändring \d+\)$", "", line)
    return re.sub(r"högst \d+", f"högst {rng.randint(5, 95)}", line) + f" (ändring {n})"


def _data(payload: bytes) -> bytes:
    return b"data %d\n" % len(payload) + payload + b"\n"


class Stream:
    """A `git fast-import` stream of commits on refs/heads/main, continuing the existing branch."""

    def __init__(self, author: tuple[str, str], committer: tuple[str, str]):
        self.author, self.committer = author, committer
        self.parts: list[bytes] = []
        self.commits = 0

    def commit(self, files: list[tuple[str, str]], message: str) -> None:
        when = START_TIME + 300 * self.commits
        self.parts.append(b"commit refs/heads/main\n")
        self.parts.append(f"author {self.author[0]} <{self.author[1]}> {when} +0000\n".encode())
        self.parts.append(f"committer {self.committer[0]} <{self.committer[1]}> {when} +0000\n".encode())
        self.parts.append(_data((message.strip() + "\n").encode()))
        if self.commits == 0:
            self.parts.append(b"from refs/heads/main^0\n")  # continue the demo's history
        for path, text in files:
            self.parts.append(f"M 100644 inline {path}\n".encode())
            self.parts.append(_data(text.encode()))
        self.commits += 1

    def bytes(self) -> bytes:
        return b"".join(self.parts) + b"done\n"


@dataclass
class Seeded:
    specs: list[str]  # the 200 slugs
    titles: dict[str, str]
    commits_added: int
    unrelated: int
    repo: Path
    seconds: float = 0.0
    check_output: str = ""
    steps: dict = field(default_factory=dict)  # step -> seconds


def seed(data_dir: Path, env: dict) -> Seeded:
    started = time.monotonic()
    steps = {}
    flask(env, "init")
    flask(env, "demo")
    steps["init + demo"] = time.monotonic() - started
    app = _app(data_dir, env)
    from sqlalchemy import select

    from network_app.accounts.models import User
    from network_app.extensions import db

    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == EMAIL))
        author = (user.name, user.email)
        committer = (app.config["COMMITTER_NAME"], app.config["COMMITTER_EMAIL"])
        db.session.remove()

    rng = random.Random(2026)
    stream = Stream(author, committer)
    slugs, titles = [], {}
    for i in range(1, N_SPECS + 1):
        topic = TOPICS[(i - 1) % len(TOPICS)]
        ascii_topic = topic.translate(str.maketrans("åäö", "aao"))  # document paths are [a-z0-9._-]
        slug, title = f"krav-{ascii_topic}-{i:03d}", f"Kravspecifikation {topic.replace('-', ' ')} {i:03d}"
        slugs.append(slug)
        titles[slug] = title
        stream.commit([(f"specs/{slug}.md", "\n".join(spec_lines(rng, title)))],
                      f"Första utkast till {title}")

    long_title, short_title = "Fastighetsautomation (lång historik)", "Fastighetsautomation (kort historik)"
    titles[LONG_SLUG], titles[SHORT_SLUG] = long_title, short_title
    long_lines, short_lines = spec_lines(rng, long_title, 40), spec_lines(rng, short_title, 40)
    stream.commit([(f"specs/{LONG_SLUG}.md", "\n".join(long_lines))], f"Första utkast till {long_title}")
    stream.commit([(f"specs/{SHORT_SLUG}.md", "\n".join(short_lines))], f"Första utkast till {short_title}")
    requirement_rows = [n for n, line in enumerate(long_lines) if re.match(r"^\d+\. \*\*K", line)]
    short_rows = [n for n, line in enumerate(short_lines) if re.match(r"^\d+\. \*\*K", line)]
    unrelated, short_count = 0, 1
    every = (LONG_REVISIONS - 1) / UNRELATED_COMMITS
    for n in range(2, LONG_REVISIONS + 1):
        row = requirement_rows[n % len(requirement_rows)]
        long_lines[row] = _revised(long_lines[row], n, rng)
        stream.commit([(f"specs/{LONG_SLUG}.md", "\n".join(long_lines))],
                      f"Justerat K{requirement_rows.index(row) + 1} efter remissvar (ändring {n})")
        if n % 50 == 0 and short_count < SHORT_REVISIONS:
            short_count += 1
            row = short_rows[short_count % len(short_rows)]
            short_lines[row] = _revised(short_lines[row], short_count, rng)
            stream.commit([(f"specs/{SHORT_SLUG}.md", "\n".join(short_lines))], f"Ändring {short_count}")
        while unrelated < UNRELATED_COMMITS and unrelated < (n - 1) / every:
            unrelated += 1
            stream.commit([(f"protokoll/motesanteckning-{unrelated % 100:02d}.md",
                            f"# Mötesanteckning {unrelated}\n\n{_paragraph(rng, 4)}\n")],
                          f"Mötesanteckning {unrelated}")
    while short_count < SHORT_REVISIONS:  # never: 100 revisions fit in 5,000; kept for other settings
        short_count += 1
        short_lines.append(f"Tillägg {short_count}.")
        stream.commit([(f"specs/{SHORT_SLUG}.md", "\n".join(short_lines))], f"Ändring {short_count}")
    titles[STORM_SLUG] = "Samtidiga ändringar"
    stream.commit([(f"specs/{STORM_SLUG}.md", "\n".join(storm_lines()))], "Första utkast för samtidiga ändringar")

    repo = data_dir / "repos" / f"{NETWORK}.git"
    mark = time.monotonic()
    imported = subprocess.run(["git", "-C", str(repo), "fast-import", "--quiet"], input=stream.bytes(),
                              capture_output=True, timeout=600)
    if imported.returncode != 0:
        raise BenchError(f"git fast-import failed: {imported.stderr.decode(errors='replace')}")

    with app.app_context():
        from network_app.networks.models import Network
        from network_app.specs.models import Spec

        network = db.session.scalar(select(Network).where(Network.slug == NETWORK))
        for slug in slugs + [LONG_SLUG, SHORT_SLUG, STORM_SLUG]:
            db.session.add(Spec(network_id=network.id, slug=slug, title=titles[slug], summary="", category="",
                                status="draft"))
        db.session.commit()
        db.session.remove()
        db.engine.dispose()

    steps["fast-import + rows"] = time.monotonic() - mark
    mark = time.monotonic()
    repaired = flask(env, "check", "--repair")
    if "Repaired" not in repaired.stdout:
        raise BenchError(f"flask check --repair repaired nothing:\n{repaired.stdout}")
    steps["flask check --repair"] = time.monotonic() - mark
    mark = time.monotonic()
    flask(env, "reindex")  # a running portal has its search index; without one the first save builds it
    steps["flask reindex"] = time.monotonic() - mark
    mark = time.monotonic()
    checked = flask(env, "check", ok=(0, 1))
    steps["flask check"] = time.monotonic() - mark
    if checked.returncode != 0 or "no problems" not in checked.stdout:
        raise BenchError(f"flask check after seeding reports problems:\n{checked.stdout}")
    return Seeded(slugs, titles, stream.commits, unrelated, repo, time.monotonic() - started,
                  checked.stdout.strip().splitlines()[-1], steps)


def _app(data_dir: Path, env: dict):
    """The portal's app object in this process, for inserting rows (same settings as the servers)."""
    sys.path.insert(0, str(ROOT))
    from network_app import create_app

    return create_app({"DATA_DIR": str(data_dir), "SECRET_KEY": env["SECRET_KEY"],
                       "SQLALCHEMY_DATABASE_URI": env["DATABASE_URL"]})


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        raise BenchError(f"git {' '.join(args)}: {done.stderr}")
    return done.stdout


def api_revisions(client: Client, token: str, slug: str) -> list[str]:
    """Every revision id of a specification in the portal's cache (the API), newest first."""
    ids, offset = [], 0
    while True:
        page = client.get(f"/api/v1/networks/{NETWORK}/specs/{slug}/history?limit=200&offset={offset}",
                          headers={"Authorization": f"Bearer {token}"})
        if page.status != 200:
            raise BenchError(f"API history of {slug} answered {page.status}")
        batch = [r["revision"] for r in json.loads(page.body)["revisions"]]
        ids += batch
        offset += len(batch)
        if not batch or offset >= 100_000:
            return ids


def git_revisions(repo: Path, slug: str) -> list[str]:
    return git(repo, "rev-list", "refs/heads/main", "--", f"specs/{slug}.md").split()


# --- measurements ----------------------------------------------------------------------------------

def timed_gets(client: Client, paths: list[str]) -> list[float]:
    timings = []
    for path in paths:
        response = client.get(path)
        if response.status != 200:
            raise BenchError(f"GET {path} answered {response.status}")
        timings.append(response.ms)
    return timings


def save_cycles(client: Client, slug: str, cycles: int) -> tuple[list[float], list[float], float]:
    """Sequential cycles of GET edit form + POST (the redirect is not followed; the flash is shown
    and cleared by the next edit form): (POST timings, cycle timings, cycles per second)."""
    posts, cycle_times = [], []
    started = time.perf_counter()
    for n in range(cycles):
        begin = time.perf_counter()
        _page, form = edit_form(client, slug)
        lines = form["text"].split("\n")
        lines[len(lines) // 2] = f"Sparning {n} från benchmark."
        form.update(text="\n".join(lines), message=f"Benchmark-sparning {n}")
        done = client.post(f"/networks/{NETWORK}/specs/{slug}/edit", form)
        if done.status != 302:
            raise BenchError(f"save {n} of {slug} answered {done.status}")
        posts.append(done.ms)
        cycle_times.append((time.perf_counter() - begin) * 1000)
    return posts, cycle_times, cycles / (time.perf_counter() - started)


def _reader(targets: list[tuple[int, str]], barrier, seconds: float, rounds: int, queue) -> None:
    """One of the concurrent readers (its own process, and its own session on the portal). In each
    round every reader GETs the first target for `seconds`, then all GET the second one, and so
    on, so that the pages are compared under the same conditions (load from other programs included)."""
    try:
        clients = []
        for port, path in targets:
            client = Client(port)
            if path.startswith("/networks/"):
                client.login()
            for _ in range(3):
                client.get(path)
            clients.append(client)
        counts, errors, timings = [0] * len(targets), [0] * len(targets), [[] for _ in targets]
        for _round in range(rounds):
            for k, (client, (_port, path)) in enumerate(zip(clients, targets)):
                barrier.wait(120)
                deadline = time.monotonic() + seconds
                while time.monotonic() < deadline:
                    response = client.get(path)
                    if time.monotonic() > deadline:
                        break  # finished after the window: not counted
                    if response.status == 200:
                        counts[k] += 1
                        timings[k].append(response.ms)
                    else:
                        errors[k] += 1
        queue.put(("ok", counts, errors, timings))
    except Exception:  # noqa: BLE001 - reported by the parent
        queue.put(("error", traceback.format_exc()))


def throughput(targets: list[tuple[int, str]], seconds: float, rounds: int = 5) -> list[tuple[float, int, list]]:
    """Requests per second of each (port, path) with CLIENTS concurrent clients (processes), the
    targets taking turns `rounds` times for `seconds` / `rounds` each: [(req/s, errors, timings)]."""
    ctx = multiprocessing.get_context("fork")
    barrier, queue = ctx.Barrier(CLIENTS), ctx.Queue()
    window = seconds / rounds
    procs = [ctx.Process(target=_reader, args=(targets, barrier, window, rounds, queue)) for _ in range(CLIENTS)]
    for p in procs:
        p.start()
    results = _collect(queue, procs, seconds * len(targets) + 240)
    return [(sum(r[1][k] for r in results) / seconds, sum(r[2][k] for r in results),
             [t for r in results for t in r[3][k]]) for k in range(len(targets))]


def _collect(queue, procs, seconds: float) -> list[tuple]:
    results, deadline = [], time.monotonic() + seconds
    try:
        while len(results) < len(procs):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise BenchError("concurrent clients did not finish in time")
            try:
                result = queue.get(timeout=min(remaining, 5))
            except Exception:  # queue.Empty
                if all(not p.is_alive() for p in procs) and queue.empty():
                    raise BenchError("a concurrent client died without reporting") from None
                continue
            if result[0] == "error":
                raise BenchError(f"a concurrent client failed:\n{result[1]}")
            results.append(result)
    finally:
        for p in procs:
            p.join(5)
            if p.is_alive():
                p.terminate()
                p.join(5)
    return results


@dataclass
class StormResult:
    submitted: int = 0
    saved: int = 0
    merged: int = 0
    unchanged: int = 0
    conflicted: int = 0
    errors: int = 0
    error_statuses: dict = field(default_factory=dict)
    saved_messages: list = field(default_factory=list)  # of saves that made a revision
    conflicted_messages: list = field(default_factory=list)
    last_values: dict = field(default_factory=dict)  # client -> its last saved line
    post_ms: list = field(default_factory=list)


def _saver(port: int, index: int, barrier, seconds: float, queue) -> None:
    """One of the concurrent savers: GET edit form -> change its own line (sometimes the shared
    line too) -> POST -> read the flash on the next page."""
    try:
        rng = random.Random(index)
        client = Client(port)
        client.login()
        result = StormResult()
        barrier.wait(120)
        deadline, n = time.monotonic() + seconds, 0
        while time.monotonic() < deadline:
            n += 1
            page = client.get(f"/networks/{NETWORK}/specs/{STORM_SLUG}/edit")
            if page.status != 200:
                result.errors += 1
                result.error_statuses[f"GET {page.status}"] = result.error_statuses.get(f"GET {page.status}", 0) + 1
                continue
            form = {"csrf_token": hidden_value(page.body, "csrf_token"),
                    "base_revision": hidden_value(page.body, "base_revision"), "section": ""}
            lines = textarea_value(page.body, "text").split("\n")
            mine = f"Klient {index}: värde {n}"
            lines = [mine if line.startswith(f"Klient {index}: ") else line for line in lines]
            if rng.random() < 0.15:  # the shared line: provokes conflicts with whoever else changes it
                lines = [f"Gemensam rad: klient {index} ändring {n}" if line.startswith("Gemensam rad:") else line
                         for line in lines]
            message = f"Samtidig ändring klient {index} nr {n}"
            form.update(text="\n".join(lines), message=message)
            done = client.post(f"/networks/{NETWORK}/specs/{STORM_SLUG}/edit", form)
            result.submitted += 1
            result.post_ms.append(done.ms)
            if done.status == 302:
                result.saved += 1
                shown = " ".join(flashes(client.get(done.location).body))
                if "slogs ihop" in shown or "merged" in shown:
                    result.merged += 1
                if "Ingenting hade ändrats" in shown or "Nothing had changed" in shown:
                    result.unchanged += 1
                else:
                    result.saved_messages.append(message)
                    result.last_values[index] = mine
            elif done.status == 409:
                result.conflicted += 1
                result.conflicted_messages.append(message)
            else:
                result.errors += 1
                result.error_statuses[str(done.status)] = result.error_statuses.get(str(done.status), 0) + 1
        queue.put(("ok", result))
    except Exception:  # noqa: BLE001 - reported by the parent
        queue.put(("error", traceback.format_exc()))


def save_storm(port: int, seconds: float) -> StormResult:
    ctx = multiprocessing.get_context("fork")
    barrier, queue = ctx.Barrier(CLIENTS), ctx.Queue()
    procs = [ctx.Process(target=_saver, args=(port, i, barrier, seconds, queue)) for i in range(CLIENTS)]
    for p in procs:
        p.start()
    total = StormResult()
    for _ok, r in _collect(queue, procs, seconds + 240):
        for name in ("submitted", "saved", "merged", "unchanged", "conflicted", "errors"):
            setattr(total, name, getattr(total, name) + getattr(r, name))
        for status, count in r.error_statuses.items():
            total.error_statuses[status] = total.error_statuses.get(status, 0) + count
        total.saved_messages += r.saved_messages
        total.conflicted_messages += r.conflicted_messages
        total.last_values.update(r.last_values)
        total.post_ms += r.post_ms
    return total


# --- the report ------------------------------------------------------------------------------------

class Report:
    def __init__(self):
        self.rows: list[tuple[str, str, str, str]] = []
        self.notes: list[str] = []

    def add(self, name: str, figure: str, target: str, ok: bool | None) -> None:
        self.rows.append((name, figure, target, "" if ok is None else "PASS" if ok else "FAIL"))

    def print(self) -> None:
        widths = [max(len(r[i]) for r in self.rows + [("metric", "measured", "target", "result")])
                  for i in range(4)]
        line = "  ".join("-" * w for w in widths)
        print()
        print("  ".join(h.ljust(w) for h, w in zip(("metric", "measured", "target", "result"), widths)))
        print(line)
        for row in self.rows:
            print("  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip())
        print(line)
        failed = sum(r[3] == "FAIL" for r in self.rows)
        print(f"{sum(r[3] == 'PASS' for r in self.rows)} targets met, {failed} missed.")
        for note in self.notes:
            print(note)


def ms(values: list[float]) -> str:
    return f"p50 {p50(values):6.1f} ms  p95 {p95(values):6.1f} ms"


def run(settings: Settings, keep: bool) -> int:
    data_dir = Path(tempfile.mkdtemp(prefix="network_app-bench-"))
    env = portal_env(data_dir)
    servers: list[Server] = []
    report = Report()
    start_load = os.getloadavg()
    try:
        print(f"Seeding {N_SPECS} specifications, {LONG_REVISIONS:,} + {SHORT_REVISIONS} revisions and "
              f"{UNRELATED_COMMITS:,} unrelated commits into {data_dir} ...", flush=True)
        seeded = seed(data_dir, env)
        repo_commits = int(git(seeded.repo, "rev-list", "--count", "refs/heads/main").strip())
        print(f"  seeded in {seeded.seconds:.1f} s ("
              + ", ".join(f"{step} {secs:.1f} s" for step, secs in seeded.steps.items())
              + f"): {seeded.commits_added:,} commits imported, repository has {repo_commits:,} commits; "
              f"flask check: {seeded.check_output}", flush=True)

        portal = Server("portal", "wsgi:app", env, data_dir)
        servers.append(portal)
        portal.wait_ready("/healthz")
        client = Client(portal.port)
        client.login()
        base = f"/networks/{NETWORK}/specs"
        view_slug, save_slug = seeded.specs[0], seeded.specs[1]

        page = client.get(f"{base}/{view_slug}")
        if page.status != 200:
            raise BenchError(f"the specification page answered {page.status}")
        page_bytes = len(page.body.encode("utf-8"))
        plain_env = {**env, "PLAIN_PAGE_BYTES": str(page_bytes)}
        plain = Server("plain", "plain_app:app", plain_env, data_dir, chdir=BENCH)
        servers.append(plain)
        plain.wait_ready("/")
        plain_bytes = len(Client(plain.port).get("/").body.encode("utf-8"))
        print(f"Servers: portal on port {portal.port}, plain page on port {plain.port} "
              f"(gunicorn, {WORKERS} sync workers each); spec page {page_bytes:,} bytes, "
              f"plain page {plain_bytes:,} bytes", flush=True)

        # 1. single-client latencies
        print("Measuring single-client latencies ...", flush=True)
        timed_gets(client, [f"{base}/{view_slug}"] * 4)  # every worker has rendered it once
        view = timed_gets(client, [f"{base}/{view_slug}"] * settings.requests)
        report.add("view spec page (5 KB spec)", ms(view), f"p95 <= {TARGET_VIEW_P95:.0f} ms",
                   p95(view) <= TARGET_VIEW_P95)
        # Each request a different page of specifications, as readers open different ones.
        views_many = timed_gets(client, [f"{base}/{seeded.specs[i % N_SPECS]}" for i in range(settings.requests)])
        report.add("view spec page, 200 different specs (cold)", ms(views_many), f"p95 <= {TARGET_VIEW_P95:.0f} ms",
                   p95(views_many) <= TARGET_VIEW_P95)
        history = timed_gets(client, [f"{base}/{LONG_SLUG}/history"] * settings.requests)
        report.add("history page (5,000 revisions)", ms(history), f"p95 <= {TARGET_HISTORY_P95:.0f} ms",
                   p95(history) <= TARGET_HISTORY_P95)
        pairs = [(1000 + 7 * i, 1000 + 7 * i + 5) for i in range(settings.requests)]
        diffs = timed_gets(client, [f"{base}/{LONG_SLUG}/diff?from=r{a}&to=r{b}" for a, b in pairs])
        report.add("diff of two old revisions (varied)", ms(diffs), f"p95 <= {TARGET_DIFF_P95:.0f} ms",
                   p95(diffs) <= TARGET_DIFF_P95)
        diff_same = timed_gets(client, [f"{base}/{LONG_SLUG}/diff?from=r1200&to=r1210"] * settings.requests)
        report.add("diff r1200..r1210, same pair (cached)", ms(diff_same), f"p95 <= {TARGET_DIFF_P95:.0f} ms",
                   p95(diff_same) <= TARGET_DIFF_P95)

        print("Measuring saves ...", flush=True)
        # The first save of a specification last changed ~6,000 commits ago, reported apart.
        first_posts, _cycle, _rate = save_cycles(client, save_slug, 1)
        posts, cycles, per_second = save_cycles(client, save_slug, settings.save_cycles)
        report.add("save (POST edit form)", ms(posts), f"p95 <= {TARGET_SAVE_P95:.0f} ms",
                   p95(posts) <= TARGET_SAVE_P95)
        report.add("  first save after 6,000 other commits", f"{first_posts[0]:.1f} ms", "(information)", None)
        report.add("edit page + save cycles, one client", f"{per_second:6.1f} /s  (cycle {ms(cycles)})",
                   f">= {TARGET_CYCLES:.0f} /s", per_second >= TARGET_CYCLES)

        # 2. history must not grow with the number of revisions (nor with unrelated commits)
        print("Measuring history at 100 vs 5,000 revisions ...", flush=True)
        short_last = -(-SHORT_REVISIONS // 25)
        urls = {"short1": f"{base}/{SHORT_SLUG}/history", "long1": f"{base}/{LONG_SLUG}/history",
                "short_deep": f"{base}/{SHORT_SLUG}/history?page={short_last}",
                "long_deep": f"{base}/{LONG_SLUG}/history?page=150"}
        flat = {k: [] for k in urls}
        for _ in range(settings.flat_requests):
            for k, url in urls.items():
                flat[k] += timed_gets(client, [url])
        for label, short, long, what in (("page 1", "short1", "long1", "page 1"),
                                         ("deep page", "short_deep", "long_deep",
                                          f"page {short_last} vs page 150")):
            ratio = p50(flat[long]) / p50(flat[short])
            report.add(f"history {label}: 100 rev", ms(flat[short]), "", None)
            report.add(f"history {label}: 5,000 rev", ms(flat[long]), "", None)
            report.add(f"history {label} ratio 5,000/100 ({what})", f"{ratio:.2f}x (p50)",
                       f"<= {FLAT_TOLERANCE}x (flat)", ratio <= FLAT_TOLERANCE)
        report.add("  unrelated commits in the same repository", f"{seeded.unrelated:,} of {repo_commits:,}",
                   "(present in all history figures)", None)

        # 3. throughput: the spec page vs a plain Flask page of the same size
        print(f"Measuring throughput with {CLIENTS} concurrent clients ({settings.throughput_seconds:.0f} s each, "
              f"taking turns) ...", flush=True)
        (spec_rps, spec_errors, spec_t), (plain_rps, plain_errors, plain_t) = throughput(
            [(portal.port, f"{base}/{view_slug}"), (plain.port, "/")], settings.throughput_seconds)
        report.add(f"throughput spec page, {CLIENTS} clients",
                   f"{spec_rps:7.1f} req/s  ({ms(spec_t)}, {spec_errors} errors)", "", None)
        report.add(f"throughput plain page, {CLIENTS} clients",
                   f"{plain_rps:7.1f} req/s  ({ms(plain_t)}, {plain_errors} errors)", "", None)
        ratio = spec_rps / plain_rps if plain_rps else 0.0
        report.add("spec / plain throughput", f"{ratio * 100:.0f} %", f">= {TARGET_RATIO * 100:.0f} %",
                   ratio >= TARGET_RATIO and not spec_errors)

        # 4. concurrent saves to one specification
        print(f"{CLIENTS} clients saving {STORM_SLUG} for {settings.storm_seconds:.0f} s ...", flush=True)
        path = f"specs/{STORM_SLUG}.md"
        before = int(git(seeded.repo, "rev-list", "--count", "refs/heads/main", "--", path).strip())
        storm = save_storm(portal.port, settings.storm_seconds)
        after = int(git(seeded.repo, "rev-list", "--count", "refs/heads/main", "--", path).strip())
        in_git = set(git(seeded.repo, "log", "--format=%s", "refs/heads/main", "--", path).splitlines())
        missing = [m for m in storm.saved_messages if m not in in_git]
        phantom = [m for m in storm.conflicted_messages if m in in_git]
        final_text = git(seeded.repo, "show", f"refs/heads/main:{path}")
        last_missing = [v for v in storm.last_values.values() if v not in final_text.splitlines()]
        count_gap = len(storm.saved_messages) - (after - before)
        lost = len(missing) + len(last_missing) + max(0, count_gap)
        token = flask(env, "create-token", EMAIL, "--name", "bench").stdout.strip().splitlines()[-1]
        api = client.get(f"/api/v1/networks/{NETWORK}/specs/{STORM_SLUG}/history?limit=1",
                         headers={"Authorization": f"Bearer {token}"})
        api_total = json.loads(api.body)["total"] if api.status == 200 else -1
        report.add(f"concurrent saves, {CLIENTS} clients, {settings.storm_seconds:.0f} s",
                   f"submitted {storm.submitted}, saved {storm.saved} (merged {storm.merged}, unchanged "
                   f"{storm.unchanged}), conflicted {storm.conflicted}, errors {storm.errors}; "
                   f"{storm.saved / settings.storm_seconds:.1f} saves/s", "", None)
        if storm.error_statuses:
            report.add("  errors by status", ", ".join(f"{k}: {v}" for k, v in sorted(storm.error_statuses.items())),
                       "", None)
        report.add("  save POST under contention", ms(storm.post_ms), "(information)", None)
        report.add("  revisions made", f"git {after - before}, acknowledged {len(storm.saved_messages)}, "
                   f"API total {api_total} (git {after})", "equal", after - before == len(storm.saved_messages)
                   and api_total == after)
        report.add("  lost", f"{lost} (not in git {len(missing)}, last values missing {len(last_missing)}, "
                   f"count gap {count_gap}); conflicts stored anyway: {len(phantom)}", "lost = 0",
                   lost == 0 and not phantom)
        report.add("  errors (not 302/409)", str(storm.errors), "0", storm.errors == 0)
        fsck = subprocess.run(["git", "-C", str(seeded.repo), "fsck", "--full", "--no-progress"],
                              capture_output=True, text=True, timeout=600)
        report.add("  git fsck after", "clean" if fsck.returncode == 0 else f"exit {fsck.returncode}",
                   "clean", fsck.returncode == 0)
        # What `flask check` compares, for the two specifications saved to (the whole check reads
        # every specification's history from git: half a minute here, see the report).
        for slug in (STORM_SLUG, save_slug):
            cached, in_git = api_revisions(client, token, slug), git_revisions(seeded.repo, slug)
            same = cached == in_git
            report.add(f"  revision cache = git ({slug[:24]})",
                       f"{len(cached)} cached, {len(in_git)} in git, " + ("same order" if same else "DIFFERENT"),
                       "same", same)
        if fsck.returncode != 0:
            report.notes.append("git fsck output:\n" + fsck.stdout + fsck.stderr)

        print()
        load = os.getloadavg()
        print(f"Specifications over HTTP: gunicorn {WORKERS} sync workers, SQLite, 127.0.0.1, {os.cpu_count()} CPUs; "
              f"{settings.requests} requests per latency row; repository {repo_commits:,} commits "
              f"({seeded.unrelated:,} unrelated); view page {view_slug}, long history {LONG_SLUG}; load average at the "
              f"start {start_load[0]:.2f}, at the end {load[0]:.2f} (other programs on the machine skew the figures).")
        report.print()
        return 0
    finally:
        for server in reversed(servers):
            server.stop()
        if keep:
            print(f"Data kept in {data_dir}")
        else:
            shutil.rmtree(data_dir, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="shorter loops, for trying the benchmark")
    parser.add_argument("--keep", action="store_true", help="keep the temporary DATA_DIR")
    args = parser.parse_args()
    try:
        return run(QUICK if args.quick else Settings(), args.keep)
    except BenchError as err:
        print(f"\nThe benchmark broke: {err}", file=sys.stderr)
        return 2
    except Exception:  # noqa: BLE001
        traceback.print_exc()
        print("\nThe benchmark broke (see above).", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
