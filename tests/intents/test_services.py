"""Letters of intent through their services: pinning, one active signature per organisation,
withdrawal, moving to a new version, the aggregate against hand-computed figures, the audit log."""
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from network_app.errors import Forbidden, InvalidInput, NotFound
from network_app.extensions import db
from network_app.intents import lifecycle, services, signing
from network_app.intents.models import AuditLogIsAppendOnly, IntentEvent, Signature
from network_app.repos import store
from tests.intents.conftest import adopt_v2, day, draft


def test_the_letter_text_lives_in_git_and_names_the_specification_version(world):
    letter, spec = world["letter"], world["spec"]
    text = store().text_at("bebo", letter.path, letter.head_revision)
    header, body = services.split(text)
    assert header["version"] == "v1" and header["commit"] == spec.versions[0].commit_id
    assert header["tag"] == "specs/varmepumpar/v1"
    assert body.startswith("# Avsiktsförklaring")
    assert letter.revision_count == 1


def test_a_signature_pins_the_letter_commit_and_the_specification_tag_and_commit(world):
    letter, spec = world["letter"], world["spec"]
    signature = signing.sign_intent(letter, draft(), actor=world["member"])
    assert signature.intent_revision == letter.head_revision and signature.intent_revision_number == 1
    assert signature.spec_version == 1 and signature.spec_tag == "specs/varmepumpar/v1"
    assert signature.spec_revision == spec.versions[0].commit_id
    assert signature.signer_id == world["member"].id and signature.signed_at is not None
    # the tag really is in git, on that commit
    assert ("v1", spec.versions[0].commit_id) in store().versions("bebo", spec.path)


def test_signing_twice_is_refused_with_the_first_date(world, in_english):
    first = signing.sign_intent(world["letter"], draft(), actor=world["member"])
    with pytest.raises(signing.AlreadySigned) as refused:
        signing.sign_intent(world["letter"], draft(quantity="99"), actor=world["member"])
    assert refused.value.status == 409
    assert refused.value.details["signed_at"] == first.signed_at.isoformat()
    assert "already signed" in str(refused.value.message)
    assert db.session.scalar(select(db.func.count()).select_from(Signature)) == 1


@pytest.mark.parametrize("who", ["observer", "supplier", "outsider", "other", "admin"])
def test_people_who_may_not_sign_are_refused(world, who):
    world[who].may_sign_intents = True  # even with the flag: not a member or coordinator organisation
    db.session.commit()
    with pytest.raises((Forbidden, NotFound)):
        signing.sign_intent(world["letter"], draft(), actor=world[who])
    assert not world["letter"].signatures


def test_a_member_without_the_signing_right_is_refused(world):
    world["member"].may_sign_intents = False
    db.session.commit()
    with pytest.raises(Forbidden):
        signing.sign_intent(world["letter"], draft(), actor=world["member"])


def test_no_signing_outside_the_letters_dates_or_on_a_draft(world):
    letter = world["letter"]
    with pytest.raises(InvalidInput):
        signing.sign_intent(letter, draft(), actor=world["member"], today=day(31))
    letter.status = "draft"
    db.session.commit()
    with pytest.raises(Forbidden):
        signing.sign_intent(letter, draft(), actor=world["member"])


@pytest.mark.parametrize("field, value, error", [
    ("signer_title", "", "signer_title"), ("quantity", "tio", "quantity"), ("quantity", "-3", "quantity"),
    ("value", "12,5", "value"), ("value", "", "value"), ("counties", ["99"], "counties"),
    ("window_end", date(2026, 1, 1), "window_end"), ("window_start", None, "window_start")])
def test_bad_input_is_refused_and_nothing_is_stored(world, field, value, error):
    with pytest.raises(InvalidInput) as refused:
        signing.sign_intent(world["letter"], draft(**{field: value}), actor=world["member"])
    assert error in refused.value.errors
    assert not world["letter"].signatures


def test_withdrawal_keeps_the_signature_in_the_history_and_frees_the_slot(world):
    letter = world["letter"]
    signature = signing.sign_intent(letter, draft(), actor=world["member"])
    with pytest.raises(Forbidden):  # another organisation cannot withdraw it
        signing.withdraw_signature(signature, "Nej", actor=world["coordinator"])
    with pytest.raises(InvalidInput):
        signing.withdraw_signature(signature, "  ", actor=world["member"])
    signing.withdraw_signature(signature, "Budgeten räcker inte", actor=world["member"])
    assert signature.status == "withdrawn" and signature.withdrawal_reason == "Budgeten räcker inte"
    assert signature.withdrawn_at is not None and signature in letter.signatures
    assert signing.aggregate(letter).organisations == 0
    again = signing.sign_intent(letter, draft(quantity="4"), actor=world["member"])  # may sign anew
    assert again.id != signature.id and len(letter.signatures) == 2


def test_moving_to_a_new_version_keeps_old_signatures_and_asks_for_confirmation(world, outbox):
    letter = world["letter"]
    first = signing.sign_intent(letter, draft(), actor=world["member"])
    old_commit = letter.head_revision
    adopt_v2(world)
    outbox_before = len(outbox())
    lifecycle.move_to_version(letter, 2, actor=world["coordinator"])
    assert letter.spec_version == 2 and letter.revision_count == 2 and letter.head_revision != old_commit
    header, _ = services.split(store().text_at("bebo", letter.path, letter.head_revision))
    assert header["version"] == "v2"
    db.session.refresh(first)
    assert first.spec_version == 1 and first.intent_revision == old_commit and first.status == "active"
    assert first.needs_confirmation and first.confirmation_requested_at is not None
    mails = outbox()[outbox_before:]
    assert [m.recipient for m in mails] == [world["member"].email]
    assert "/networks/bebo/intents/" in mails[0].body and "v2" in mails[0].subject
    # confirming makes a new signature on v2; the v1 one stays as replaced
    confirmed = signing.confirm_signature(letter, draft(quantity="12"), actor=world["member"])
    db.session.refresh(first)
    assert first.status == "replaced" and first.replaced_by_id == confirmed.id
    assert confirmed.spec_version == 2 and confirmed.intent_revision == letter.head_revision
    with pytest.raises(InvalidInput):  # nothing more to confirm
        signing.confirm_signature(letter, draft(), actor=world["member"])


def test_moving_needs_a_newer_adopted_version(world):
    with pytest.raises(InvalidInput):
        lifecycle.move_to_version(world["letter"], 1, actor=world["coordinator"])
    with pytest.raises(InvalidInput):
        lifecycle.move_to_version(world["letter"], 7, actor=world["coordinator"])
    with pytest.raises(Forbidden):
        adopt_v2(world)
        lifecycle.move_to_version(world["letter"], 2, actor=world["member"])


def test_adopting_a_new_version_tells_the_coordinators(world, outbox):
    adopt_v2(world)
    subjects = [m.subject for m in outbox(world["coordinator"].email)]
    assert any("v2" in s for s in subjects)


def test_the_aggregate_matches_hand_computed_figures(world, make_user):
    """Four organisations sign; one withdraws; one re-confirms on v2 with new figures.

    Active: member (v2, re-confirmed: 12 st, 1,500,000 SEK, counties 01+03),
    coordinator (v1: 7.5 st, 250,000 SEK, county 14), company (v1: 30 kW, 800,000 SEK, 01, not named).
    Withdrawn: the fourth (100 st, 9,999,999 SEK) counts for nothing.
    Totals: 3 organisations; 19.5 st and 30 kW; 2,550,000 SEK; counties 01, 03, 14.
    """
    letter, network = world["letter"], world["network"]
    from network_app.networks import services as network_services

    fourth = make_user(email="fourth@example.org", admin=True)
    network_services.accept_invitation(network_services.invite_organisation(
        network, fourth.organisation.orgnr, "member", actor=world["coordinator"]), actor=fourth)
    fourth.may_sign_intents = True
    db.session.commit()
    signing.sign_intent(letter, draft(quantity="5", value="100000", counties=["01"]), actor=world["member"])
    signing.sign_intent(letter, draft(quantity="7,5", value="250 000", counties=["14"]), actor=world["coordinator"])
    signing.sign_intent(letter, draft(quantity="30", quantity_unit="kW", value="800000", counties=["01"],
                                      is_named=False), actor=world["company"])
    gone = signing.sign_intent(letter, draft(quantity="100", value="9999999", counties=["25"]), actor=fourth)
    signing.withdraw_signature(gone, "Ändrade planer", actor=fourth)
    adopt_v2(world)
    lifecycle.move_to_version(letter, 2, actor=world["coordinator"])
    signing.confirm_signature(letter, draft(quantity="12", value="1500000", counties=["01", "03"]),
                              actor=world["member"])

    result = signing.aggregate(letter)
    assert result.organisations == 3
    assert result.quantities == [("kW", Decimal("30")), ("st", Decimal("19.5"))]
    assert result.total_value == 2_550_000
    assert [code for code, _ in result.counties] == ["01", "03", "14"]
    assert result.anonymous == 1
    assert result.by_version == {1: 2, 2: 1}


def test_public_bodies_are_always_named(world):
    signature = signing.sign_intent(world["letter"], draft(is_named=False), actor=world["member"])  # a municipality
    assert signature.is_named and signature.shows_name


def test_every_change_is_in_the_audit_log_and_rows_cannot_be_changed(world):
    letter = world["letter"]
    signature = signing.sign_intent(letter, draft(), actor=world["member"])
    signing.withdraw_signature(signature, "Skäl", actor=world["member"])
    services.save_intent(letter, "# Ny text\n", base_revision=letter.head_revision, actor=world["coordinator"])
    events = services.audit_log(letter, viewer=world["coordinator"])
    assert [e.action for e in events] == ["created", "opened", "signed", "withdrawn", "edited"]
    assert events[2].actor_name == world["member"].name and events[2].at is not None
    with pytest.raises(Forbidden):
        services.audit_log(letter, viewer=world["member"])
    events[0].detail = "forged"
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.commit()
    db.session.rollback()
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.delete(events[0])
        db.session.flush()
    db.session.rollback()
    assert db.session.get(IntentEvent, events[0].id).detail != "forged"


def test_edits_merge_and_conflicts_keep_the_text(world):
    letter, coordinator = world["letter"], world["coordinator"]
    base = letter.head_revision
    text = services.read_intent(letter)[2]
    services.save_intent(letter, text + "\nTillägg ett.\n", base_revision=base, actor=coordinator)
    outcome = services.save_intent(letter, "# Rubrik ändrad\n" + text.split("\n", 1)[1], base_revision=base,
                                   actor=coordinator)
    assert outcome.merged
    body = services.read_intent(letter)[2]
    assert "Tillägg ett." in body and "# Rubrik ändrad" in body
    with pytest.raises(services.EditConflict):
        services.save_intent(letter, "# Helt annan rubrik\n", base_revision=base, actor=coordinator)


def test_drafts_are_hidden_from_outsiders(world):
    letter = world["letter"]
    letter.status = "draft"
    db.session.commit()
    for who in ("outsider", "supplier", "other"):
        with pytest.raises(NotFound):
            services.get_intent_or_404("bebo", letter.slug, viewer=world[who])
    assert services.get_intent_or_404("bebo", letter.slug, viewer=world["observer"]) is letter
    with pytest.raises(NotFound):
        services.get_intent_or_404("bebo", letter.slug, viewer=None)


def test_signatories_csv_neutralises_formulas(world):
    signing.sign_intent(world["letter"], draft(signer_name="=HYPERLINK(\"http://evil\")", comment="@SUM(A1)",
                                               signer_title="+1"), actor=world["member"])
    csv_text = signing.signatories_csv(world["letter"], viewer=world["coordinator"])
    row = csv_text.splitlines()[1].split(";")
    assert "'=HYPERLINK" in csv_text and "'@SUM(A1)" in csv_text and "'+1" in row
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in row)
    with pytest.raises(NotFound):
        signing.signatories_csv(world["letter"], viewer=world["outsider"])



def test_flask_check_compares_the_revision_cache_with_git_and_repairs_it(world):
    from network_app.intents.models import IntentRevision

    letter = world["letter"]
    assert services.check_caches().drift == []
    db.session.execute(IntentRevision.__table__.delete())
    db.session.commit()
    report = services.check_caches(repair=True)
    assert len(report.drift) == 1 and "bebo/intents/" in report.drift[0]
    assert services.revision_of(letter).commit_id == letter.head_revision


def test_a_closed_letter_is_final(world):
    letter = world["letter"]
    lifecycle.close_intent(letter, actor=world["coordinator"])
    with pytest.raises(Forbidden):
        services.save_intent(letter, "# Ändrad\n", base_revision=letter.head_revision, actor=world["coordinator"])
    with pytest.raises(Forbidden):
        signing.sign_intent(letter, draft(), actor=world["member"])
    with pytest.raises(InvalidInput):
        lifecycle.close_intent(letter, actor=world["coordinator"])


def test_the_database_refuses_a_second_active_signature_of_an_organisation(world):
    """The guard behind sign_intent's check, for two signers of one organisation at the same moment."""
    from sqlalchemy.exc import IntegrityError

    first = signing.sign_intent(world["letter"], draft(), actor=world["member"])
    twin = Signature(**{c.name: getattr(first, c.name) for c in Signature.__table__.columns if c.name != "id"})
    db.session.add(twin)
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    signing.withdraw_signature(first, "Fel", actor=world["member"])
    # withdrawn rows free the slot: any number of them may exist next to one active signature
    signing.sign_intent(world["letter"], draft(), actor=world["member"])


def test_opening_needs_a_closing_date_and_only_coordinators_open(world):
    letter = services.create_intent(world["network"], world["spec"], world["spec"].versions[0], services.IntentDraft(
        title="Utan slutdatum", text="# Text\n", quantity_unit="st"), actor=world["coordinator"])
    with pytest.raises(Forbidden):
        lifecycle.open_intent(letter, actor=world["member"])
    with pytest.raises(InvalidInput):
        lifecycle.open_intent(letter, actor=world["coordinator"])
    assert letter.status == "draft"
    with pytest.raises(Forbidden):
        services.create_intent(world["network"], world["spec"], world["spec"].versions[0],
                               services.IntentDraft(title="X", text="# X\n", quantity_unit="st"), actor=world["member"])
