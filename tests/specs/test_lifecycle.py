"""The life of a specification through its pages: consultation, adoption (git tags vN), ending a
consultation, archiving and superseding; who may do it; and two coordinators adopting at once."""
import multiprocessing
import subprocess
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from network_app.accounts import services as accounts
from network_app.errors import InvalidInput
from network_app.extensions import db
from network_app.networks import services as networks
from network_app.repos import store
from network_app.specs import lifecycle, services
from network_app.specs.models import Spec, SpecVersion
from tests.conftest import PASSWORD, app_config, login

TEXT = "# Värmepumpar\n\n## Krav\n\nKrav 1: COP minst 3.\n\nKrav 2: ljudnivå högst 45 dB.\n\nKrav 3: garanti 5 år.\n"
URL = "/networks/bebo/specs/varmepumpar"


def day(offset: int = 0) -> date:
    """Today plus `offset` days, read when used (never at import, so a run across midnight holds)."""
    return date.today() + timedelta(days=offset)


def iso(offset: int = 0) -> str:
    return day(offset).isoformat()


@pytest.fixture(autouse=True)
def english(client):
    client.set_cookie("lang", "en")


@pytest.fixture
def people(bebo):
    return bebo


@pytest.fixture
def spec(people):
    return services.create_spec(people["network"], services.SpecDraft(title="Värmepumpar", text=TEXT),
                                actor=people["coordinator"])


def as_user(client, user):
    client.delete_cookie("session")
    client.set_cookie("lang", "en")
    if user is not None:
        assert login(client, user.email).status_code == 302


def anonymous(client):
    other = client.application.test_client()
    other.set_cookie("lang", "en")
    return other


def edit(spec, text, user):
    return services.save_spec(spec, text, base_revision=spec.head_revision, actor=user)


def adopt(spec, user, note="Beslut i styrgruppen", decided_on=None):
    return lifecycle.adopt(spec, note=note, decided_on=decided_on or day(), actor=user)


def tags(spec) -> list[tuple[str, str]]:
    return store().versions(spec.network.slug, spec.path)


def git_tag_refs(spec) -> dict[str, str]:
    """refs/tags/... -> the commit each annotated tag points to, straight from git."""
    out = subprocess.run(["git", "--git-dir", str(store().path_of(spec.network.slug)), "for-each-ref",
                          "refs/tags", "--format=%(refname) %(*objectname)"],
                         capture_output=True, text=True, check=True).stdout
    return dict(line.split() for line in out.splitlines() if line.strip())


def state(spec):
    db.session.expire_all()
    fresh = db.session.get(Spec, spec.id)
    return fresh.status, fresh.public_revision, fresh.consultation_closes, [v.number for v in fresh.versions]


# --- who may move the states ---------------------------------------------------------------------

def test_only_coordinators_and_portal_admins_open_the_status_page(client, spec, people):
    for name, expected in (("coordinator", 200), ("admin", 200), ("member", 403), ("observer", 403),
                           ("outsider", 404)):
        as_user(client, people[name])
        assert client.get(f"{URL}/status").status_code == expected, name
    as_user(client, people["member"])
    page = client.get(URL)
    assert page.status_code == 200 and "Krav 1: COP minst 3." in page.text  # members read the draft
    assert f"{URL}/status" not in page.text
    as_user(client, people["coordinator"])
    assert f"{URL}/status" in client.get(URL).text
    response = anonymous(client).get(f"{URL}/status")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def _ready_for(action, spec, people):
    """Put the specification in a state where a coordinator could do `action`."""
    if action in ("consultation/end",):
        lifecycle.open_consultation(spec, day(14), actor=people["coordinator"])
    if action == "archive":
        adopt(spec, people["coordinator"])


ACTIONS = {
    "consultation": lambda: {"closes": iso(14)},
    "consultation/end": lambda: {},
    "adopt": lambda: {"note": "Beslut", "decided_on": iso()},
    "archive": lambda: {"successor": ""},
}


@pytest.mark.parametrize("action", list(ACTIONS))
@pytest.mark.parametrize("who, expected", [("member", 403), ("observer", 403), ("outsider", 404)])
def test_members_get_403_and_outsiders_404_for_every_state_change(client, spec, people, action, who, expected):
    _ready_for(action, spec, people)
    before = state(spec)
    tags_before = tags(spec)
    as_user(client, people[who])
    assert client.post(f"{URL}/{action}", data=ACTIONS[action]()).status_code == expected
    assert state(spec) == before and tags(spec) == tags_before


@pytest.mark.parametrize("action", list(ACTIONS))
def test_anonymous_visitors_are_sent_to_log_in_for_state_changes(client, spec, people, action):
    _ready_for(action, spec, people)
    before = state(spec)
    response = anonymous(client).post(f"{URL}/{action}", data=ACTIONS[action]())
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert state(spec) == before


def test_a_portal_admin_may_adopt(client, spec, people):
    as_user(client, people["admin"])
    response = client.post(f"{URL}/adopt", data={"note": "Beslut av portalen", "decided_on": iso()})
    assert response.status_code == 302
    version = db.session.scalar(select(SpecVersion).where(SpecVersion.spec_id == spec.id))
    assert (version.number, version.decided_by_name, version.organisation_name) == (1, "Ada Admin", "")
    assert [v for v, _ in tags(spec)] == ["v1"]


# --- consultation --------------------------------------------------------------------------------

@pytest.mark.parametrize("closes", [None, 0, -1])
def test_a_consultation_needs_a_closing_date_after_today(client, spec, people, closes):
    as_user(client, people["coordinator"])
    response = client.post(f"{URL}/consultation", data={"closes": "" if closes is None else iso(closes)})
    assert response.status_code == 422
    assert "Choose a closing date after today." in response.text
    assert state(spec) == ("draft", None, None, [])
    assert anonymous(client).get(URL).status_code == 404


def test_opening_a_consultation_publishes_the_latest_revision(client, spec, people):
    as_user(client, people["coordinator"])
    closes = day(21)
    response = client.post(f"{URL}/consultation", data={"closes": closes.isoformat()}, follow_redirects=True)
    assert "The specification is out for consultation." in response.text
    assert state(spec) == ("consultation", spec.head_revision, closes, [])
    public = anonymous(client).get(URL)
    assert public.status_code == 200 and "Out for consultation until" in public.text
    assert "Krav 1: COP minst 3." in public.text


def test_ending_the_consultation_of_a_draft_returns_it_to_draft(client, spec, people):
    lifecycle.open_consultation(spec, day(7), actor=people["coordinator"])
    assert anonymous(client).get(URL).status_code == 200
    as_user(client, people["coordinator"])
    response = client.post(f"{URL}/consultation/end", data={}, follow_redirects=True)
    assert "The consultation is closed." in response.text
    assert state(spec) == ("draft", None, None, [])
    assert anonymous(client).get(URL).status_code == 404


def test_ending_a_consultation_after_adoption_restores_the_adopted_version(client, spec, people):
    first = adopt(spec, people["coordinator"])
    edit(spec, TEXT.replace("45 dB", "40 dB"), people["member"])
    lifecycle.open_consultation(spec, day(7), actor=people["coordinator"])
    assert "högst 40 dB" in anonymous(client).get(URL).text  # r2 is out for consultation
    as_user(client, people["coordinator"])
    assert client.post(f"{URL}/consultation/end", data={}).status_code == 302
    assert state(spec) == ("adopted", first.commit_id, None, [1])
    public = anonymous(client).get(URL)
    assert "högst 45 dB" in public.text and "högst 40 dB" not in public.text
    assert "r1" in public.text


def test_ending_a_consultation_that_is_not_open_is_refused(client, spec, people):
    as_user(client, people["coordinator"])
    response = client.post(f"{URL}/consultation/end", data={})
    assert response.status_code == 422 and "The specification is not out for consultation." in response.text
    assert state(spec) == ("draft", None, None, [])


# --- adoption ------------------------------------------------------------------------------------

@pytest.mark.parametrize("note, decided_on, message", [
    ("", 0, "Write the decision: who decided, and where it is recorded."),
    ("   ", 0, "Write the decision: who decided, and where it is recorded."),
    ("Beslut", 2, "The decision date cannot be in the future."),
    ("Beslut", None, "Enter the date of the decision."),
])
def test_adoption_needs_a_decision_and_a_date_not_in_the_future(client, spec, people, note, decided_on, message):
    as_user(client, people["coordinator"])
    response = client.post(f"{URL}/adopt", data={"note": note,
                                                 "decided_on": "" if decided_on is None else iso(decided_on)})
    assert response.status_code == 422 and message in response.text
    assert state(spec) == ("draft", None, None, []) and tags(spec) == []


def test_adopting_tags_v1_and_records_the_decision(client, spec, people):
    coordinator = people["coordinator"]
    decided = day(-2)
    as_user(client, coordinator)
    response = client.post(f"{URL}/adopt", follow_redirects=True,
                           data={"note": "Styrgruppen, protokoll § 4", "decided_on": decided.isoformat()})
    assert "Version v1 is adopted and public." in response.text
    assert tags(spec) == [("v1", spec.head_revision)]
    assert git_tag_refs(spec) == {"refs/tags/specs/varmepumpar/v1": spec.head_revision}
    version = db.session.scalar(select(SpecVersion).where(SpecVersion.spec_id == spec.id))
    assert (version.number, version.commit_id, version.revision_number) == (1, spec.head_revision, 1)
    assert (version.decided_by_name, version.decided_by_id, version.note, version.decided_on) == (
        "Cora Coordinator", coordinator.id, "Styrgruppen, protokoll § 4", decided)
    assert version.organisation_name == coordinator.organisation.name
    assert state(spec) == ("adopted", spec.head_revision, None, [1])
    message = subprocess.run(["git", "--git-dir", str(store().path_of("bebo")), "tag", "-l", "--format=%(contents)",
                              "specs/varmepumpar/v1"], capture_output=True, text=True, check=True).stdout
    assert decided.isoformat() in message and "Styrgruppen, protokoll § 4" in message
    public = anonymous(client).get(URL)
    assert public.status_code == 200 and "v1" in public.text and "Cora Coordinator" in public.text


def test_adopting_again_without_new_revisions_is_refused(client, spec, people):
    adopt(spec, people["coordinator"])
    as_user(client, people["coordinator"])
    assert "already adopted as v1" in client.get(f"{URL}/status").text
    response = client.post(f"{URL}/adopt", data={"note": "Igen", "decided_on": iso()})
    assert response.status_code == 422
    assert "Revision r1 is not newer than the adopted version v1." in response.text
    assert state(spec)[3] == [1] and [v for v, _ in tags(spec)] == ["v1"]


def test_after_more_edits_v2_shows_what_changed_since_v1(client, spec, people):
    v1 = adopt(spec, people["coordinator"], note="Första beslutet", decided_on=day(-30))
    edit(spec, TEXT.replace("högst 45 dB", "högst 40 dB"), people["member"])
    as_user(client, people["coordinator"])
    response = client.post(f"{URL}/adopt", data={"note": "Andra beslutet", "decided_on": iso()},
                           follow_redirects=True)
    assert "Version v2 is adopted and public." in response.text
    assert tags(spec) == [("v1", v1.commit_id), ("v2", spec.head_revision)]
    assert v1.commit_id != spec.head_revision
    assert state(spec) == ("adopted", spec.head_revision, None, [1, 2])
    page = anonymous(client).get(f"{URL}/versions/v2")
    assert page.status_code == 200
    assert "What changed since the previous version" in page.text and "From v1 (r1" in page.text
    assert "<del>Krav 2: ljudnivå högst <mark>45</mark> dB.</del>" in page.text
    assert "<ins>Krav 2: ljudnivå högst <mark>40</mark> dB.</ins>" in page.text
    assert "Andra beslutet" in page.text
    first = anonymous(client).get(f"{URL}/versions/v1")
    assert "This is the first adopted version." in first.text and "Första beslutet" in first.text
    listing = anonymous(client).get(f"{URL}/versions").text
    assert listing.index("Andra beslutet") < listing.index("Första beslutet")  # newest first
    assert anonymous(client).get(f"{URL}/versions/v3").status_code == 404


def test_adopting_an_older_revision_than_the_adopted_one_is_refused(spec, people, in_english):
    edit(spec, TEXT.replace("5 år", "10 år"), people["member"])
    adopt(spec, people["coordinator"])
    with pytest.raises(InvalidInput) as refused:
        lifecycle.adopt(spec, note="Bakåt", decided_on=day(), actor=people["coordinator"], revision="r1")
    assert "not newer than the adopted version v1" in str(refused.value.message)
    assert [v for v, _ in tags(spec)] == ["v1"]


# --- archive and supersede -----------------------------------------------------------------------

def test_a_draft_cannot_be_archived(client, spec, people):
    as_user(client, people["coordinator"])
    response = client.post(f"{URL}/archive", data={"successor": ""})
    assert response.status_code == 422
    assert "Only a specification with an adopted version can be archived or superseded." in response.text
    assert state(spec) == ("draft", None, None, [])


def test_an_archived_specification_is_read_only_but_stays_public(client, spec, people):
    v1 = adopt(spec, people["coordinator"])
    edit(spec, TEXT.replace("5 år", "10 år"), people["member"])  # r2, never adopted
    as_user(client, people["coordinator"])
    response = client.post(f"{URL}/archive", data={"successor": ""}, follow_redirects=True)
    assert "The specification is archived." in response.text
    assert state(spec) == ("archived", v1.commit_id, None, [1])
    visitor = anonymous(client)
    page = visitor.get(URL)
    assert page.status_code == 200 and "This specification is archived" in page.text
    assert "garanti 5 år" in page.text and "garanti 10 år" not in page.text
    assert visitor.get(f"{URL}/raw").text == TEXT
    assert visitor.get(f"{URL}/history").status_code == 200
    assert visitor.get(f"{URL}/versions/v1").status_code == 200
    as_user(client, people["member"])
    assert client.get(f"{URL}/edit").status_code == 403
    assert client.post(f"{URL}/edit", data={"text": "Nytt", "base_revision": spec.head_revision}).status_code == 403
    assert client.post(f"{URL}/revert", data={"revision": "r1", "reason": "Tillbaka"}).status_code == 403
    assert client.get(f"{URL}/details").status_code == 403
    token = accounts.create_api_token(people["member"])
    api = client.put("/api/v1/networks/bebo/specs/varmepumpar", headers={"Authorization": f"Bearer {token}"},
                     json={"text": "Nytt", "base_revision": spec.head_revision})
    assert api.status_code == 403
    assert spec.revision_count == 2
    as_user(client, people["coordinator"])
    again = client.post(f"{URL}/adopt", data={"note": "Igen", "decided_on": iso()})
    assert again.status_code == 422 and "cannot be adopted again" in again.text
    consultation = client.post(f"{URL}/consultation", data={"closes": iso(9)})
    assert consultation.status_code == 422
    assert state(spec) == ("archived", v1.commit_id, None, [1]) and len(tags(spec)) == 1


def test_archiving_during_a_consultation_withdraws_the_consultation_text(client, spec, people):
    v1 = adopt(spec, people["coordinator"])
    edit(spec, TEXT.replace("45 dB", "40 dB"), people["member"])
    lifecycle.open_consultation(spec, day(10), actor=people["coordinator"])
    as_user(client, people["coordinator"])
    assert client.post(f"{URL}/archive", data={"successor": ""}).status_code == 302
    assert state(spec) == ("archived", v1.commit_id, None, [1])
    visitor = anonymous(client)
    assert "högst 45 dB" in visitor.get(URL).text
    assert visitor.get(f"{URL}?revision=r2").status_code == 404


def test_nobody_edits_an_archived_specification_not_even_a_portal_admin(client, spec, people):
    adopt(spec, people["coordinator"])
    lifecycle.archive(spec, actor=people["coordinator"])
    as_user(client, people["admin"])
    response = client.post(f"{URL}/edit", data={"text": "Ändrat i arkivet\n", "base_revision": spec.head_revision})
    assert response.status_code == 403
    assert spec.revision_count == 1


def test_superseding_points_to_the_successor(client, spec, people):
    successor = services.create_spec(people["network"], services.SpecDraft(title="Värmepumpar 2027", text=TEXT),
                                     actor=people["coordinator"])
    adopt(successor, people["coordinator"])  # public, so everyone may follow the link
    v1 = adopt(spec, people["coordinator"])
    as_user(client, people["coordinator"])
    response = client.post(f"{URL}/archive", data={"successor": successor.slug}, follow_redirects=True)
    assert "The specification is superseded." in response.text
    db.session.expire_all()
    assert (spec.status, spec.successor_id, spec.public_revision) == ("superseded", successor.id, v1.commit_id)
    page = anonymous(client).get(URL)
    assert "This specification is superseded by" in page.text
    assert f'href="/networks/bebo/specs/{successor.slug}"' in page.text
    assert anonymous(client).get(f"/networks/bebo/specs/{successor.slug}").status_code == 200


def test_a_specification_cannot_supersede_itself(client, spec, people):
    adopt(spec, people["coordinator"])
    as_user(client, people["coordinator"])
    response = client.post(f"{URL}/archive", data={"successor": "varmepumpar"})
    assert response.status_code == 422
    assert "Choose another specification of the same network" in response.text
    assert state(spec)[0] == "adopted"


def test_a_successor_from_another_network_is_refused(client, spec, people):
    other_network = people["other_network"]
    foreign = services.create_spec(other_network, services.SpecDraft(title="LED", text="# LED\n"),
                                   actor=other_network.memberships[0].organisation.users[0])
    adopt(spec, people["coordinator"])
    with pytest.raises(InvalidInput) as refused:
        lifecycle.archive(spec, actor=people["coordinator"], successor=foreign)
    assert "successor" in refused.value.errors
    assert state(spec)[0] == "adopted"
    # Through the page, the slug is looked up in the specification's own network only.
    as_user(client, people["coordinator"])
    response = client.post(f"{URL}/archive", data={"successor": foreign.slug})
    assert response.status_code in (404, 422)
    db.session.expire_all()
    assert (state(spec)[0], db.session.get(Spec, spec.id).successor_id) == ("adopted", None)


# --- two coordinators adopting at the same moment ------------------------------------------------

def _adopt_worker(config, barrier, email, results):
    from network_app import create_app
    from network_app.extensions import db as worker_db
    from tests.conftest import CSRFClient

    app = create_app(config)
    app.test_client_class = CSRFClient
    with app.app_context():
        client = app.test_client()
        client.set_cookie("lang", "en")
        logged_in = client.post("/login", data={"email": email, "password": PASSWORD}).status_code
        barrier.wait(timeout=60)
        try:
            response = client.post(f"{URL}/adopt", data={"note": f"Beslut av {email}",
                                                         "decided_on": date.today().isoformat()},
                                   follow_redirects=True)
            results.put((email, logged_in, response.status_code, response.text))
        except Exception as err:  # noqa: BLE001 - reported to the test, which fails on it
            results.put((email, logged_in, "crash", repr(err)))
        worker_db.session.remove()
        worker_db.engine.dispose()


def test_two_coordinators_adopting_at_once_make_v1_once(app, tmp_path, spec, people, make_user):
    second = make_user(email="second@example.org", name="Sigge Second", admin=True)
    networks.accept_invitation(networks.invite_organisation(people["network"], second.organisation.orgnr,
                                                            "coordinator", actor=people["coordinator"]),
                               actor=second)
    db.session.commit()
    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(2), ctx.Queue()
    config = app_config(tmp_path, SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"])
    emails = [people["coordinator"].email, second.email]
    processes = [ctx.Process(target=_adopt_worker, args=(config, barrier, email, results)) for email in emails]
    for p in processes:
        p.start()
    outcomes = [results.get(timeout=120) for _ in processes]
    for p in processes:
        p.join(timeout=60)
    assert all(logged_in == 302 for _, logged_in, _, _ in outcomes)
    assert [o for o in outcomes if o[2] == "crash" or o[2] >= 500] == []
    adopted = [o for o in outcomes if "Version v1 is adopted and public." in o[3]]
    assert len(adopted) == 1, [o[:3] for o in outcomes]
    loser = next(o for o in outcomes if o is not adopted[0])
    refused = loser[2] == 422 and "Revision r1 is not newer than the adopted version v1." in loser[3]
    assert refused or "Version v2 is adopted and public." in loser[3], loser[:3]
    db.session.expire_all()
    in_git = tags(spec)
    versions = db.session.scalars(select(SpecVersion).where(SpecVersion.spec_id == spec.id)
                                  .order_by(SpecVersion.number)).all()
    # Every version number exists once, in git and in the database, pointing at the same commit.
    assert [v for v, _ in in_git] == [f"v{n}" for n in range(1, len(in_git) + 1)]
    assert [(v.label, v.commit_id) for v in versions] == in_git
    assert in_git[0] == ("v1", spec.head_revision)
    assert len(in_git) == (1 if refused else 2)
