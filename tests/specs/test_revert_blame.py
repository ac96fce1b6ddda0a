"""Revert, blame, and the revision cache (spec_revisions) that numbers revisions r1, r2 … from git."""
import html
import multiprocessing
import re

import pytest
from flask import current_app
from sqlalchemy import select

from network_app.extensions import db
from network_app.networks import services as networks
from network_app.repos import store
from network_app.specs import services
from network_app.specs.models import Spec, SpecRevision
from tests.conftest import app_config, login

URL = "/networks/bebo/specs/varmepumpar"
R1 = "# Värmepumpar\n\nKrav 1: COP minst 3.\n\nKrav 2: ljudnivå högst 45 dB.\n\nKrav 3: garanti 5 år.\n"
R2 = R1.replace("högst 45 dB", "högst 40 dB")
R3 = R2.replace("garanti 5 år", "garanti 10 år") + "\nKrav 4: service varje år.\n"


@pytest.fixture(autouse=True)
def english(client):
    client.set_cookie("lang", "en")


@pytest.fixture
def people(bebo):
    return bebo


@pytest.fixture
def spec(people):
    """r1 by the coordinator, r2 and r3 by the member."""
    spec = services.create_spec(people["network"], services.SpecDraft(title="Värmepumpar", text=R1),
                                actor=people["coordinator"])
    services.save_spec(spec, R2, base_revision=spec.head_revision, message="Tystare", actor=people["member"])
    services.save_spec(spec, R3, base_revision=spec.head_revision, message="Längre garanti", actor=people["member"])
    return spec


def check_is_clean() -> bool:
    """`flask check`: git and the revision cache agree."""
    result = current_app.test_cli_runner().invoke(args=["check"])
    return result.exit_code == 0 and "no problems" in result.output


def cached(spec) -> list[SpecRevision]:
    return db.session.scalars(select(SpecRevision).where(SpecRevision.spec_id == spec.id)
                              .order_by(SpecRevision.number)).all()


# --- revert --------------------------------------------------------------------------------------

@pytest.mark.parametrize("reason", ["", "   "])
def test_a_revert_needs_a_reason(client, spec, people, reason):
    login(client, people["member"].email)
    response = client.post(f"{URL}/revert", data={"revision": "r1", "reason": reason})
    assert response.status_code == 422
    assert "Say why the text goes back to an earlier revision." in response.text
    assert spec.revision_count == 3 and services.read_spec(spec)[1] == R3


def test_a_reason_on_two_lines_is_refused(client, spec, people):
    login(client, people["member"].email)
    response = client.post(f"{URL}/revert", data={"revision": "r1", "reason": "En\nTvå"})
    assert response.status_code == 422 and spec.revision_count == 3


def test_the_revert_page_shows_what_the_revert_changes(client, spec, people):
    login(client, people["member"].email)
    page = client.get(f"{URL}/revert?revision=r1")
    assert page.status_code == 200 and "Revert Värmepumpar to r1" in page.text
    assert "<del>Krav 2: ljudnivå högst <mark>40</mark> dB.</del>" in page.text
    assert "<ins>Krav 2: ljudnivå högst <mark>45</mark> dB.</ins>" in page.text


def test_a_revert_makes_a_new_revision_with_the_old_text_and_the_reason(client, spec, people):
    old_head = spec.head_revision
    login(client, people["member"].email)
    response = client.post(f"{URL}/revert", data={"revision": "r1", "reason": "Fel underlag från leverantören"},
                           follow_redirects=True)
    assert response.status_code == 200 and "Saved." in response.text
    assert spec.revision_count == 4 and spec.head_revision != old_head
    latest, latest_text = services.read_spec(spec)
    assert latest.number == 4 and latest_text == R1
    assert "Fel underlag från leverantören" in latest.message and "r1" in latest.message
    assert latest.author_name == "Mia Member"
    # Nothing is lost: the reverted revisions are still there.
    assert [r.number for r in cached(spec)] == [1, 2, 3, 4]
    assert services.read_spec(spec, "r3")[1] == R3


def test_reverting_to_the_latest_text_makes_no_revision(client, spec, people):
    login(client, people["member"].email)
    response = client.post(f"{URL}/revert", data={"revision": "r3", "reason": "Ingen ändring"},
                           follow_redirects=True)
    assert "Nothing had changed, so no new revision was made." in response.text
    assert spec.revision_count == 3


def test_observers_cannot_revert(client, spec, people):
    login(client, people["observer"].email)
    assert client.get(f"{URL}/revert?revision=r1").status_code == 403
    assert client.post(f"{URL}/revert", data={"revision": "r1", "reason": "Tillbaka"}).status_code == 403
    assert spec.revision_count == 3
    assert "Revert to r1" not in client.get(f"{URL}/history").text


def test_reverting_to_an_unknown_revision_is_404(client, spec, people):
    login(client, people["member"].email)
    assert client.post(f"{URL}/revert", data={"revision": "r9", "reason": "Tillbaka"}).status_code == 404
    assert client.post(f"{URL}/revert", data={"revision": "HEAD~1", "reason": "Tillbaka"}).status_code == 404
    assert spec.revision_count == 3


# --- blame ---------------------------------------------------------------------------------------

def test_blame_names_the_revision_and_author_that_last_changed_each_line(spec, people):
    lines = services.blame(spec, services.revision_of(spec))
    expected = [(1, "Cora Coordinator"), (1, "Cora Coordinator"), (1, "Cora Coordinator"), (1, "Cora Coordinator"),
                (2, "Mia Member"), (1, "Cora Coordinator"), (3, "Mia Member"), (3, "Mia Member"),
                (3, "Mia Member")]
    assert [line for _r, _n, line in lines] == R3.splitlines()
    assert [n for _r, n, _line in lines] == list(range(1, len(R3.splitlines()) + 1))
    assert [(r.number, r.author_name) for r, _n, _line in lines] == expected


def test_blame_at_an_earlier_revision(spec):
    lines = services.blame(spec, services.revision_of(spec, "r2"))
    assert [line for _r, _n, line in lines] == R2.splitlines()
    assert {r.number for r, _n, _line in lines} == {1, 2}
    assert [r.number for r, _n, line in lines if "högst" in line] == [2]


def blame_rows(page: str) -> list[tuple[str, str, int, str]]:
    """(r-number, author, line number, text) of every row, the revision carried down each run."""
    rows, current = [], (None, None)
    for row in re.findall(r"<tr(?: class=\"blame-start\")?>(.*?)</tr>", page, re.S):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        if len(cells) != 4:
            continue
        found = re.search(r">r(\d+)</a>", cells[0])
        if found:
            current = (f"r{found.group(1)}", html.unescape(cells[1].split("<br>")[0].strip()))
        text = html.unescape(re.sub(r"</?code>", "", cells[3]))
        rows.append((*current, int(cells[2]), text))
    return rows


def test_the_blame_page_lists_every_line_with_its_revision_and_author(client, spec, people):
    login(client, people["observer"].email)
    page = client.get(f"{URL}/blame")
    assert page.status_code == 200
    rows = blame_rows(page.text)
    assert [(n, line) for _r, _a, n, line in rows] == list(enumerate(R3.splitlines(), start=1))
    by_line = {n: (r, a) for r, a, n, _line in rows}
    assert by_line[1] == ("r1", "Cora Coordinator")
    assert by_line[5] == ("r2", "Mia Member")  # the ljudnivå line
    assert by_line[6] == ("r1", "Cora Coordinator")
    assert by_line[7] == by_line[9] == ("r3", "Mia Member")


def test_blame_after_a_revert_credits_the_revert(spec, people):
    services.revert_spec(spec, "r1", reason="Tillbaka", actor=people["coordinator"])
    lines = services.blame(spec, services.revision_of(spec))
    assert [line for _r, _n, line in lines] == R1.splitlines()
    changed = [r.number for r, _n, line in lines if "högst" in line or "garanti" in line]
    assert changed == [4, 4]


# --- the revision cache --------------------------------------------------------------------------

def test_the_cached_numbers_are_gits(spec):
    in_git = store().changes_since("bebo", spec.path)
    assert [(r.number, r.commit_id, r.author_name, r.message) for r in cached(spec)] == [
        (r.number, r.commit_id, r.author_name, r.message) for r in in_git]
    assert (spec.revision_count, spec.head_revision) == (3, in_git[-1].commit_id)
    # Another document in the same repository does not shift the numbers.
    other = services.create_spec(spec.network, services.SpecDraft(title="LED", text="# LED\n"),
                                 actor=spec.network.memberships[0].organisation.users[0])
    services.save_spec(spec, R3 + "\nSista raden.\n", base_revision=spec.head_revision,
                       actor=spec.network.memberships[0].organisation.users[0])
    assert [r.number for r in cached(spec)] == [1, 2, 3, 4] and [r.number for r in cached(other)] == [1]
    assert [r.commit_id for r in cached(spec)] == [r.commit_id for r in store().changes_since("bebo", spec.path)]


@pytest.mark.parametrize("name", ["Bo B.", "Åsa Öberg, Jr.", "'Sam'"])
def test_the_cache_names_authors_as_git_does(spec, people, make_user, name):
    """Git trims characters such as '.', ',' and quotes from the ends of a name; the cached revision
    must say what git says, or history would change after a rebuild of the cache."""
    person = make_user(email="namn@example.org", name=name, admin=True)
    networks.accept_invitation(networks.invite_organisation(people["network"], person.organisation.orgnr, "member",
                                                            actor=people["coordinator"]), actor=person)
    services.save_spec(spec, R3 + "\nKrav 5.\n", base_revision=spec.head_revision, actor=person)
    in_git = store().changes_since("bebo", spec.path)
    assert [(r.number, r.commit_id, r.author_name, r.author_email, r.authored_at, r.message) for r in cached(spec)] \
        == [(r.number, r.commit_id, r.author_name, r.author_email, r.authored_at, r.message) for r in in_git]


@pytest.mark.parametrize("number", [1, 2, 3])
def test_flask_check_finds_a_deleted_revision_row_and_repair_rebuilds_it(runner, spec, number):
    before = [(r.number, r.commit_id, r.author_name, r.authored_at, r.message) for r in cached(spec)]
    assert runner.invoke(args=["check"]).exit_code == 0
    db.session.execute(SpecRevision.__table__.delete().where(SpecRevision.spec_id == spec.id,
                                                             SpecRevision.number == number))
    db.session.commit()
    result = runner.invoke(args=["check"])
    assert result.exit_code == 1
    assert "bebo/varmepumpar: the cache lists 2 revisions" in result.output and "git has 3" in result.output
    repaired = runner.invoke(args=["check", "--repair"])
    assert repaired.exit_code == 0 and "Repaired 1 cache entry from git." in repaired.output
    db.session.expire_all()
    assert [(r.number, r.commit_id, r.author_name, r.authored_at, r.message) for r in cached(spec)] == before
    clean = runner.invoke(args=["check"])
    assert clean.exit_code == 0 and "no problems" in clean.output


def test_check_repair_fails_when_a_text_is_missing_from_git(runner, spec):
    db.session.add(Spec(network=spec.network, slug="saknas", title="Saknas"))  # a row git knows nothing of
    db.session.commit()
    result = runner.invoke(args=["check", "--repair"])
    assert "bebo/saknas: no text in git at specs/saknas.md" in result.output
    assert result.exit_code == 1 and "Repaired" not in result.output


def test_a_save_after_the_cache_lost_its_last_row_numbers_on(spec, people):
    db.session.execute(SpecRevision.__table__.delete().where(SpecRevision.spec_id == spec.id,
                                                             SpecRevision.number == 3))
    db.session.commit()
    services.save_spec(spec, R3 + "\nKrav 5.\n", base_revision=spec.head_revision, actor=people["member"])
    assert [r.commit_id for r in cached(spec)] == [r.commit_id for r in store().changes_since("bebo", spec.path)]
    assert spec.revision_count == 4 and check_is_clean()


# --- saving from several processes at once -------------------------------------------------------

WORKERS = 3
SAVES = 3


def paragraphs(worker_edits: dict[int, int]) -> str:
    """A text of WORKERS paragraphs far apart, paragraph w at its edit number worker_edits[w]."""
    parts = [f"## Del {w}\n\nStycke {w}, version {worker_edits.get(w, 0)}.\n\n" + "Fast text.\n\n" * 3
             for w in range(WORKERS)]
    return "# Gemensam\n\n" + "".join(parts)


def _save_worker(config, barrier, worker, base, results):
    """Save SAVES edits of this worker's own paragraph, each starting from the worker's previous save."""
    from network_app import create_app
    from network_app.accounts.models import User
    from network_app.errors import AppError
    from network_app.extensions import db as worker_db
    from network_app.repos import store as worker_store
    from network_app.specs import services as worker_services

    app = create_app(config)
    with app.app_context():
        user = worker_db.session.scalar(select(User).where(User.email == "member@example.org"))
        spec = worker_db.session.scalar(select(Spec).where(Spec.slug == "gemensam"))
        barrier.wait(timeout=60)
        for n in range(1, SAVES + 1):
            text = worker_store().text_at("bebo", spec.path, base).replace(
                f"Stycke {worker}, version {n - 1}.", f"Stycke {worker}, version {n}.")
            try:
                outcome = worker_services.save_spec(spec, text, base_revision=base, actor=user,
                                                    message=f"Del {worker} version {n}")
                results.put(("saved", worker, n, outcome.commit_id))
                base = outcome.commit_id or base
            except AppError as err:
                results.put(("refused", worker, n, err.code))
            except Exception as err:  # noqa: BLE001 - reported to the test, which fails on it
                results.put(("crash", worker, n, repr(err)))
        worker_db.session.remove()
        worker_db.engine.dispose()


def test_saves_from_several_processes_keep_the_numbers_contiguous(app, tmp_path, people):
    spec = services.create_spec(people["network"], services.SpecDraft(title="Gemensam", text=paragraphs({})),
                                actor=people["coordinator"])
    base = spec.head_revision
    db.session.commit()
    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(WORKERS), ctx.Queue()
    config = app_config(tmp_path, SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"])
    processes = [ctx.Process(target=_save_worker, args=(config, barrier, w, base, results)) for w in range(WORKERS)]
    for p in processes:
        p.start()
    outcomes = [results.get(timeout=180) for _ in range(WORKERS * SAVES)]
    for p in processes:
        p.join(timeout=60)
    assert [o for o in outcomes if o[0] != "saved"] == []
    db.session.expire_all()
    rows = cached(spec)
    in_git = store().changes_since("bebo", spec.path)
    saved = {o[3] for o in outcomes if o[3]}
    # Every save landed as its own revision, numbered 1..N without gaps or duplicates, as git numbers them.
    assert [r.number for r in rows] == list(range(1, len(rows) + 1))
    assert [r.commit_id for r in rows] == [r.commit_id for r in in_git]
    assert len({r.commit_id for r in rows}) == len(rows) == 1 + len(saved)
    assert saved <= {r.commit_id for r in rows}
    fresh = db.session.get(Spec, spec.id)
    assert (fresh.revision_count, fresh.head_revision) == (len(rows), in_git[-1].commit_id)
    # Each worker's last paragraph version is in the final text: nothing was lost in the merges.
    final = services.read_spec(fresh)[1]
    assert all(f"Stycke {w}, version {SAVES}." in final for w in range(WORKERS))
    assert check_is_clean()


# --- authors git cannot name ---------------------------------------------------------------------

@pytest.mark.parametrize("app", [{"RENDER_500_IN_TESTS": True}], indirect=True)
@pytest.mark.parametrize("name", [".", "<>"])
def test_a_person_whose_name_git_strips_to_nothing_gets_no_500(client, spec, people, make_user, name):
    """Git refuses an author name made only of characters it strips ('.', ',', '<', '>' …), and the
    account form accepts such names: the save must still work, or be refused clearly."""
    person = make_user(email="punkt@example.org", name=name, admin=True)
    networks.accept_invitation(networks.invite_organisation(people["network"], person.organisation.orgnr, "member",
                                                            actor=people["coordinator"]), actor=person)
    login(client, person.email)
    response = client.post(f"{URL}/edit", data={"text": R3 + "\nKrav 5.\n", "base_revision": spec.head_revision})
    assert response.status_code in (302, 422)
    assert spec.revision_count == (4 if response.status_code == 302 else 3)
