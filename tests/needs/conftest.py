"""Needs fixtures for the open-data and API tests: the "bebo" people and a factory that makes
planned needs through the services (so history, search index and watches follow as in production)."""
from datetime import date

import pytest

from network_app.needs import services


@pytest.fixture(autouse=True)
def english(client, in_english):
    client.set_cookie("lang", "en")


@pytest.fixture
def people(bebo):
    return bebo


@pytest.fixture
def make_need(people):
    def make(title="Värmepumpar till flerbostadshus", *, actor=None, network="", publish=True, **fields):
        values = dict(description="Bergvärmepumpar för cirka 400 lägenheter.", cpv=["45331000-6"],
                      counties=["01"], procedure="open", planned_notice_date=date(2027, 3, 1),
                      planned_contract_start=date(2027, 9, 1), contact_name="Mia Member",
                      contact_email="mia@example.org")
        values.update(fields)
        return services.create_need(services.NeedDraft(title=title, **values), actor=actor or people["member"],
                                    network=network, publish=publish)
    return make
