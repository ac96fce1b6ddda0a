"""The git store on real temporary repositories; no Flask involved."""
import multiprocessing
import os
import signal

import pytest

from network_app.gitstore import Author, GitStore, RevisionNotFound, StaleBase, StoreError, valid_revision

ADA = Author("Ada Buyer", "ada@example.org")
BO = Author("Bo Member", "bo@example.org")
PORTAL = Author("network_app", "portal@example.org")
TEXT = "# Värmepumpar\n\nKrav 1: COP minst 3.\n\nKrav 2: ljudnivå högst 45 dB.\n\nKrav 3: garanti 5 år.\n"


@pytest.fixture
def store(tmp_path):
    store = GitStore(tmp_path / "repos", committer=PORTAL)
    store.ensure("bebo")
    return store


def save(store, text, base=None, author=ADA, path="specs/heat-pumps.md", message="Edit"):
    return store.save("bebo", path, text, base_revision=base, author=author, message=message)


def test_save_and_read_back_with_the_person_as_author_and_the_portal_as_committer(store):
    outcome = save(store, TEXT, message="Första utkast")
    commit, text = store.read("bebo", "specs/heat-pumps.md")
    assert (commit, text) == (outcome.commit_id, TEXT)
    [revision], total = store.history("bebo", "specs/heat-pumps.md")
    assert total == 1 and revision.number == 1
    assert (revision.author_name, revision.author_email, revision.message) == ("Ada Buyer", "ada@example.org",
                                                                                "Första utkast")
    import git

    with git.Repo(store.path_of("bebo")) as repo:
        assert repo.commit(commit).committer.email == "portal@example.org"


def test_unchanged_text_makes_no_commit(store):
    first = save(store, TEXT)
    again = save(store, TEXT, base=first.commit_id)
    assert again.is_unchanged and store.head("bebo") == first.commit_id


def test_revision_numbers_and_history_pages(store):
    base = None
    for n in range(1, 8):
        base = save(store, TEXT + f"\nÄndring {n}\n", base=base).commit_id
        save(store, f"annat {n}\n", path="specs/other.md", base=None if n == 1 else store.resolve(
            "bebo", "specs/other.md"))
    page, total = store.history("bebo", "specs/heat-pumps.md", limit=3, offset=2)
    assert total == 7 and [r.number for r in page] == [5, 4, 3]
    assert store.resolve("bebo", "specs/heat-pumps.md", "r5") == page[0].commit_id
    assert store.read("bebo", "specs/heat-pumps.md", "r1")[1].endswith("Ändring 1\n")
    assert store.revision("bebo", "specs/heat-pumps.md", page[0].commit_id).number == 5


@pytest.mark.parametrize("revision", ["r0", "r99", "HEAD", "main", "--output=/tmp/x", "../x", "v0", "abc",
                                      "0" * 40, "r1; rm -rf /", ""])
def test_bad_or_unknown_revisions_are_not_found(store, revision):
    save(store, TEXT)
    with pytest.raises(RevisionNotFound):
        store.read("bebo", "specs/heat-pumps.md", revision or "x")


@pytest.mark.parametrize("path", ["../escape.md", "/etc/passwd", "-rf.md", "specs/../../x.md", "Specs/X.md", ""])
def test_paths_that_could_escape_are_refused(store, path):
    with pytest.raises(RevisionNotFound):
        save(store, TEXT, path=path)


def test_revision_allow_list():
    assert valid_revision("r12") and valid_revision("v3") and valid_revision("a" * 40) and valid_revision("abc1234")
    assert not any(valid_revision(r) for r in ("HEAD~1", "r-1", "v1.0", "-p", "A" * 40, "main"))


def test_edits_of_different_parts_from_one_base_merge(store):
    base = save(store, TEXT).commit_id
    save(store, TEXT.replace("COP minst 3", "COP minst 3,5"), base=base, author=BO)
    outcome = save(store, TEXT.replace("garanti 5 år", "garanti 10 år"), base=base)
    assert outcome.merged and outcome.merged_with == ("Bo Member",)
    text = store.read("bebo", "specs/heat-pumps.md")[1]
    assert "COP minst 3,5" in text and "garanti 10 år" in text


def test_overlapping_edits_conflict_and_keep_both_texts(store):
    base = save(store, TEXT).commit_id
    theirs = save(store, TEXT.replace("högst 45 dB", "högst 40 dB"), base=base, author=BO).commit_id
    with pytest.raises(StaleBase) as err:
        save(store, TEXT.replace("högst 45 dB", "högst 42 dB"), base=base)
    conflict = err.value
    assert conflict.current_revision == theirs and "högst 40 dB" in conflict.current_text
    assert "högst 42 dB" in conflict.conflict_text and "<<<<<<< your edit" in conflict.conflict_text
    # A deliberate second save from the new head works.
    assert save(store, TEXT.replace("högst 45 dB", "högst 42 dB"), base=theirs).commit_id


def test_a_change_to_another_document_is_not_a_merge(store):
    base = save(store, TEXT).commit_id
    save(store, "annat\n", path="specs/other.md")
    outcome = save(store, TEXT + "\nTillägg\n", base=base)
    assert not outcome.merged and store.read("bebo", "specs/other.md")[1] == "annat\n"


def test_diff_blame_and_tags(store):
    first = save(store, TEXT).commit_id
    second = save(store, TEXT.replace("COP minst 3", "COP minst 4"), base=first, author=BO).commit_id
    diff = store.diff("bebo", "specs/heat-pumps.md", "r1", "r2")
    assert "-Krav 1: COP minst 3." in diff and "+Krav 1: COP minst 4." in diff
    blame = store.blame("bebo", "specs/heat-pumps.md")
    assert ("Bo Member", "Krav 1: COP minst 4.") in {(a, line) for _, a, line in blame}
    assert store.tag("bebo", "specs/heat-pumps.md", "v1", second, tagger=ADA, message="Fastställd") == second
    assert store.resolve("bebo", "specs/heat-pumps.md", "v1") == second
    assert store.versions("bebo", "specs/heat-pumps.md") == [("v1", second)]
    with pytest.raises(StoreError):  # adopted versions are immutable
        store.tag("bebo", "specs/heat-pumps.md", "v1", first, tagger=ADA, message="Again")


def _worker(root, worker, rounds, results):
    store = GitStore(root, committer=PORTAL)
    author = Author(f"Worker {worker}", f"w{worker}@example.org")
    for n in range(rounds):
        # Everyone edits the shared document (its own line, so most edits merge) and its own one.
        for path, line in (("specs/shared.md", worker), (f"specs/own-{worker}.md", 0)):
            try:
                base, text = store.read("bebo", path)
            except RevisionNotFound:
                base, text = None, "\n".join(f"line {i}" for i in range(8)) + "\n"
            lines = text.splitlines()
            lines[line] = f"line {line} by worker {worker} round {n}"
            try:
                outcome = store.save("bebo", path, "\n".join(lines) + "\n", base_revision=base, author=author,
                                     message=f"w{worker} r{n}")
                results.put(("saved", path, outcome.commit_id))
            except StaleBase:
                results.put(("conflict", path, None))


def test_several_processes_saving_at_once_lose_nothing(store, tmp_path):
    store.save("bebo", "specs/shared.md", "\n".join(f"line {i}" for i in range(8)) + "\n", base_revision=None,
               author=ADA, message="start")
    ctx = multiprocessing.get_context("fork")
    results, workers, rounds = ctx.Queue(), 4, 5
    processes = [ctx.Process(target=_worker, args=(str(tmp_path / "repos"), w, rounds, results))
                 for w in range(workers)]
    for p in processes:
        p.start()
    outcomes = [results.get(timeout=120) for _ in range(workers * rounds * 2)]
    for p in processes:
        p.join(timeout=60)
    saved = [commit for kind, _, commit in outcomes if kind == "saved" and commit]
    history = set()
    for path in ["specs/shared.md"] + [f"specs/own-{w}.md" for w in range(workers)]:
        revisions, _ = store.history("bebo", path, limit=1000)
        history |= {r.commit_id for r in revisions}
    assert set(saved) <= history  # every save that said "saved" is in the history
    assert len(outcomes) == workers * rounds * 2  # and every edit got an answer
    assert store.fsck("bebo")[0]
    own_counts = [store.history("bebo", f"specs/own-{w}.md")[1] for w in range(workers)]
    assert own_counts == [rounds] * workers  # nobody else touches these: no edit may be lost


def _save_forever(root, ready):
    store = GitStore(root, committer=PORTAL, stale_lock_seconds=0.5)
    base = store.resolve("bebo", "specs/killed.md")
    ready.set()
    for n in range(100_000):  # bounded; the test kills the process long before
        text = f"version {n} by process {os.getpid()}\n" * 200
        base = store.save("bebo", "specs/killed.md", text, base_revision=base, author=ADA,
                          message=f"save {n}").commit_id


def test_a_worker_killed_in_the_middle_of_saving_leaves_a_sound_repository(store, tmp_path):

    save(store, "start\n", path="specs/killed.md")
    ctx = multiprocessing.get_context("fork")
    for delay in (0.05, 0.2, 0.5):
        ready = ctx.Event()
        worker = ctx.Process(target=_save_forever, args=(str(tmp_path / "repos"), ready))
        worker.start()
        assert ready.wait(timeout=30)
        worker.join(timeout=delay)  # let it save for a moment, then kill it without warning
        assert worker.exitcode is None, "the worker stopped by itself"
        os.kill(worker.pid, signal.SIGKILL)
        worker.join(timeout=30)
        clean, output = store.fsck("bebo")
        assert clean, output
        commit, text = store.read("bebo", "specs/killed.md")  # the branch points at a whole commit
        assert text.startswith(("start", "version"))
    # And saving carries on from there, even if the last kill left the branch locked.
    store.stale_lock_seconds = 0.5
    assert save(store, "after\n", base=commit, path="specs/killed.md").commit_id


def test_a_lock_left_by_a_dead_process_is_cleared(store):
    first = save(store, TEXT).commit_id
    lock = store.path_of("bebo") / "refs" / "heads" / "main.lock"
    lock.write_text("")
    os.utime(lock, (0, 0))  # long ago: its owner is gone
    assert save(store, TEXT + "\nMer\n", base=first).commit_id
    assert not lock.exists()
