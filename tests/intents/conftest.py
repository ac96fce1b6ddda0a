"""Fixtures for letters of intent: bebo with an adopted specification (v1), a letter about it,
and signers (users with the signing right) for the coordinator's and the member's organisations."""
from datetime import date, timedelta

import pytest

from network_app.extensions import db
from network_app.intents import lifecycle, services
from network_app.intents.signing import SignatureDraft
from network_app.specs import lifecycle as spec_lifecycle
from network_app.specs import services as specs

SPEC_TEXT = "# Värmepumpar\n\n## Krav\n\nKrav 1: COP minst 3.\n"
LETTER = "# Avsiktsförklaring\n\nVi avser att upphandla värmepumpar enligt kravspecifikationen.\n"


def day(offset: int = 0) -> date:
    return date.today() + timedelta(days=offset)


@pytest.fixture
def world(bebo, make_user):
    """bebo plus: spec (adopted v1), letter (open), signers: coordinator org, member org, and a
    third member organisation (a housing company) with its own signer."""
    network, coordinator, member = bebo["network"], bebo["coordinator"], bebo["member"]
    spec = specs.create_spec(network, specs.SpecDraft(title="Värmepumpar", text=SPEC_TEXT), actor=coordinator)
    spec_lifecycle.adopt(spec, note="Styrgruppen 2026", decided_on=day(), actor=coordinator)
    from network_app.networks import services as network_services

    company = make_user(email="company@example.org", name="Hanna Housing", org_kind="housing_company", admin=True)
    network_services.accept_invitation(network_services.invite_organisation(
        network, company.organisation.orgnr, "member", actor=coordinator), actor=company)
    for user in (coordinator, member, company):
        user.may_sign_intents = True
    db.session.commit()
    letter = services.create_intent(network, spec, spec.versions[0], services.IntentDraft(
        title="Värmepumpar 2027", text=LETTER, quantity_unit="st", closes_on=day(30)), actor=coordinator)
    lifecycle.open_intent(letter, actor=coordinator)
    return {**bebo, "spec": spec, "letter": letter, "company": company}


def draft(**values) -> SignatureDraft:
    base = dict(signer_name="Signe Signer", signer_title="Inköpschef", quantity="10", value="1000000",
                window_start=date(2027, 1, 1), window_end=date(2027, 6, 1), counties=["01"])
    base.update(values)
    return SignatureDraft(**base)


def adopt_v2(world):
    spec = world["spec"]
    specs.save_spec(spec, SPEC_TEXT + "\nKrav 2: ljud högst 45 dB.\n", base_revision=spec.head_revision,
                    actor=world["coordinator"])
    return spec_lifecycle.adopt(spec, note="Version 2", decided_on=day(), actor=world["coordinator"])
