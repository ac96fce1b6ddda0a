"""Letter of intent pages: drafting and opening, signing (with a clear message the second time),
withdrawing, the public page with the aggregate and its chart, confirmations, exports, refusals."""
import pytest

from network_app.extensions import db
from network_app.intents import signing
from network_app.intents.models import Intent, Signature
from network_app.mail import OutboxMessage
from tests.conftest import login
from tests.intents.conftest import adopt_v2, draft

URL = "/networks/bebo/intents"


@pytest.fixture(autouse=True)
def english(client):
    client.set_cookie("lang", "en")


def as_user(client, user):
    client.delete_cookie("session")
    client.set_cookie("lang", "en")
    if user is not None:
        assert login(client, user.email).status_code == 302


SIGN = {"signer_name": "Mia Member", "signer_title": "Head of procurement", "quantity": "12",
        "quantity_unit": "st", "value": "2500000", "window_start": "2027-03", "window_end": "2027-09",
        "counties": ["01", "03"], "is_named": "y"}


def test_a_coordinator_drafts_and_opens_a_letter(client, world):
    as_user(client, world["coordinator"])
    page = client.get(f"{URL}/new")
    assert page.status_code == 200 and "Värmepumpar – v1" in page.text
    response = client.post(f"{URL}/new", data={
        "version": "varmepumpar@1", "title": "Ny avsikt", "binding": "yes", "quantity_unit": "st",
        "asks_quantity": "y", "asks_value": "y", "text": "# Ny avsikt\n\nVi avser.", "closes_on": "2099-01-01"})
    assert response.status_code == 302
    letter = db.session.scalar(db.select(Intent).where(Intent.slug == "ny-avsikt"))
    assert letter.is_binding and letter.status == "draft"
    as_user(client, world["outsider"])
    assert client.get(f"{URL}/ny-avsikt").status_code == 404
    assert "Ny avsikt" not in client.get(f"{URL}/").text
    as_user(client, world["coordinator"])
    page = client.get(f"{URL}/ny-avsikt")
    assert "Binding commitment" in page.text
    assert client.post(f"{URL}/ny-avsikt/open", data={}).status_code == 302
    as_user(client, None)
    page = client.get(f"{URL}/ny-avsikt")
    assert page.status_code == 200 and "Binding commitment" in page.text


def test_bad_input_keeps_what_was_typed(client, world):
    as_user(client, world["coordinator"])
    response = client.post(f"{URL}/new", data={"version": "varmepumpar@1", "title": "", "text": "Min text här",
                                               "quantity_unit": "st", "asks_quantity": "y"})
    assert response.status_code == 422 and "Min text här" in response.text and "Enter a title." in response.text
    assert db.session.scalar(db.select(db.func.count()).select_from(Intent)) == 1


def test_signing_through_the_page_and_the_second_time_a_clear_message(client, world):
    as_user(client, world["member"])
    slug = world["letter"].slug
    assert client.get(f"{URL}/{slug}/sign").status_code == 200
    response = client.post(f"{URL}/{slug}/sign", data=SIGN)
    assert response.status_code == 302 and "/signatures/" in response.headers["Location"]
    receipt = client.get(response.headers["Location"])
    signature = db.session.scalar(db.select(Signature))
    assert signature.intent_revision in receipt.text and signature.spec_revision in receipt.text
    assert "specs/varmepumpar/v1" in receipt.text
    again = client.post(f"{URL}/{slug}/sign", data={**SIGN, "quantity": "99"})
    assert again.status_code == 409 and "already signed this letter of intent on" in again.text
    assert "99" in again.text  # the form keeps what was typed


def test_bad_signing_input_is_shown_and_kept(client, world):
    as_user(client, world["member"])
    response = client.post(f"{URL}/{world['letter'].slug}/sign", data={**SIGN, "quantity": "tolv"})
    assert response.status_code == 422 and "tolv" in response.text
    assert not world["letter"].signatures


@pytest.mark.parametrize("who, status", [("observer", 403), ("supplier", 403), ("outsider", 403), ("member", 403)])
def test_who_may_not_sign_gets_403(client, world, who, status):
    if who == "member":
        world["member"].may_sign_intents = False
        db.session.commit()
    as_user(client, world[who])
    assert client.get(f"{URL}/{world['letter'].slug}/sign").status_code == status
    assert client.post(f"{URL}/{world['letter'].slug}/sign", data=SIGN).status_code == status
    assert not world["letter"].signatures


def test_anonymous_signing_goes_to_login(client, world):
    as_user(client, None)
    assert client.get(f"{URL}/{world['letter'].slug}/sign").status_code == 302


def test_withdrawal_through_the_page(client, world):
    signature = signing.sign_intent(world["letter"], draft(), actor=world["member"])
    as_user(client, world["member"])
    url = f"{URL}/{world['letter'].slug}/signatures/{signature.id}/withdraw"
    assert client.post(url, data={"reason": ""}).status_code == 422
    assert client.post(url, data={"reason": "Budget"}).status_code == 302
    page = client.get(f"{URL}/{world['letter'].slug}")
    assert "Withdrawn" in page.text and "Budget" in page.text
    as_user(client, world["coordinator"])
    assert client.post(url, data={"reason": "x"}).status_code == 403


def test_the_public_page_shows_the_aggregate_chart_and_versions(client, world):
    letter = world["letter"]
    signing.sign_intent(letter, draft(quantity="10", value="1000000"), actor=world["member"])
    signing.sign_intent(letter, draft(quantity="5", value="500000", counties=["03"], is_named=False),
                        actor=world["company"])
    as_user(client, None)
    page = client.get(f"{URL}/{letter.slug}").text
    assert 'data-testid="organisations">2<' in page
    assert "15 st" in page and "1,500,000 SEK" in page
    assert "Stockholms län" in page and "Uppsala län" in page
    assert '<svg class="timeline-chart" role="img"' in page and "<title id=\"timeline-title\">" in page
    assert "style=" not in page.split("<svg", 1)[1].split("</svg>")[0]
    assert world["member"].organisation.name in page
    assert world["company"].organisation.name not in page and "Organisation not named" in page
    assert "Mia Member" not in page  # signer names are for the network
    assert "/specs/varmepumpar/versions/v1" in page


def test_a_new_version_asks_signers_to_confirm(client, world):
    letter = world["letter"]
    signing.sign_intent(letter, draft(), actor=world["member"])
    adopt_v2(world)
    as_user(client, world["coordinator"])
    page = client.get(f"{URL}/{letter.slug}")
    assert "A newer version is adopted" in page.text
    assert client.post(f"{URL}/{letter.slug}/move", data={"version": "2"}).status_code == 302
    mails = db.session.scalars(db.select(OutboxMessage).where(OutboxMessage.recipient == world["member"].email)).all()
    assert any("confirm" in m.body.lower() or "bekräft" in m.body.lower() for m in mails)
    as_user(client, world["member"])
    page = client.get(f"{URL}/{letter.slug}")
    assert "Confirm v2" in page.text
    assert client.get(f"{URL}/{letter.slug}/confirm").status_code == 200
    assert client.post(f"{URL}/{letter.slug}/confirm", data=SIGN).status_code == 302
    as_user(client, None)
    page = client.get(f"{URL}/{letter.slug}").text
    assert "Replaced by a confirmation" in page


def test_csv_print_audit_and_who_sees_them(client, world):
    letter = world["letter"]
    signing.sign_intent(letter, draft(comment="=1+1"), actor=world["member"])
    as_user(client, world["coordinator"])
    csv_response = client.get(f"{URL}/{letter.slug}/signatories.csv")
    assert csv_response.status_code == 200 and csv_response.mimetype == "text/csv" and "'=1+1" in csv_response.text
    assert client.get(f"{URL}/{letter.slug}/print").status_code == 200
    audit = client.get(f"{URL}/{letter.slug}/audit")
    assert audit.status_code == 200 and "Signed" in audit.text and world["member"].name in audit.text
    as_user(client, world["member"])
    assert client.get(f"{URL}/{letter.slug}/audit").status_code == 403
    as_user(client, world["outsider"])
    assert client.get(f"{URL}/{letter.slug}/signatories.csv").status_code == 404
    assert client.get(f"{URL}/{letter.slug}/print").status_code == 200


def test_edit_history_and_diff(client, world):
    letter = world["letter"]
    as_user(client, world["coordinator"])
    form = client.get(f"{URL}/{letter.slug}/edit")
    assert form.status_code == 200 and "letter of intent\n" not in form.text  # the header is not edited
    response = client.post(f"{URL}/{letter.slug}/edit", data={"text": "# Ny\n\nText.",
                                                             "base_revision": letter.head_revision})
    assert response.status_code == 302
    assert "r2" in client.get(f"{URL}/{letter.slug}/history").text
    assert client.get(f"{URL}/{letter.slug}/diff?from=r1&to=r2").status_code == 200
    assert client.get(f"{URL}/{letter.slug}/diff?from=zz").status_code == 404
    missing_base = client.post(f"{URL}/{letter.slug}/edit", data={"text": "# Annan\n\nText.", "base_revision": ""})
    assert missing_base.status_code == 422


def test_overlapping_edits_show_a_conflict_with_the_text_kept(client, world):
    letter = world["letter"]
    base = letter.head_revision
    as_user(client, world["coordinator"])
    body = "# Avsiktsförklaring\n\nVi avser att upphandla bergvärmepumpar.\n"
    assert client.post(f"{URL}/{letter.slug}/edit", data={"text": body, "base_revision": base}).status_code == 302
    mine = "# Avsiktsförklaring\n\nVi avser att upphandla frånluftsvärmepumpar.\n"
    conflict = client.post(f"{URL}/{letter.slug}/edit", data={"text": mine, "base_revision": base})
    assert conflict.status_code == 409 and "frånluftsvärmepumpar" in conflict.text
    assert "letter of intent\nspecification:" not in conflict.text  # the header stays out of the editor


def test_csrf_is_required(client, world):
    as_user(client, world["member"])
    response = client.post(f"{URL}/{world['letter'].slug}/sign", data=SIGN, no_csrf=True)
    assert response.status_code == 400 and not world["letter"].signatures


def test_unknown_letters_and_signatures_are_404(client, world):
    as_user(client, world["coordinator"])
    assert client.get(f"{URL}/nope").status_code == 404
    assert client.get(f"{URL}/{world['letter'].slug}/signatures/999").status_code == 404
    assert client.get("/networks/nope/intents/").status_code == 404


def test_only_companies_may_choose_not_to_be_named(client, world):
    slug = world["letter"].slug
    as_user(client, world["company"])
    assert 'name="is_named"' in client.get(f"{URL}/{slug}/sign").text
    as_user(client, world["member"])  # a municipality: always named
    assert 'name="is_named"' not in client.get(f"{URL}/{slug}/sign").text
