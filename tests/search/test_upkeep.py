"""Index upkeep: the queue, a busy or broken index, processes writing at once, updates after the
response, drift, and the reindex and check commands."""
import multiprocessing
import os
import threading
import time

import pytest

from network_app import search
from network_app.accounts import services as accounts
from network_app.extensions import db
from network_app.search import index, pending, upkeep
from network_app.specs import services as specs
from tests.conftest import app_config
from tests.search.conftest import find, titles


def test_a_change_is_queued_as_a_file_and_drained(app, make_spec, people, monkeypatch):
    calls = []
    monkeypatch.setattr(search.upkeep, "drain", lambda app=None: calls.append(app))
    spec = make_spec("Hissar", "hissar")
    queued = pending.pending()
    assert [(p.kind, p.id) for p in queued] == [("spec", spec.id)] and calls
    assert queued[0].path.read_text() == f"spec {spec.id}\n"
    assert not any(p.name.startswith(".tmp") for p in pending.queue_dir().iterdir())
    monkeypatch.undo()
    assert search.drain().processed == 1
    assert pending.pending() == [] and titles(find("hiss", people["coordinator"])) == ["Hissar"]


def test_a_busy_index_leaves_the_change_queued_for_the_next_drain(app, make_spec, people):
    spec = make_spec("Hissar", "hissar")
    app.config["SEARCH_LOCK_TIMEOUT"] = 0.05
    writer = index.open_index().writer()  # another process holds the lock
    try:
        specs.save_spec(spec, "hissar och rulltrappor", base_revision=spec.head_revision, actor=people["coordinator"])
        assert len(pending.pending()) == 1
        assert search.drain().busy
    finally:
        writer.cancel()
    outcome = search.drain()
    assert (outcome.processed, outcome.busy) == (1, False)
    assert titles(find("rulltrappa", people["coordinator"])) == ["Hissar"]


def test_pending_ignores_and_clears_what_is_not_a_change(app):
    folder = pending.queue_dir()
    folder.mkdir(parents=True)
    (folder / "garbage").write_text("x")
    stale = folder / ".tmp-spec.1.2.3.4"
    stale.write_text("spec 1\n")
    os.utime(stale, (time.time() - 2 * pending.STALE_TMP_SECONDS,) * 2)
    assert pending.pending() == []
    assert not stale.exists()
    with pytest.raises(ValueError):
        pending.enqueue("memo", 1)


def _saver(config, barrier, spec_id, actor_id, number, results):
    """Save one specification ROUNDS times, each text with words of its own, announcing each change
    a few more times; the index follows through the queue with a write lock wait of zero, so that
    the processes' drains collide."""
    from network_app import create_app, signals
    from network_app.accounts.models import User
    from network_app.specs.models import Spec

    app = create_app({**config, "SEARCH_LOCK_TIMEOUT": 0})
    with app.app_context():
        barrier.wait(timeout=60)
        try:
            for round_ in range(ROUNDS):
                spec, actor = db.session.get(Spec, spec_id), db.session.get(User, actor_id)
                specs.save_spec(spec, f"Process{number}runda{round_} gemensamt ord.\n",
                                base_revision=spec.head_revision, actor=actor)
                db.session.remove()
                for _ in range(3):
                    signals.changed("spec", spec_id)
            results.put(("ok", number))
        except Exception as err:  # noqa: BLE001 - reported to the test, which fails on it
            results.put(("crash", repr(err)))
        db.engine.dispose()


ROUNDS = 5
WORKERS = 4


def test_processes_saving_at_once_lose_no_index_update(app, tmp_path, make_spec, people):
    saved = [make_spec(f"Spec {n}", "början") for n in range(WORKERS)]
    db.session.commit()
    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(WORKERS), ctx.Queue()
    config = app_config(tmp_path, SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"])
    processes = [ctx.Process(target=_saver, args=(config, barrier, spec.id, people["coordinator"].id, n, results))
                 for n, spec in enumerate(saved)]
    for p in processes:
        p.start()
    outcomes = [results.get(timeout=180) for _ in processes]
    for p in processes:
        p.join(timeout=60)
    assert sorted(outcomes) == [("ok", n) for n in range(WORKERS)]
    # The last process to hold the lock applied what the others had to leave.
    assert pending.pending() == []
    db.session.expire_all()
    viewer = people["coordinator"]
    for n, spec in enumerate(saved):
        assert [h.id for h in find(f"process{n}runda{ROUNDS - 1}", viewer).hits] == [spec.id]
        assert find(f"process{n}runda{ROUNDS - 2}", viewer).total == 0  # replaced, not added
    assert find("gemensamt", viewer).total == WORKERS
    drift = search.check()
    assert (drift.state, drift.queued, drift.missing, drift.extra, drift.stale) == ("ok", 0, [], [], [])


def test_in_a_request_the_index_is_updated_by_the_drainer_thread(app, make_spec, people, client, monkeypatch):
    spec = make_spec("Hissar", "hissar")
    app.config.update(SEARCH_UPDATE_AFTER_RESPONSE=True, SEARCH_DRAIN_DELAY=0)
    gate, drain_in_thread = threading.Event(), upkeep._drain_quietly
    monkeypatch.setattr(upkeep, "_drain_quietly", lambda a: gate.wait(30) and drain_in_thread(a))
    token = accounts.create_api_token(people["coordinator"], "test")
    response = client.put(f"/api/v1/networks/bebo/specs/{spec.slug}", headers={"Authorization": f"Bearer {token}"},
                          json={"text": "hissar och rulltrappor", "base_revision": spec.head_revision})
    assert response.status_code == 200
    # The answer is complete without the index being touched ...
    assert len(pending.pending()) == 1
    assert find("rulltrappa", people["coordinator"]).total == 0
    # ... which this process's drainer thread does (held back above until now).
    gate.set()
    assert upkeep.drainer(app).settle(timeout=60)
    assert pending.pending() == []
    assert titles(find("rulltrappa", people["coordinator"])) == ["Hissar"]


def _garble(folder):
    for path in folder.iterdir():
        path.unlink()
    (folder / "_MAIN_99.toc").write_bytes(b"not an index at all" * 10)
    (folder / "MAIN_garbage.seg").write_bytes(os.urandom(256))


def test_a_broken_index_limits_search_until_reindex(app, make_spec, people, client, runner):
    make_spec("Hissar", "hissar")
    assert find("hiss", people["coordinator"]).total == 1
    _garble(index.index_path())
    assert search.health() == {"ok": False, "state": "broken", "queued": 0}
    page = client.get("/search?q=hiss")
    assert page.status_code == 200 and "temporarily limited" in page.get_data(as_text=True)
    answer = client.get("/api/v1/search?q=hiss")
    assert answer.status_code == 503 and answer.json["error"]["code"] == "search_unavailable"
    # A change meanwhile waits in the queue.
    make_spec("Rulltrappor", "rulltrappor")
    assert len(pending.pending()) == 1
    checked = runner.invoke(args=["check"])
    assert checked.exit_code == 1 and "search index: broken" in checked.output
    done = runner.invoke(args=["reindex", "--procs", "1"])
    assert done.exit_code == 0, done.output
    assert "Indexed 2 documents" in done.output
    assert pending.pending() == [] and search.health() == {"ok": True, "state": "ok", "queued": 0}
    assert titles(find("hiss", people["coordinator"])) == ["Hissar"]
    assert titles(find("rulltrappa", people["coordinator"])) == ["Rulltrappor"]


def test_a_missing_index_is_built_on_first_use(app, make_spec, people):
    make_spec("Hissar", "hissar")
    for path in index.index_path().iterdir():
        path.unlink()
    assert index.state() == "missing"
    assert titles(find("hiss", people["coordinator"])) == ["Hissar"]


def test_a_missing_index_is_built_in_the_background_by_a_web_worker(app, make_spec, people):
    make_spec("Hissar", "hissar")
    app.config["SEARCH_BUILD_IN_BACKGROUND"] = True
    for path in index.index_path().iterdir():
        path.unlink()
    with pytest.raises(search.SearchUnavailable):
        find("hiss", people["coordinator"])
    for thread in threading.enumerate():
        if thread.name == "search-index-build":
            thread.join(timeout=60)
    assert titles(find("hiss", people["coordinator"])) == ["Hissar"]


def test_reindex_uses_several_processes(app, make_spec, people, runner):
    for n in range(30):
        make_spec(f"Spec {n}", f"Text nummer {n} om hissar.")
    done = runner.invoke(args=["reindex", "--procs", "2"])
    assert done.exit_code == 0, done.output
    assert "Indexed 30 documents" in done.output
    assert find("hiss", people["coordinator"]).total == 30
    assert search.check().missing == []


def test_check_reports_drift_and_repair_fixes_it(app, make_spec, people, runner):
    spec = make_spec("Hissar", "hissar")
    gone = make_spec("Rulltrappor", "rulltrappor")
    stray = search.SearchDocument(key="spec:999:members", kind="spec", id=999, title="Borttagen", body="x",
                                  url="/", date=spec.updated_at, scope="members:1", network_id=1)
    index.replace_documents([], [stray], timeout=1)
    index.replace_documents([f"spec:{gone.id}"], [], timeout=1)  # as if an update was lost
    drift = search.check()
    assert drift.extra == ["spec:999:members"] and drift.missing == [f"spec:{gone.id}:members"]
    result = runner.invoke(args=["check"])
    assert result.exit_code == 1
    assert "1 document(s) missing from the index" in result.output
    assert "1 document(s) in the index but gone: spec:999:members" in result.output
    assert runner.invoke(args=["check", "--repair"]).exit_code == 0
    after = search.check()
    assert (after.missing, after.extra, after.stale) == ([], [], [])
    assert titles(find("rulltrappa", people["coordinator"])) == ["Rulltrappor"]


def test_updates_leave_few_segments(app, make_spec, people):
    spec = make_spec("Hissar", "hissar")
    for n in range(index.MAX_SEGMENTS + 8):
        specs.save_spec(spec, f"hissar version{n}", base_revision=spec.head_revision, actor=people["coordinator"])
    ix = index.open_index()
    assert len(ix._segments()) <= index.MAX_SEGMENTS + 1
    ix.close()
    assert titles(find(f"version{index.MAX_SEGMENTS + 7}", people["coordinator"])) == ["Hissar"]
    assert find("version0", people["coordinator"]).total == 0
