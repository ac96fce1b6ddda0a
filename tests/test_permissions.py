"""Every role against every action that exists: the policy in one table."""
from datetime import date

import pytest

from network_app import permissions
from network_app.errors import Forbidden, NotFound
from network_app.extensions import db
from network_app.networks import services as networks
from network_app.networks.models import Membership, Network
from network_app.criteria.models import Criterion
from network_app.needs.models import Need
from network_app.intents.models import Intent, Signature
from network_app.specs.models import Spec

ROLES = ("anonymous", "supplier", "observer", "member", "coordinator", "org_admin", "portal_admin",
         "other_network", "pending")

T, F = True, False
# action: expected answer per role, in the order of ROLES.
TABLE = {
    "network.view":              (T, T, T, T, T, T, T, T, T),
    "network.create":            (F, F, T, T, T, T, F, T, F),
    "network.view_private":      (F, F, T, T, T, T, T, F, F),
    "network.edit":              (F, F, F, F, T, F, T, F, F),
    "network.manage_members":    (F, F, F, F, T, F, T, F, F),
    "network.request_join":      (F, F, F, F, F, F, F, T, F),
    "network.leave":             (F, F, F, F, F, T, F, F, F),
    "invitation.accept":         (F, F, F, F, F, F, F, T, F),
    "organisation.view":         (T, T, T, T, T, T, T, T, T),
    "organisation.edit":         (F, F, F, F, F, T, T, F, F),
    "organisation.approve_users": (F, F, F, F, F, T, T, F, F),
    "user.manage_tokens":        (F, T, T, T, T, T, T, T, T),
    # on a draft specification of N (public ones are readable by everyone: see test below)
    "spec.view":                 (F, F, T, T, T, T, T, F, F),
    "spec.create":               (F, F, F, T, T, T, T, F, F),
    "spec.edit":                 (F, F, F, T, T, T, T, F, F),
    "spec.view_drafts":          (F, F, T, T, T, T, T, F, F),
    "spec.manage":               (F, F, F, F, T, F, T, F, F),
    # on a criterion of N's own (shared criteria: see the tests below); create: in network N
    "criterion.view":            (F, F, T, T, T, T, T, F, F),
    "criterion.edit":            (F, F, F, T, T, T, T, F, F),
    "criterion.create":          (F, F, F, T, T, T, T, F, F),
    # view: a draft need of N; create, watch.create: no object; publish_for: network N;
    # the rest: a published need of N
    "need.view":                 (F, F, F, T, T, T, T, F, F),
    "need.create":               (F, F, T, T, T, T, F, T, F),
    "need.publish_for":          (F, F, F, T, T, T, F, F, F),
    "need.edit":                 (F, F, F, T, T, T, T, F, F),
    "need.register_interest":    (F, T, F, F, F, F, F, F, F),
    "question.ask":              (F, T, T, F, F, F, F, T, F),
    "question.answer":           (F, F, F, T, T, T, T, F, F),
    "watch.create":              (F, T, T, T, T, T, F, T, F),
    # on a draft letter of intent of N (create: in network N); sign and withdraw: an open letter,
    # for users given the signing right (see tests/intents for the right itself)
    "intent.view":               (F, F, T, T, T, T, T, F, F),
    "intent.create":             (F, F, F, F, T, F, T, F, F),
    "intent.edit":               (F, F, F, F, T, F, T, F, F),
    "intent.manage":             (F, F, F, F, T, F, T, F, F),
    "intent.sign":               (F, F, F, T, T, T, F, F, F),
    "intent.signatories":        (F, F, T, T, T, T, T, F, F),
    "intent.audit":              (F, F, F, F, T, F, T, F, F),
    "signature.withdraw":        (F, F, F, T, F, T, F, F, F),  # the member organisation's signature
}


@pytest.fixture
def world(app, make_org, make_user):
    """Network N (coordinator org C, member org M, observer org O), network N2 of org X, a supplier."""
    c, m, o, x = (make_org(name=n) for n in ("Coord org", "Member org", "Observer org", "Other org"))
    people = {
        "anonymous": None,
        "supplier": make_user(org_kind="company", admin=True),
        "coordinator": make_user(org=c), "member": make_user(org=m), "observer": make_user(org=o),
        "org_admin": make_user(org=m), "portal_admin": make_user(org_kind=None, portal_admin=True),
        "other_network": make_user(org=x), "pending": make_user(org=c, approved=False),
    }
    # The first user of each organisation administers it; make the role users plain members.
    for role in ("coordinator", "member", "observer"):
        people[role].is_org_admin = False
    people["org_admin"].is_org_admin = True
    people["other_network"].is_org_admin = True
    n = Network(name="N", slug="n", kind="buyer_network")
    db.session.add_all([n, Membership(network=n, organisation=c, role="coordinator"),
                        Membership(network=n, organisation=m, role="member"),
                        Membership(network=n, organisation=o, role="observer")])
    db.session.commit()
    networks.create_network(networks.NetworkDraft(name="N2", slug="n2"), actor=people["other_network"])
    invitation = networks.invite_organisation(n, x.orgnr, "member", actor=people["coordinator"])
    draft = Spec(network=n, slug="draft", title="Draft", status="draft")
    need_fields = dict(network=n, organisation=c, title="Need", procedure="open", planned_notice_date=date(2027, 1, 1),
                       planned_contract_start=date(2027, 6, 1))
    draft_need, need = Need(status="draft", **need_fields), Need(status="planned", **need_fields)
    own = Criterion(code="K-9001", network=n, title="Own", type="technical", level="basic")
    db.session.add_all([draft, own, draft_need, need])
    db.session.commit()
    letter = Intent(network=n, spec=draft, spec_version=1, slug="letter", title="Letter", status="draft")
    open_letter = Intent(network=n, spec=draft, spec_version=1, slug="open", title="Open", status="open")
    db.session.add_all([letter, open_letter])
    db.session.commit()
    signature = Signature(intent=open_letter, organisation=m, active_organisation_id=m.id, signer_name="S",
                          signer_title="T", intent_revision="0" * 40, intent_revision_number=1, spec_version=1,
                          spec_tag="specs/draft/v1", spec_revision="0" * 40)
    db.session.add(signature)
    for person in people.values():
        if person is not None:
            person.may_sign_intents = True
    db.session.commit()
    return {"people": people, "network": n, "member_org": m, "invitation": invitation, "spec": draft,
            "criterion": own, "draft_need": draft_need, "need": need, "intent": letter, "open_intent": open_letter,
            "signature": signature}


def target(world, action, user):
    if action in ("network.create", "need.create", "watch.create"):
        return None
    if action in ("need.view", "need.publish_for"):
        return world["draft_need"] if action == "need.view" else world["network"]
    if action.startswith(("need.", "question.")):
        return world["need"]
    if action in ("spec.create", "criterion.create", "intent.create"):
        return world["network"]
    if action == "intent.sign":
        return world["open_intent"]
    area = action.split(".")[0]
    return {"network": world["network"], "invitation": world["invitation"], "spec": world["spec"],
            "criterion": world["criterion"], "intent": world["intent"], "signature": world["signature"],
            "organisation": world["member_org"], "user": user}[area]


def test_the_table_covers_every_action():
    assert set(TABLE) == set(permissions.ACTIONS)


@pytest.mark.parametrize("action", sorted(TABLE))
@pytest.mark.parametrize("role", ROLES)
def test_policy(world, role, action):
    user = world["people"][role]
    expected = TABLE[action][ROLES.index(role)]
    assert permissions.may(user, action, target(world, action, user)) is expected


@pytest.mark.parametrize("role, refusal", [("anonymous", NotFound), ("supplier", NotFound),
                                           ("other_network", NotFound), ("member", Forbidden),
                                           ("observer", Forbidden)])
def test_private_network_pages_are_404_to_outsiders_and_403_to_members(world, role, refusal):
    with pytest.raises(refusal):
        permissions.require(world["people"][role], "network.manage_members", world["network"])


def test_losing_the_coordinator_role_takes_effect_at_once(world):
    coordinator, network = world["people"]["coordinator"], world["network"]
    assert permissions.may(coordinator, "network.edit", network)
    membership = next(m for m in network.memberships if m.role == "coordinator")
    membership.role = "member"
    db.session.commit()
    assert not permissions.may(coordinator, "network.edit", network)


@pytest.mark.parametrize("status, outsiders_see_it", [("draft", False), ("consultation", True), ("adopted", True),
                                                       ("archived", True), ("superseded", True)])
def test_only_drafts_are_private(world, status, outsiders_see_it):
    world["spec"].status = status
    for role in ("anonymous", "supplier", "other_network"):
        assert permissions.may(world["people"][role], "spec.view", world["spec"]) is outsiders_see_it
    if not outsiders_see_it:
        with pytest.raises(NotFound):
            permissions.require(world["people"]["anonymous"], "spec.view", world["spec"])


def test_archived_specifications_cannot_be_edited(world):
    world["spec"].status = "archived"
    assert not permissions.may(world["people"]["coordinator"], "spec.edit", world["spec"])


def test_shared_criteria_are_read_by_everyone_and_written_by_library_editors(world):
    shared = Criterion(code="K-9002", title="Shared", type="award", level="advanced")
    db.session.add(shared)
    db.session.commit()
    people = world["people"]
    assert all(permissions.may(people[role], "criterion.view", shared) for role in ROLES)
    writers = {role for role in ROLES if permissions.may(people[role], "criterion.edit", shared)}
    assert writers == {"portal_admin"}
    people["member"].is_library_editor = True
    assert permissions.may(people["member"], "criterion.edit", shared)
    assert permissions.may(people["member"], "criterion.create", None)
    assert not permissions.may(people["coordinator"], "criterion.create", None)
    with pytest.raises(Forbidden):  # a refusal on a shared criterion is no secret: 403, not 404
        permissions.require(people["supplier"], "criterion.edit", shared)
