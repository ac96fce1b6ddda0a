"""The demo specification library (specs/library/) as `flask demo` loads it, and the CPV search the
library's codes come from."""
import re
import subprocess
from datetime import date, datetime, time, timezone

import pytest
from sqlalchemy import select

from network_app import demo
from network_app.extensions import db
from network_app.repos import store
from network_app.specs import services
from network_app.specs.models import Spec, SpecRevision

LIBRARY = sorted(p.parent for p in demo.LIBRARY_DIR.glob("*/*/spec.yaml"))
EXPECTED = {("bebo", "varmepumpar-flerbostadshus"), ("bebo", "gemensamma-tvattstugor"),
            ("belok", "led-belysning-lokaler"), ("belok", "ventilation-varmeatervinning"),
            ("inkopscentral-mitt", "laddinfrastruktur-bostadsomraden")}


@pytest.fixture
def loaded(runner):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    return {(s.network.slug, s.slug): s for s in db.session.scalars(select(Spec))}


def files(folder):
    """(front matter, body) of 01.md, 02.md … : the revisions of one library specification."""
    return [demo.read_front_matter(p) for p in sorted(folder.glob("[0-9]*.md"))]


def revisions(spec) -> list[SpecRevision]:
    return db.session.scalars(select(SpecRevision).where(SpecRevision.spec_id == spec.id)
                              .order_by(SpecRevision.number)).all()


def test_the_library_has_the_five_specifications(loaded):
    assert {(f.parent.name, f.name) for f in LIBRARY} == EXPECTED
    assert set(loaded) == EXPECTED


def test_each_specification_has_its_dated_history_by_several_authors(loaded):
    for folder in LIBRARY:
        spec = loaded[(folder.parent.name, folder.name)]
        revs, sources = revisions(spec), files(folder)
        assert len(revs) == len(sources) >= 3 and spec.revision_count == len(sources), folder.name
        assert len({r.author_email for r in revs}) >= 2, folder.name
        for rev, (front, body) in zip(revs, sources, strict=True):
            assert rev.author_email == front["author"]
            assert rev.authored_at == datetime.combine(front["date"], time(12), tzinfo=timezone.utc)
            assert rev.message == front["message"]
            assert services.text_of(spec, rev) == body + "\n"
        # Dated history: oldest first, in the order of the files.
        assert [r.authored_at for r in revs] == sorted(r.authored_at for r in revs)
        assert [r.commit_id for r in revs] == [r.commit_id for r in store().changes_since(spec.network.slug, spec.path)]


def test_each_specification_has_adopted_versions_tagged_in_git(loaded):
    for folder in LIBRARY:
        spec = loaded[(folder.parent.name, folder.name)]
        sources = files(folder)
        adopted = [(number, front["adopt"]) for number, (front, _body) in enumerate(sources, start=1)
                   if "adopt" in front]
        assert adopted and spec.versions, folder.name
        assert [(v.label, v.revision_number, v.note) for v in spec.versions] == [
            (a["version"], number, a["note"]) for number, a in adopted]
        assert store().versions(spec.network.slug, spec.path) == [(v.label, v.commit_id) for v in spec.versions]
        coordinator = next(m.organisation for m in spec.network.memberships if m.role == "coordinator")
        for version in spec.versions:
            assert version.commit_id == revisions(spec)[version.revision_number - 1].commit_id
            noted = re.search(r"\d{4}-\d{2}-\d{2}", version.note)
            assert version.decided_on == date.fromisoformat(noted.group(0))
            assert version.decided_on <= date.today()
            assert version.organisation_name == coordinator.name
            assert version.decided_by_name in {u.name for u in coordinator.users}
        assert spec.status == "adopted" and spec.public_revision == spec.latest_version.commit_id


def test_the_heat_pump_specification_has_v1_and_v2(loaded, client):
    spec = loaded[("bebo", "varmepumpar-flerbostadshus")]
    assert [(v.label, v.revision_number) for v in spec.versions] == [("v1", 2), ("v2", 4)]
    tags = store().versions("bebo", spec.path)
    assert [v for v, _ in tags] == ["v1", "v2"] and tags[0][1] != tags[1][1]
    refs = subprocess.run(["git", "--git-dir", str(store().path_of("bebo")), "for-each-ref",
                           "refs/tags/specs/varmepumpar-flerbostadshus",
                           "--format=%(refname:strip=2) %(taggerdate:short)"],
                          capture_output=True, text=True, check=True).stdout.split("\n")
    assert "specs/varmepumpar-flerbostadshus/v1 2026-03-18" in refs
    assert "specs/varmepumpar-flerbostadshus/v2 2026-09-09" in refs
    assert spec.latest_version.decided_by_name == "Sara Samordnare"
    client.set_cookie("lang", "en")
    page = client.get("/networks/bebo/specs/varmepumpar-flerbostadshus/versions/v2")
    assert page.status_code == 200 and "What changed since the previous version" in page.text
    assert "<mark>" in page.text and "From v1 (r2" in page.text


def test_flask_check_is_clean_after_loading(loaded, runner):
    result = runner.invoke(args=["check"])
    assert result.exit_code == 0, result.output
    assert "Checked 4 repositories: no problems." in result.output  # 3 networks and the criteria library


# --- CPV search ----------------------------------------------------------------------------------

def test_cpv_search_finds_heat_pumps_in_swedish(client):
    response = client.get("/api/v1/cpv?q=värmepump")
    assert response.status_code == 200
    codes = response.json["codes"]
    assert {"code": "42511110-5", "label_sv": "Värmepumpar", "label_en": "Heat pumps"} in codes
    assert codes[0]["code"] == "42511110-5"  # the label that starts with the word comes first
    assert 0 < len(codes) <= 20
    assert all("värmepump" in f"{c['code']} {c['label_sv']} {c['label_en']}".casefold() for c in codes)


def test_cpv_search_matches_codes_and_every_word(client):
    codes = client.get("/api/v1/cpv?q=42511110").json["codes"]
    assert codes[0]["code"] == "42511110-5"
    assert [c["code"] for c in client.get("/api/v1/cpv?q=HEAT pumps").json["codes"]][:1] == ["42511110-5"]


@pytest.mark.parametrize("query", ["", "v", " v ", "ä", "   "])
def test_cpv_search_needs_at_least_two_characters(client, query):
    response = client.get("/api/v1/cpv", query_string={"q": query})
    assert response.status_code == 200 and response.json == {"codes": []}


def test_cpv_search_without_q_is_an_empty_list(client):
    assert client.get("/api/v1/cpv").json == {"codes": []}
