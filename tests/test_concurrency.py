"""Several processes writing at once: nothing is lost and a lost race is a clear message, not a 500."""
import multiprocessing

import pytest
from sqlalchemy import func, select

from network_app.accounts.models import User
from network_app.extensions import db
from network_app.organisations.models import Organisation
from tests.conftest import PASSWORD, app_config, valid_orgnr

WORKERS = 4


def _register(config, barrier, email, orgnr, results):
    from network_app import create_app
    from network_app.accounts import services
    from network_app.errors import InvalidInput
    from network_app.organisations.services import OrganisationDraft

    app = create_app(config)
    with app.app_context():
        registration = services.Registration(
            email=email, name="Racer", password=PASSWORD,
            organisation=OrganisationDraft(name=f"Org of {email}", orgnr=orgnr, kind="municipality"))
        barrier.wait(timeout=60)
        try:
            services.register(registration)
            results.put(("ok", email))
        except InvalidInput as err:
            results.put(("invalid", sorted(err.errors)))
        except Exception as err:  # noqa: BLE001 - reported to the test, which fails on it
            results.put(("crash", repr(err)))
        db.engine.dispose()


def _race(app, tmp_path, jobs):
    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(len(jobs)), ctx.Queue()
    config = app_config(tmp_path, SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"])
    processes = [ctx.Process(target=_register, args=(config, barrier, email, orgnr, results))
                 for email, orgnr in jobs]
    for p in processes:
        p.start()
    outcomes = [results.get(timeout=120) for _ in processes]
    for p in processes:
        p.join(timeout=60)
    return outcomes


@pytest.fixture
def committed(app):
    db.session.commit()
    return app


def test_concurrent_registrations_all_land(committed, tmp_path):
    jobs = [(f"racer{i}@example.org", valid_orgnr("212")) for i in range(WORKERS)]
    outcomes = _race(committed, tmp_path, jobs)
    assert sorted(outcomes) == sorted(("ok", email) for email, _ in jobs)
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(User)) == WORKERS


def test_racing_for_one_organisation_number_gives_one_winner_and_clear_messages(committed, tmp_path):
    orgnr = valid_orgnr("212")
    outcomes = _race(committed, tmp_path, [(f"racer{i}@example.org", orgnr) for i in range(WORKERS)])
    assert [o for o in outcomes if o[0] == "crash"] == []
    assert sum(1 for o in outcomes if o[0] == "ok") == 1
    assert all(o == ("invalid", ["orgnr"]) for o in outcomes if o[0] != "ok")
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Organisation)) == 1
    assert db.session.scalar(select(func.count()).select_from(User)) == 1


def _demote(config, barrier, actor_id, membership_id, results):
    from network_app import create_app
    from network_app.accounts.models import User
    from network_app.errors import AppError
    from network_app.networks import services

    app = create_app(config)
    with app.app_context():
        actor = db.session.get(User, actor_id)
        network = services.get_network_or_404("race")
        barrier.wait(timeout=60)
        try:
            services.set_role(network, membership_id, "member", actor=actor)
            results.put("ok")
        except AppError as err:
            results.put(err.code)
        except Exception as err:  # noqa: BLE001
            results.put(f"crash {err!r}")
        db.engine.dispose()


def test_two_coordinators_stepping_down_at_once_leave_one(committed, tmp_path, make_user, make_network):
    from network_app.networks import services
    from network_app.networks.models import Membership

    first = make_user(admin=True)
    network = make_network(slug="race", coordinator=first)
    second = make_user(admin=True)
    services.accept_invitation(services.invite_organisation(network, second.organisation.orgnr, "coordinator",
                                                            actor=first), actor=second)
    mine = {m.organisation_id: m.id for m in network.memberships}
    db.session.commit()
    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(2), ctx.Queue()
    config = app_config(tmp_path, SQLALCHEMY_DATABASE_URI=committed.config["SQLALCHEMY_DATABASE_URI"])
    # Each coordinator demotes the other one.
    jobs = [(first.id, mine[second.organisation_id]), (second.id, mine[first.organisation_id])]
    processes = [ctx.Process(target=_demote, args=(config, barrier, actor, membership, results))
                 for actor, membership in jobs]
    for p in processes:
        p.start()
    outcomes = sorted(results.get(timeout=120) for _ in processes)
    for p in processes:
        p.join(timeout=60)
    assert outcomes in (["forbidden", "ok"], ["invalid", "ok"]), outcomes
    db.session.expire_all()
    roles = db.session.scalars(select(Membership.role).where(Membership.network_id == network.id)).all()
    assert sorted(roles) == ["coordinator", "member"]
