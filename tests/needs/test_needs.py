"""Planned needs through their pages and services: publishing (and bad input), drafts, the public
list's filters, history, statuses, interest, messages, questions and answers, watches and feeds."""
import csv
import io
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from network_app.extensions import db
from network_app.needs import engagement, notify, services, watches
from network_app.needs.models import Interest, Need, NeedEvent, Question, Watch, WatchNotice
from tests.conftest import login


def day(offset: int) -> date:
    return date.today() + timedelta(days=offset)


def draft(**changes) -> services.NeedDraft:
    values = dict(title="Värmepumpar till flerbostadshus", description="Byte av oljepannor mot **värmepumpar**.",
                  cpv=["42511110-5"], counties=["07"], procedure="open", planned_notice_date=day(60),
                  planned_contract_start=day(200), value_min=2_000_000, value_max=3_000_000,
                  contact_name="Cora", contact_email="cora@example.org")
    values.update(changes)
    return services.NeedDraft(**values)


def publish(actor, network="", **changes) -> Need:
    return services.create_need(draft(**changes), actor=actor, network=network, publish=True)


def form_of(need_draft: services.NeedDraft, **extra) -> dict:
    data = {"title": need_draft.title, "description": need_draft.description, "cpv": ", ".join(need_draft.cpv),
            "counties": need_draft.counties, "procedure": need_draft.procedure,
            "planned_notice_date": str(need_draft.planned_notice_date),
            "planned_contract_start": str(need_draft.planned_contract_start),
            "value_min": str(need_draft.value_min or ""), "value_max": str(need_draft.value_max or ""),
            "contact_name": need_draft.contact_name, "contact_email": need_draft.contact_email, "network": ""}
    data.update(extra)
    return data


@pytest.fixture(autouse=True)
def english(client):
    client.set_cookie("lang", "en")


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# --- publishing ---------------------------------------------------------------------------------------

def test_a_buyer_publishes_a_need_from_the_form(client, bebo):
    login(client, bebo["member"].email)
    response = client.post("/needs/new", data=form_of(draft(), publish="1"))
    assert response.status_code == 302
    need = db.session.scalar(select(Need))
    assert need.status == "planned" and need.published_at is not None
    assert need.organisation_id == bebo["member"].organisation.id and need.network_id is None
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Värmepumpar till flerbostadshus" in page and "<strong>värmepumpar</strong>" in page
    assert "42511110-5" in page and "Kronobergs län" in page


def test_a_coordinator_publishes_on_behalf_of_the_network(client, bebo):
    login(client, bebo["coordinator"].email)
    assert b'value="bebo"' in client.get("/needs/new").data
    client.post("/needs/new", data=form_of(draft(), network="bebo", publish="1"))
    need = db.session.scalar(select(Need))
    assert need.network.slug == "bebo"
    assert "Bebo" in client.get(f"/needs/{need.id}").get_data(as_text=True)


@pytest.mark.parametrize("field, value, message", [
    ("cpv", "99999999", "Unknown CPV code: 99999999."),
    ("planned_contract_start", str(day(10)), "The contract cannot start before the planned notice date."),
    ("value_min", "-5", "The value cannot be negative."),
    ("counties", ["99"], "Unknown county code: 99."),
    ("title", "", "Enter a title."),
    ("procedure", "bribery", "Choose a procedure."),
])
def test_bad_input_gets_a_clear_message_keeps_the_form_and_stores_nothing(client, bebo, field, value, message):
    login(client, bebo["member"].email)
    data = form_of(draft(title="Mitt behov med egna ord"), publish="1")
    data[field] = value
    response = client.post("/needs/new", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in page
    if field != "title":
        assert 'value="Mitt behov med egna ord"' in page
    assert count(Need) == 0 and count(NeedEvent) == 0


def test_suppliers_and_outsiders_to_a_network_may_not_publish_for_it(client, bebo):
    login(client, bebo["supplier"].email)
    assert client.get("/needs/new").status_code == 403
    with pytest.raises(Exception):
        services.create_need(draft(), actor=bebo["supplier"], publish=True)
    with pytest.raises(Exception):
        services.create_need(draft(), actor=bebo["outsider"], network="bebo", publish=True)
    with pytest.raises(Exception):  # observers read, they do not publish for the network
        services.create_need(draft(), actor=bebo["observer"], network="bebo", publish=True)
    assert count(Need) == 0


def test_a_draft_is_seen_only_by_its_publishers_until_published(client, bebo):
    need = services.create_need(draft(), actor=bebo["coordinator"], network="bebo")
    assert need.status == "draft"
    assert client.get(f"/needs/{need.id}").status_code == 404
    assert "Värmepumpar" not in client.get("/needs/").get_data(as_text=True)
    login(client, bebo["outsider"].email)
    assert client.get(f"/needs/{need.id}").status_code == 404
    client.post("/logout", data={})
    login(client, bebo["member"].email)  # a member of the network publishing it
    assert client.get(f"/needs/{need.id}").status_code == 200
    assert client.post(f"/needs/{need.id}/publish", data={}).status_code == 302
    assert db.session.get(Need, need.id).status == "planned"
    client.post("/logout", data={})
    assert client.get(f"/needs/{need.id}").status_code == 200


# --- the public list ----------------------------------------------------------------------------------

@pytest.fixture
def listed(bebo):
    buyer, coordinator = bebo["member"], bebo["coordinator"]
    return {
        "heat": publish(buyer),
        "roof": publish(buyer, title="Takrenovering av skolor", description="Nya tak på tre skolor.", cpv=["45261000-4"], counties=["01"],
                        procedure="restricted", value_min=10_000_000, value_max=None, planned_notice_date=day(300),
                        planned_contract_start=day(400)),
        "meals": publish(coordinator, network="bebo", title="Måltider i hemtjänsten", description="Matlådor.", cpv=["55321000-6"],
                         counties=["01", "03"], procedure="iop", value_min=None, value_max=None,
                         reserved_for_non_profits=True),
        "water": publish(coordinator, title="Nödvatten i tankar", description="Tankar för dricksvatten.", cpv=["45232150-8"], counties=["12"],
                         procedure="direct_award", value_min=300_000, value_max=None, critical_supply=True,
                         preparedness_note="Dricksvatten vid avbrott."),
    }


def titles(client, query: str) -> set[str]:
    page = client.get(f"/needs/?{query}").get_data(as_text=True)
    return {n for n in ("Värmepumpar till flerbostadshus", "Takrenovering av skolor", "Måltider i hemtjänsten",
                        "Nödvatten i tankar") if n in page}


def test_the_list_filters_by_each_criterion_and_every_state_is_a_url(client, listed, bebo):
    assert len(titles(client, "")) == 4
    assert titles(client, "cpv=45000000") == {"Takrenovering av skolor", "Nödvatten i tankar"}
    assert titles(client, "cpv=45260000") == {"Takrenovering av skolor"}
    assert titles(client, "county=01") == {"Takrenovering av skolor", "Måltider i hemtjänsten"}
    assert titles(client, "procedure=direct_award") == {"Nödvatten i tankar"}
    assert titles(client, "reserved=1") == {"Måltider i hemtjänsten"}
    assert titles(client, "critical=1") == {"Nödvatten i tankar"}
    assert titles(client, "value_min=2500000&value_max=5000000") == {"Värmepumpar till flerbostadshus"}
    assert titles(client, "value_min=5000000") == {"Takrenovering av skolor"}
    assert titles(client, f"notice_from={day(250)}") == {"Takrenovering av skolor"}
    assert titles(client, f"notice_to={day(100)}") == {"Värmepumpar till flerbostadshus", "Måltider i hemtjänsten",
                                                       "Nödvatten i tankar"}
    assert titles(client, "network=bebo") == {"Måltider i hemtjänsten"}
    assert titles(client, f"buyer={bebo['member'].organisation.id}") == {"Värmepumpar till flerbostadshus",
                                                                          "Takrenovering av skolor"}
    assert titles(client, "q=värmepump") == {"Värmepumpar till flerbostadshus"}  # inflected, through the index
    assert titles(client, "q=skolorna&county=01") == {"Takrenovering av skolor"}
    services.change_status(listed["water"], "cancelled", actor=bebo["coordinator"], reason="Löst på annat sätt.")
    assert titles(client, "status=cancelled") == {"Nödvatten i tankar"}
    assert titles(client, "status=planned") == {"Värmepumpar till flerbostadshus", "Takrenovering av skolor",
                                                "Måltider i hemtjänsten"}


def test_unreadable_filters_are_named_not_fatal(client, listed):
    response = client.get("/needs/?cpv=abc&value_min=lots&notice_from=tomorrow&county=77&page=-3")
    assert response.status_code == 200
    assert "Some filters could not be read" in response.get_data(as_text=True)
    assert len(titles(client, "cpv=abc")) == 4


def test_the_list_sorts_and_pages_with_links_that_keep_the_filters(client, bebo):
    for n in range(23):
        publish(bebo["member"], title=f"Behov nummer {n:02d}", planned_notice_date=day(30 + n))
    page = client.get("/needs/?county=07").get_data(as_text=True)
    assert "23 planned needs" in page and "Behov nummer 00" in page and "Behov nummer 22" not in page
    assert 'href="/needs/?county=07&amp;page=2"' in page
    second = client.get("/needs/?county=07&page=2").get_data(as_text=True)
    assert "Behov nummer 22" in second and "Behov nummer 00" not in second
    newest = client.get("/needs/?sort=title&per_page=5").get_data(as_text=True)
    assert newest.index("Behov nummer 00") < newest.index("Behov nummer 04")


# --- history and statuses -----------------------------------------------------------------------------

def test_each_change_to_a_published_need_is_kept_and_shown(client, bebo):
    need = publish(bebo["member"])
    login(client, bebo["member"].email)
    form = form_of(draft(), value_max="3500000", counties=["07", "08"])
    assert client.post(f"/needs/{need.id}/edit", data=form).status_code == 302
    event = db.session.scalars(select(NeedEvent).where(NeedEvent.kind == "edited")).one()
    assert event.changes == {"value_max": [3_000_000, 3_500_000], "counties": [["07"], ["07", "08"]]}
    page = client.get(f"/needs/{need.id}").get_data(as_text=True)
    assert "Kronobergs län, Kalmar län" in page and "3,500,000" in page.replace("\u202f", ",").replace("\xa0", ",")
    client.post(f"/needs/{need.id}/edit", data=form)  # the same again: nothing new in the history
    assert db.session.scalar(select(func.count()).where(NeedEvent.kind == "edited")) == 1


def test_status_moves_forward_with_what_each_step_needs(client, bebo):
    need = publish(bebo["member"])
    login(client, bebo["member"].email)
    response = client.post(f"/needs/{need.id}/status", data={"status": "announced"})
    assert response.status_code == 422 and "Enter the notice" in response.get_data(as_text=True)
    response = client.post(f"/needs/{need.id}/status", data={"status": "awarded"})
    assert response.status_code == 422 and db.session.get(Need, need.id).status == "planned"
    client.post(f"/needs/{need.id}/status", data={"status": "market_dialogue"})
    client.post(f"/needs/{need.id}/status", data={"status": "announced", "notice_reference": "TED 2027/S 1-2",
                                                  "notice_url": "https://ted.example/notice/1"})
    need = db.session.get(Need, need.id)
    assert need.status == "announced" and need.notice_reference == "TED 2027/S 1-2"
    assert client.post(f"/needs/{need.id}/status", data={"status": "cancelled"}).status_code == 422
    client.post(f"/needs/{need.id}/status", data={"status": "cancelled", "reason": "Budget withdrawn."})
    assert db.session.get(Need, need.id).status == "cancelled"
    with pytest.raises(services.StatusRefused):
        services.update_need(need, draft(title="Changed"), actor=bebo["member"])
    statuses = [e.status for e in services.history(need)]
    assert statuses == ["cancelled", "announced", "market_dialogue", "planned", "draft"]


def test_only_the_publishers_change_a_need(client, bebo):
    need = publish(bebo["coordinator"], network="bebo")
    for user in (bebo["observer"], bebo["outsider"], bebo["supplier"]):
        login(client, user.email)
        assert client.get(f"/needs/{need.id}/edit").status_code == 403
        assert client.post(f"/needs/{need.id}/status", data={"status": "cancelled", "reason": "x"}).status_code == 403
        assert client.get(f"/needs/{need.id}/registrations").status_code == 403
        client.post("/logout", data={})
    assert db.session.get(Need, need.id).status == "planned"


# --- interest -----------------------------------------------------------------------------------------

def register(client, need, **changes):
    data = {"contact_name": "Sam", "contact_email": "sam@supplier.example", "message": "Vi kan leverera.",
            "consortium": "y"}
    data.update(changes)
    return client.post(f"/needs/{need.id}/interest", data=data)


def test_a_supplier_registers_changes_and_withdraws_its_interest(client, bebo, make_user):
    need = publish(bebo["member"])
    login(client, bebo["supplier"].email)
    assert register(client, need).status_code == 302
    assert "1 supplier" in client.get(f"/needs/{need.id}").get_data(as_text=True)
    client.post("/logout", data={})
    colleague = make_user(email="colleague@example.org", org=bebo["supplier"].organisation)
    login(client, colleague.email)  # the same organisation: its one registration is changed
    register(client, need, message="Nytt besked.", consortium="")
    interests = db.session.scalars(select(Interest)).all()
    assert len(interests) == 1 and interests[0].message == "Nytt besked." and not interests[0].consortium
    client.post(f"/needs/{need.id}/interest/withdraw", data={})
    assert db.session.scalars(select(Interest)).one().withdrawn_at is not None
    assert "0 suppliers" in client.get(f"/needs/{need.id}").get_data(as_text=True)


def test_interest_is_refused_on_drafts_and_closed_needs_and_to_buyers(client, bebo):
    need = publish(bebo["member"])
    hidden = services.create_need(draft(), actor=bebo["member"])
    login(client, bebo["outsider"].email)  # a buyer organisation
    assert client.get(f"/needs/{need.id}/interest").status_code == 403
    client.post("/logout", data={})
    login(client, bebo["supplier"].email)
    assert register(client, hidden).status_code == 404
    services.change_status(need, "cancelled", actor=bebo["member"], reason="Stopped.")
    response = register(client, need)
    assert response.status_code == 302
    assert "can only be registered while" in client.get(response.headers["Location"]).get_data(as_text=True)
    response = register(client, publish(bebo["member"]), contact_email="not an address")
    assert response.status_code == 422 and "Enter an e-mail address" in response.get_data(as_text=True)
    assert count(Interest) == 0


def test_the_buyer_filters_exports_and_messages_the_registered(client, bebo, make_user, outbox):
    need = publish(bebo["member"])
    small = bebo["supplier"]
    large = make_user(email="big@example.org", org_kind="company")
    large.organisation.size_class = "large"
    charity = make_user(email="charity@example.org", org_kind="non_profit")
    db.session.commit()
    for user, message in ((small, "=HYPERLINK(\"http://evil\")"), (large, "Stora volymer."), (charity, "Ideellt.")):
        engagement.register_interest(need, engagement.InterestDraft(
            contact_name=user.name, contact_email=user.email, message=message), actor=user)
    login(client, bebo["member"].email)
    page = client.get(f"/needs/{need.id}/registrations?size_class=large").get_data(as_text=True)
    assert "big@example.org" in page and "supplier@example.org" not in page
    page = client.get(f"/needs/{need.id}/registrations?non_profit=1").get_data(as_text=True)
    assert "charity@example.org" in page and "big@example.org" not in page
    exported = client.get(f"/needs/{need.id}/registrations.csv").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(exported.lstrip("\ufeff")), delimiter=";"))
    assert len(rows) == 4
    assert rows[1][10].startswith("'=HYPERLINK")  # a spreadsheet shows it, never runs it
    response = client.post(f"/needs/{need.id}/message", data={"subject": "Marknadsdialog 12 mars",
                                                              "body": "Välkomna till dialogmöte."})
    assert response.status_code == 302
    sent = {m.recipient for m in outbox() if "Välkomna till dialogmöte." in m.body}
    assert sent == {"supplier@example.org", "big@example.org", "charity@example.org"}
    client.post("/logout", data={})
    login(client, small.email)
    assert "Välkomna till dialogmöte." in client.get(f"/needs/{need.id}").get_data(as_text=True)
    client.post("/logout", data={})
    assert "Välkomna till dialogmöte." not in client.get(f"/needs/{need.id}").get_data(as_text=True)


def test_registered_suppliers_hear_of_status_changes(bebo, outbox):
    need = publish(bebo["member"])
    engagement.register_interest(need, engagement.InterestDraft(contact_name="Sam", contact_email="sam@s.example"),
                                 actor=bebo["supplier"])
    services.change_status(need, "market_dialogue", actor=bebo["member"])
    mails = outbox("sam@s.example")
    assert len(mails) == 1 and "Värmepumpar till flerbostadshus" in mails[0].subject
    assert "market dialogue" in mails[0].body.lower() or "marknadsdialog" in mails[0].body.lower()


# --- questions ------------------------------------------------------------------------------------------

def test_questions_are_answered_publicly_without_the_askers_name(client, bebo, outbox):
    need = publish(bebo["member"])
    engagement.register_interest(need, engagement.InterestDraft(contact_name="Sam", contact_email="sam@s.example"),
                                 actor=bebo["supplier"])
    login(client, bebo["supplier"].email)
    client.post(f"/needs/{need.id}/questions", data={"text": "Får man lämna anbud på delar?"})
    question = db.session.scalar(select(Question))
    client.post("/logout", data={})
    assert "Får man lämna anbud på delar?" not in client.get(f"/needs/{need.id}").get_data(as_text=True)
    login(client, bebo["member"].email)
    client.post(f"/needs/{need.id}/questions/{question.id}/answer",
                data={f"a{question.id}-answer": "Ja, tre delområden.", f"a{question.id}-visibility": "public"})
    client.post("/logout", data={})
    page = client.get(f"/needs/{need.id}").get_data(as_text=True)
    assert "Får man lämna anbud på delar?" in page and "Ja, tre delområden." in page
    assert "Sam Supplier" not in page and bebo["supplier"].organisation.name not in page
    assert any("Ja, tre delområden." in m.body for m in outbox("sam@s.example"))


def test_a_private_answer_reaches_the_asker_alone(client, bebo, outbox):
    need = publish(bebo["member"])
    question = engagement.ask(need, "Vilken budget?", actor=bebo["supplier"])
    engagement.answer(question, need, "Tre miljoner.", False, actor=bebo["member"])
    assert "Tre miljoner." not in client.get(f"/needs/{need.id}").get_data(as_text=True)
    assert [m.recipient for m in outbox() if "Tre miljoner." in m.body] == ["supplier@example.org"]
    login(client, bebo["supplier"].email)
    assert "Tre miljoner." in client.get(f"/needs/{need.id}").get_data(as_text=True)
    with pytest.raises(Exception):
        engagement.answer(question, need, "Fel person.", True, actor=bebo["supplier"])


def test_questions_about_a_specification_in_consultation(client, bebo):
    from network_app.specs import lifecycle
    from network_app.specs import services as specs

    spec = specs.create_spec(bebo["network"], specs.SpecDraft(title="Tvättstugor", text="# Krav\n\nText."),
                             actor=bebo["coordinator"])
    url = "/networks/bebo/specs/tvattstugor/questions"
    login(client, bebo["supplier"].email)
    client.post(url, data={"text": "Gäller kraven även torkskåp?"})
    assert count(Question) == 0  # a draft: nobody outside may ask (or see it)
    lifecycle.open_consultation(spec, closes=day(30), actor=bebo["coordinator"])
    client.post(url, data={"text": "Gäller kraven även torkskåp?"})
    question = db.session.scalar(select(Question))
    assert question.spec_id == spec.id
    client.post("/logout", data={})
    login(client, bebo["member"].email)
    client.post(f"{url}/{question.id}/answer", data={f"a{question.id}-answer": "Ja.",
                                                     f"a{question.id}-visibility": "public"})
    client.post("/logout", data={})
    page = client.get(url).get_data(as_text=True)
    assert "Gäller kraven även torkskåp?" in page and "Ja." in page


# --- watches --------------------------------------------------------------------------------------------

def test_a_watch_matches_by_cpv_prefix_county_and_words(bebo):
    supplier = bebo["supplier"]

    def watch(**kw):
        return watches.create_watch(watches.WatchDraft(**{"name": "w", **kw}), actor=supplier)
    heat = watch(cpv=["42500000"])
    smaland = watch(cpv=["42000000"], counties=["06", "07", "08"])
    words = watch(words="värmepumpar flerbostadshus")
    elsewhere = watch(cpv=["42511110"], counties=["01"])
    other_words = watch(words="asfalt")
    need = publish(bebo["member"])
    found = {w.id for w in watches.matching_watches(need)}
    assert found == {heat.id, smaland.id, words.id}
    assert elsewhere.id not in found and other_words.id not in found


def test_watch_input_is_checked(client, bebo):
    login(client, bebo["supplier"].email)
    response = client.post("/needs/watches", data={"name": "Allt", "frequency": "immediate"})
    assert response.status_code == 422 and "would match every need" in response.get_data(as_text=True)
    response = client.post("/needs/watches", data={"name": "Fel", "cpv": "12345678", "frequency": "immediate"})
    assert response.status_code == 422 and "Unknown CPV code: 12345678." in response.get_data(as_text=True)
    assert count(Watch) == 0


def test_a_matching_publication_mails_at_once_or_in_the_daily_digest_and_fills_the_feed(client, bebo, outbox,
                                                                                     make_user):
    import feedparser

    daily_user = make_user(email="daily@example.org", org_kind="company")
    login(client, bebo["supplier"].email)
    client.post("/needs/watches", data={"name": "Värme", "cpv": "42500000", "frequency": "immediate"})
    watches.create_watch(watches.WatchDraft(name="Dagligen", counties=["07"], frequency="daily"), actor=daily_user)
    need = publish(bebo["member"])
    immediate = outbox("supplier@example.org")
    assert len(immediate) == 1 and "Värmepumpar till flerbostadshus" in immediate[0].body
    assert outbox("daily@example.org") == []
    assert notify.send_digests() == 1
    digest = outbox("daily@example.org")
    assert len(digest) == 1 and f"/needs/{need.id}" in digest[0].body
    assert notify.send_digests() == 0  # each notice is mailed once
    services.change_status(need, "market_dialogue", actor=bebo["member"])
    assert db.session.scalar(select(func.count()).select_from(WatchNotice)) == 4

    page = client.get("/needs/watches").get_data(as_text=True)
    feed_path = page.split('id="feed-url" class="mono" readonly size="70" value="')[1].split('"')[0]
    feed_path = feed_path.replace("http://127.0.0.1:5000", "")
    client.post("/logout", data={})
    parsed = feedparser.parse(client.get(feed_path).data)
    assert not parsed.bozo and len(parsed.entries) == 2
    assert all("Värmepumpar till flerbostadshus" in e.title for e in parsed.entries)
    login(client, bebo["supplier"].email)
    client.post("/needs/watches/feed/renew", data={})
    client.post("/logout", data={})
    assert client.get(feed_path).status_code == 404  # the old address no longer works
    assert client.get("/needs/watches/feed/1-" + "0" * 40 + ".atom").status_code == 404


def test_a_new_adopted_specification_version_is_told_to_the_registered(bebo, outbox):
    from network_app.specs import lifecycle
    from network_app.specs import services as specs

    spec = specs.create_spec(bebo["network"], specs.SpecDraft(title="Värmepumpar", text="# Krav\n\nText."),
                             actor=bebo["coordinator"])
    lifecycle.adopt(spec, note="Styrgruppen 1 mars.", decided_on=date.today(), actor=bebo["coordinator"])
    need = publish(bebo["coordinator"], network="bebo", spec="bebo/varmepumpar/v1")
    engagement.register_interest(need, engagement.InterestDraft(contact_name="Sam", contact_email="sam@s.example"),
                                 actor=bebo["supplier"])
    specs.save_spec(spec, "# Krav\n\nSträngare text.", base_revision=spec.head_revision, actor=bebo["coordinator"])
    lifecycle.adopt(spec, note="Styrgruppen 1 juni.", decided_on=date.today(), actor=bebo["coordinator"])
    mails = outbox("sam@s.example")
    assert len(mails) == 1 and "v2" in mails[0].subject


def test_a_link_to_a_specification_must_be_an_adopted_version(bebo):
    with pytest.raises(Exception) as err:
        publish(bebo["member"], spec="bebo/nothing/v1")
    assert "spec" in err.value.errors
