"""The criteria library: permissions, editing with merge, facets, embedding in specifications,
the update notice and re-pinning, the CSV checklist and the API."""
import csv
import io

import pytest

from network_app.criteria import services as criteria
from network_app.errors import Forbidden, InvalidInput, NotFound
from network_app.extensions import db
from network_app.networks.models import Membership
from network_app.specs import lifecycle
from network_app.specs import services as specs
from tests.conftest import login


def draft(title="Köldmedium med lågt GWP", requirement="Köldmediet ska ha GWP under 750.", **kw):
    values = dict(title=title, type="technical", level="advanced", areas=["environment"], cpv=["42511110"],
                  text=criteria.CriterionText(requirement, "Läckage skadar klimatet.", "Produktdatablad."))
    values.update(kw)
    return criteria.CriterionDraft(**values)


@pytest.fixture
def world(app, make_user, make_network):
    editor = make_user(email="editor@example.org", name="Erika Editor", admin=True)
    editor.is_library_editor = True
    network = make_network(slug="bebo")
    coordinator = network.memberships[0].organisation.users[0]
    member = make_user(email="member@example.org", name="Måns Medlem", admin=True)
    db.session.add(Membership(network=network, organisation=member.organisation, role="member"))
    outsider = make_user(email="outsider@example.org", name="Olle Utanför", admin=True)
    db.session.commit()
    shared = criteria.create_criterion(draft(), actor=editor)
    return {"editor": editor, "network": network, "coordinator": coordinator, "member": member,
            "outsider": outsider, "shared": shared}


def spec_with(world, text, title="Värmepumpar"):
    return specs.create_spec(world["network"], specs.SpecDraft(title=title, text=text), actor=world["member"])


def test_text_parts_round_trip_through_git(world):
    criterion = world["shared"]
    assert criterion.code == "K-0001" and criterion.revision_count == 1
    text = criteria.text_of(criterion, criteria.revision_of(criterion))
    assert text == criteria.CriterionText("Köldmediet ska ha GWP under 750.", "Läckage skadar klimatet.",
                                          "Produktdatablad.")
    second = criteria.create_criterion(draft(title="Ljud"), actor=world["editor"])
    assert second.code == "K-0002"


def test_only_library_editors_write_the_shared_library(world):
    with pytest.raises(Forbidden):
        criteria.create_criterion(draft(), actor=world["member"])
    with pytest.raises(Forbidden):
        criteria.save_criterion(world["shared"], draft(), base_revision=world["shared"].head_revision,
                                actor=world["coordinator"])


def test_a_networks_own_criteria_are_for_its_members(world):
    own = criteria.create_criterion(draft(title="Eget krav"), actor=world["member"], network=world["network"])
    assert own.repository == "bebo"
    assert criteria.get_criterion_or_404(own.code, viewer=world["member"]) == own
    for viewer in (world["outsider"], None):
        with pytest.raises(NotFound):
            criteria.get_criterion_or_404(own.code, viewer=viewer)
    found, _facets = criteria.browse(world["outsider"], {})
    assert own not in found and world["shared"] in found


def test_bad_input_is_refused_and_nothing_is_stored(world):
    with pytest.raises(InvalidInput) as err:
        criteria.create_criterion(draft(title="", type="magic", areas=[], cpv=["99999999"],
                                        text=criteria.CriterionText("", "## Motiv", "")), actor=world["editor"])
    assert set(err.value.errors) >= {"title", "type", "areas", "cpv", "requirement", "rationale"}
    assert criteria.browse(world["editor"], {})[0] == [world["shared"]]


def test_edits_of_different_parts_merge_and_overlapping_ones_conflict(world):
    criterion = world["shared"]
    base = criterion.head_revision
    criteria.save_criterion(criterion, draft(requirement="Köldmediet ska ha GWP under 150."), base_revision=base,
                            actor=world["editor"])
    merged = draft(requirement="Köldmediet ska ha GWP under 750.")
    merged.text.verification = "Produktdatablad och märkning."
    outcome = criteria.save_criterion(criterion, merged, base_revision=base, actor=world["editor"])
    assert outcome.merged
    text = criteria.text_of(criterion, criteria.revision_of(criterion))
    assert "150" in text.requirement and text.verification == "Produktdatablad och märkning."
    with pytest.raises(specs.EditConflict):
        criteria.save_criterion(criterion, draft(requirement="Köldmediet ska ha GWP under 10."), base_revision=base,
                                actor=world["editor"])
    assert criterion.revision_count == 3


def test_facet_counts_follow_the_other_filters(world):
    criteria.create_criterion(draft(title="Ljud", type="award", level="basic", areas=["environment", "social"],
                                    cpv=["45331000"]), actor=world["editor"])
    found, facets = criteria.browse(None, {"type": "award"})
    assert [c.title for c in found] == ["Ljud"]
    assert dict(facets["type"]) == {"technical": 1, "award": 1}  # the type facet ignores its own filter
    assert dict(facets["area"]) == {"environment": 1, "social": 1}
    assert dict(facets["cpv"]) == {"45": 1}


def test_embedded_criteria_render_as_boxes_and_other_networks_criteria_do_not(app, world, make_network):
    other = make_network(slug="belok")
    hidden = criteria.create_criterion(draft(title="Belok internt", requirement="Hemligt krav."),
                                       actor=other.memberships[0].organisation.users[0], network=other)
    spec = spec_with(world, f"# Krav\n\n[[K-0001@r1]]\n\n[[{hidden.code}]]\n\ncriterion0x0 och [[K-0001]] i löptext\n")
    with app.test_request_context():
        html = str(specs.rendered_of(spec, specs.revision_of(spec)).html)
    assert html.count('class="criterion-box"') == 1 and "Köldmediet ska ha GWP under 750." in html
    assert "Hemligt krav" not in html and "criterion-box--missing" in html
    assert "[[K-0001]] i löptext" in html  # only a reference on a line of its own becomes a box


def test_a_newer_criterion_revision_shows_a_notice_and_one_click_repins(client, world):
    spec = spec_with(world, "# Krav\n\n[[K-0001@r1]]\n")
    criteria.save_criterion(world["shared"], draft(requirement="Köldmediet ska ha GWP under 150."),
                            base_revision=world["shared"].head_revision, actor=world["editor"])
    url = f"/networks/bebo/specs/{spec.slug}"
    assert "K-0001" not in client.get(url).text  # a draft: outsiders see nothing at all
    login(client, world["member"].email)
    client.set_cookie("lang", "en")
    page = client.get(url)
    assert "Criterion K-0001 has a newer revision" in page.text and "<mark>150</mark>" in page.text
    response = client.post(f"{url}/criteria/K-0001/update", data={})
    assert response.status_code == 302
    assert specs.text_of(spec, specs.revision_of(spec)) == "# Krav\n\n[[K-0001@r2]]\n"
    page = client.get(url)
    assert "has a newer revision" not in page.text and "GWP under 150" in page.text
    assert spec in criteria.used_in(world["shared"], viewer=world["member"])
    assert criteria.used_in(world["shared"], viewer=world["outsider"]) == []  # a draft stays private


def test_the_checklist_cannot_carry_spreadsheet_formulas(client, world):
    evil = criteria.create_criterion(draft(title="=HYPERLINK(\"http://x\")", requirement="+SUM(A1:A9)"),
                                     actor=world["editor"])
    spec = spec_with(world, f"[[K-0001@r1]]\n\n[[{evil.code}@r1]]\n")
    lifecycle.adopt(spec, note="Beslut", decided_on=__import__("datetime").date.today(), actor=world["coordinator"])
    response = client.get(f"/networks/bebo/specs/{spec.slug}/criteria.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.text.lstrip("\ufeff")), delimiter=";"))
    assert [r[0] for r in rows[1:]] == ["K-0001", evil.code]
    assert rows[2][1].startswith("'=") and rows[2][5].startswith("'+")


def test_the_api_lists_with_facets_and_shows_one(client, world):
    body = client.get("/api/v1/criteria?type=technical&q=köldmedium").json
    assert body["total"] == 1 and body["results"][0]["id"] == "K-0001"
    assert {"value": "technical", "count": 1} in body["facets"]["type"]
    one = client.get("/api/v1/criteria/K-0001").json
    assert one["embed"] == "[[K-0001@r1]]" and one["requirement"].startswith("Köldmediet")
    assert client.get("/api/v1/criteria/K-0999").status_code == 404


def test_criteria_pages(client, world):
    client.set_cookie("lang", "en")
    assert "K-0001" in client.get("/criteria/?level=advanced").text
    page = client.get("/criteria/K-0001")
    assert page.status_code == 200 and "[[K-0001@r1]]" in page.text and "Used in 0 specifications" in page.text
    assert client.get("/criteria/K-0001/edit").status_code == 302  # log in first
    login(client, world["member"].email)
    assert client.get("/criteria/K-0001/edit").status_code == 403
    assert client.get("/criteria/new").status_code == 403
    login(client, world["editor"].email)
    response = client.post("/criteria/new", data={"title": "", "requirement": "x"})
    assert response.status_code == 422 and "Enter a title" in response.text


def test_the_api_finds_criteria_by_swedish_word_forms(client, world):
    criteria.create_criterion(draft(title="Ljud från värmepumpar", requirement="Ljudnivån ska vara låg."),
                              actor=world["editor"])
    body = client.get("/api/v1/criteria?q=v%C3%A4rmepumpen").json  # "värmepumpen" finds "värmepumpar"
    assert [r["id"] for r in body["results"]] == ["K-0002"] and body["total"] == 1


def test_portal_admins_appoint_library_editors_from_the_command_line(runner, world):
    result = runner.invoke(args=["library-editor", "MEMBER@example.org"])
    assert result.exit_code == 0 and world["member"].is_library_editor
    assert runner.invoke(args=["library-editor", "member@example.org", "--remove"]).exit_code == 0
    assert not world["member"].is_library_editor
    assert runner.invoke(args=["library-editor", "nobody@example.org"]).exit_code == 1
