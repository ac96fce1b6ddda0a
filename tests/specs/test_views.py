"""Specification pages: create, read, edit with merge and conflict, history, diff, privacy."""
import pytest

from network_app.specs import services
from tests.conftest import login

TEXT = "# Värmepumpar\n\n## Krav\n\nKrav 1: COP minst 3.\n\nKrav 2: ljudnivå högst 45 dB.\n\nKrav 3: garanti 5 år.\n"


@pytest.fixture(autouse=True)
def english(client):
    client.set_cookie("lang", "en")


@pytest.fixture
def spec(make_network):
    network = make_network(slug="bebo")
    coordinator = network.memberships[0].organisation.users[0]
    return services.create_spec(network, services.SpecDraft(title="Värmepumpar", text=TEXT), actor=coordinator)


def coordinator_of(spec):
    return spec.network.memberships[0].organisation.users[0]


def test_create_form(client, make_network):
    network = make_network(slug="bebo")
    login(client, network.memberships[0].organisation.users[0].email)
    bad = client.post("/networks/bebo/specs/new", data={"title": "", "text": "Mitt utkast", "cpv": "99999999"})
    assert bad.status_code == 422 and "Mitt utkast" in bad.text and "Unknown CPV code" in bad.text
    response = client.post("/networks/bebo/specs/new", data={"title": "LED", "text": TEXT, "cpv": "31520000-7"})
    assert response.headers["Location"] == "/networks/bebo/specs/led"


def test_the_page_shows_the_rendered_text_with_a_revision_badge(client, spec):
    login(client, coordinator_of(spec).email)
    page = client.get("/networks/bebo/specs/varmepumpar")
    assert page.status_code == 200
    assert '<h3 id="h-krav">Krav</h3>' in page.text and 'href="#h-krav"' in page.text
    assert f"r1 · <code title=\"{spec.head_revision}\">{spec.head_revision[:7]}</code>" in page.text
    raw = client.get("/networks/bebo/specs/varmepumpar/raw")
    assert raw.text == TEXT and "attachment" in raw.headers["Content-Disposition"]


@pytest.mark.parametrize("suffix", ["", "/raw", "/history", "/diff?from=r1&to=r1", "/edit"])
def test_drafts_are_404_to_outsiders(client, spec, make_user, suffix):
    login(client, make_user(email="out@example.org").email)
    assert client.get(f"/networks/bebo/specs/varmepumpar{suffix}").status_code == 404
    anonymous = client.application.test_client()
    assert anonymous.get(f"/networks/bebo/specs/varmepumpar{suffix}").status_code in (302, 404)
    assert "Värmepumpar" not in client.get("/networks/bebo/specs/").text


def test_edit_merge_and_conflict(client, spec):
    login(client, coordinator_of(spec).email)
    base = spec.head_revision
    services.save_spec(spec, TEXT.replace("COP minst 3", "COP minst 4"), base_revision=base,
                       actor=coordinator_of(spec))
    merged = client.post("/networks/bebo/specs/varmepumpar/edit", follow_redirects=True, data={
        "text": TEXT.replace("5 år", "10 år"), "base_revision": base, "message": "Längre garanti"})
    assert "merged with changes saved meanwhile" in merged.text
    assert "COP minst 4" in merged.text and "10 år" in merged.text
    conflict = client.post("/networks/bebo/specs/varmepumpar/edit", data={
        "text": TEXT.replace("COP minst 3", "COP minst 5"), "base_revision": base})
    assert conflict.status_code == 409
    assert "COP minst 5" in conflict.text and "&lt;&lt;&lt;&lt;&lt;&lt;&lt; your edit" in conflict.text
    assert f'value="{spec.head_revision}"' in conflict.text  # a second save starts from the new head
    resolved = client.post("/networks/bebo/specs/varmepumpar/edit", data={
        "text": TEXT.replace("COP minst 3", "COP minst 5"), "base_revision": spec.head_revision})
    assert resolved.status_code == 302


def test_history_and_diff_pages(client, spec):
    login(client, coordinator_of(spec).email)
    services.save_spec(spec, TEXT.replace("45 dB", "40 dB"), base_revision=spec.head_revision,
                       message="Tystare", actor=coordinator_of(spec))
    history = client.get("/networks/bebo/specs/varmepumpar/history")
    assert "Tystare" in history.text and "r2" in history.text
    diff = client.get("/networks/bebo/specs/varmepumpar/diff?from=r1&to=r2")
    # One changed line: shown side by side with only the changed word marked on each side.
    assert diff.text.count('class="diff-change"') == 1
    assert "<del>Krav 2: ljudnivå högst <mark>45</mark> dB.</del>" in diff.text
    assert "<ins>Krav 2: ljudnivå högst <mark>40</mark> dB.</ins>" in diff.text
    inline = client.get("/networks/bebo/specs/varmepumpar/diff?from=r1&to=r2&layout=inline")
    assert 'class="diff-del"' in inline.text and 'class="diff-add"' in inline.text
    assert client.get("/networks/bebo/specs/varmepumpar/diff?from=HEAD&to=r2").status_code == 404


def test_observers_read_but_cannot_edit(client, spec, make_user):
    from network_app.networks import services as networks

    observer = make_user(email="obs@example.org", admin=True)
    networks.accept_invitation(networks.invite_organisation(spec.network, observer.organisation.orgnr, "observer",
                                                            actor=coordinator_of(spec)), actor=observer)
    login(client, observer.email)
    assert client.get("/networks/bebo/specs/varmepumpar").status_code == 200
    assert client.get("/networks/bebo/specs/varmepumpar/edit").status_code == 403


def test_flask_check_reports_and_repairs_cache_drift(runner, spec):
    from network_app.extensions import db

    assert runner.invoke(args=["check"]).exit_code == 0
    spec.revision_count, spec.head_revision = 7, "0" * 40
    db.session.commit()
    result = runner.invoke(args=["check"])
    assert result.exit_code == 1 and "bebo/varmepumpar" in result.output
    assert runner.invoke(args=["check", "--repair"]).exit_code == 0
    db.session.refresh(spec)
    assert spec.revision_count == 1 and spec.head_revision != "0" * 40
    assert runner.invoke(args=["check"]).exit_code == 0
