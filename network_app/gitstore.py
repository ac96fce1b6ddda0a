"""Bare git repositories that hold the texts: read, save (with merge), history, diff, blame, tags.

One bare repository per network under DATA_DIR/repos/<name>.git. There is no working tree and no
shared index: a save writes blob, tree and commit objects (the tree through a temporary index of
its own) and then moves the branch with a compare-and-swap, `git update-ref <ref> <new> <old>`,
so several worker processes can save at once. Losing that race is normal: the save re-reads the
head and applies again, merging three ways when the same document changed meanwhile.

Callers never see GitPython objects or exceptions: they get small frozen dataclasses and the
StoreError family. Nothing here knows about Flask, models or users (authors are tuples).
"""
import io
import os
import re
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath

import git
from git.objects.fun import tree_entries_from_data, tree_to_stream
from gitdb.base import IStream
from gitdb.db.loose import LooseObjectDB
from gitdb.util import bin_to_hex, hex_to_bin

BRANCH = "refs/heads/main"
ZERO = "0" * 40
_FULL_ID_RE = re.compile(r"^[0-9a-f]{40}$")
_REVISION_RE = re.compile(r"^(?:[0-9a-f]{7,40}|r[1-9][0-9]{0,6}|v[1-9][0-9]{0,4})$")
_NAME_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
_PART_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,99}$")
_SAVE_SECONDS = 20  # give up on moving the branch after this long


class StoreError(Exception):
    """A repository could not do what was asked."""


class RevisionNotFound(StoreError):
    """No such revision, tag or document, or a revision string outside the allow-list."""


class StaleBase(StoreError):
    """The document changed since `base_revision` and the changes overlap.

    `conflict_text` is the submitted text with conflict markers around the overlapping parts.
    """

    def __init__(self, current_revision: str, current_text: str, conflict_text: str):
        super().__init__("the document changed since the edit began and the changes overlap")
        self.current_revision = current_revision
        self.current_text = current_text
        self.conflict_text = conflict_text


@dataclass(frozen=True)
class Author:
    name: str
    email: str

    @classmethod
    def as_git_records(cls, name: str, email: str) -> "Author":
        """The author as git will write it: git drops '<', '>' and newlines anywhere and trims
        '.', ',', ':', ';', quotes and spaces from the ends (and refuses a name left empty, so
        the e-mail address stands in). Records made from this match what git log reads back."""
        def clean(value: str) -> str:
            value = re.sub(r"[<>\n]", "", value)
            return value.strip("".join(map(chr, range(33))) + ".,:;\"'\\")
        return cls(clean(name) or clean(email), clean(email))


@dataclass(frozen=True)
class Revision:
    commit_id: str
    number: int  # r-number: the n-th commit that changed this document
    author_name: str
    author_email: str
    authored_at: datetime
    message: str


@dataclass(frozen=True)
class SaveOutcome:
    commit_id: str | None  # None when the text was unchanged and nothing was committed
    merged: bool = False  # the edit was merged with changes made after its base revision
    merged_with: tuple[str, ...] = field(default=())  # names of the authors of those changes
    previous_change: str | None = None  # the document's last change before this commit
    revision: "Revision | None" = None  # the new commit (number 0: the store does not count)
    text: str | None = None  # the text as saved, merged where it was

    @property
    def is_unchanged(self) -> bool:
        return self.commit_id is None


def valid_revision(revision: str) -> bool:
    """Whether a revision string from a URL or form may reach git (hex id, rN or vN)."""
    return bool(revision) and bool(_REVISION_RE.match(revision))


class GitStore:
    """All repositories under `root`; `committer` is the portal's own (name, email)."""

    def __init__(self, root: str | os.PathLike, committer: Author, *, stale_lock_seconds: float = 5.0):
        self.root = Path(root)
        self.committer = committer
        # git holds refs/heads/main.lock for milliseconds; one older than this was left by a
        # process that died holding it (SIGKILL, power cut) and would block every save.
        self.stale_lock_seconds = stale_lock_seconds

    # --- repositories --------------------------------------------------------------------------

    def path_of(self, name: str) -> Path:
        if not _NAME_RE.match(name or ""):
            raise RevisionNotFound(f"not a repository name: {name!r}")
        return self.root / f"{name}.git"

    def ensure(self, name: str) -> None:
        """Create the bare repository if it does not exist yet."""
        path = self.path_of(name)
        if (path / "HEAD").exists():
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        repo = git.Repo.init(path, bare=True, initial_branch="main")
        with repo.config_writer() as config:
            # A save must survive a killed worker or a power cut: fsync objects and refs.
            config.set_value("core", "fsync", "committed")
            config.set_value("core", "fsyncMethod", "fsync")
            config.set_value("gc", "auto", "0")  # packing is an operator's job, never a request's
        repo.close()

    def _repo(self, name: str) -> git.Repo:
        # A Repo per operation: GitPython objects are not safe to share between threads.
        path = self.path_of(name)
        if not (path / "HEAD").exists():
            raise RevisionNotFound(f"no repository {name!r}")
        return git.Repo(path)

    def head(self, name: str) -> str | None:
        with self._repo(name) as repo:
            return _rev_parse(repo, BRANCH)

    def fsck(self, name: str) -> tuple[bool, str]:
        """Run `git fsck --full`; return (clean, output)."""
        with self._repo(name) as repo:
            try:
                output = repo.git.fsck("--full", "--no-progress", with_extended_output=False)
                return True, output
            except git.GitCommandError as err:
                return False, f"{err.stdout}\n{err.stderr}".strip()

    # --- reading -------------------------------------------------------------------------------

    def resolve(self, name: str, path: str, revision: str | None = None) -> str:
        """The commit id a revision string means for a document: a hex id, rN, vN, or None (latest)."""
        path = _check_path(path)
        with self._repo(name) as repo:
            return self._resolve(repo, path, revision)

    def _resolve(self, repo: git.Repo, path: str, revision: str | None) -> str:
        if revision is None:
            commit = _last_change(repo, BRANCH, path)
        elif not valid_revision(revision):
            raise RevisionNotFound(f"not a revision: {revision!r}")
        elif revision.startswith("r"):
            changes = _changes(repo, BRANCH, path)
            number = int(revision[1:])
            commit = changes[-number] if number <= len(changes) else None
        elif revision.startswith("v"):
            commit = _rev_parse(repo, f"refs/tags/{_tag_name(path, revision)}^{{commit}}")
        else:
            commit = _rev_parse(repo, f"{revision}^{{commit}}")
            if commit and _blob(repo, commit, path) is None:
                commit = None
        if commit is None:
            raise RevisionNotFound(f"{path} has no revision {revision!r}")
        return commit

    def read(self, name: str, path: str, revision: str | None = None) -> tuple[str, str]:
        """(commit id, text) of a document at a revision (default: the latest)."""
        path = _check_path(path)
        with self._repo(name) as repo:
            commit = self._resolve(repo, path, revision)
            return commit, _text(repo, commit, path)

    def history(self, name: str, path: str, *, limit: int = 50, offset: int = 0) -> tuple[list[Revision], int]:
        """Revisions of a document, newest first, and how many there are in all."""
        path = _check_path(path)
        with self._repo(name) as repo:
            changes = _changes(repo, BRANCH, path)
            total = len(changes)
            page = changes[offset:offset + limit]
            return [_revision(repo.commit(c), total - offset - i) for i, c in enumerate(page)], total

    def changes_since(self, name: str, path: str, since: str | None = None) -> list[Revision]:
        """Revisions of a document after commit `since` (all when None), oldest first, numbered
        from 1 after `since`. One `git log` over only the new commits: this is how caches catch up."""
        path = _check_path(path)
        with self._repo(name) as repo:
            head = _rev_parse(repo, BRANCH)
            if head is None:
                return []
            if since is not None and not _is_ancestor(repo, since, head):
                raise RevisionNotFound(f"{since} is not on {BRANCH}")
            span = f"{since}..{head}" if since else head
            out = repo.git.log(span, "--reverse", "--format=%H%x1f%an%x1f%ae%x1f%at%x1f%B%x1e", "--", path)
        revisions = []
        for number, record in enumerate((r for r in out.split("\x1e") if r.strip()), start=1):
            commit, author, email, at, message = record.lstrip("\n").split("\x1f", 4)
            revisions.append(Revision(commit, number, author, email,
                                      datetime.fromtimestamp(int(at), timezone.utc), message.strip()))
        return revisions

    def changes_by_path(self, name: str, folder: str) -> dict[str, list[Revision]]:
        """Every document under `folder` with its revisions, oldest first and numbered from 1,
        from one pass over the branch (for checks that would otherwise walk it once per document)."""
        folder = _check_path(folder)
        with self._repo(name) as repo:
            if _rev_parse(repo, BRANCH) is None:
                return {}
            out = repo.git.log(BRANCH, "--reverse", "--name-only", "--no-renames",
                               "--format=%x1e%H%x1f%an%x1f%ae%x1f%at%x1f%B%x1f", "--", folder + "/")
        found: dict[str, list[Revision]] = {}
        for record in out.split("\x1e")[1:]:
            commit, author, email, at, message, names = record.split("\x1f", 5)
            for path in filter(None, (n.strip() for n in names.splitlines())):
                revisions = found.setdefault(path, [])
                revisions.append(Revision(commit, len(revisions) + 1, author, email,
                                          datetime.fromtimestamp(int(at), timezone.utc), message.strip()))
        return found

    def maintain(self, name: str) -> None:
        """Write the commit graph with changed-path filters: walks of one document's history then
        skip commits that did not touch it (a big saving once a repository has thousands of commits)."""
        with self._repo(name) as repo:
            repo.git.commit_graph("write", "--reachable", "--changed-paths")

    def text_at(self, name: str, path: str, commit: str) -> str:
        """The text of a document at a full commit id, in one git call. Commits never change,
        so callers may cache the answer forever."""
        path = _check_path(path)
        if not _FULL_ID_RE.match(commit or ""):
            raise RevisionNotFound(f"not a full commit id: {commit!r}")
        with self._repo(name) as repo:
            return _text(repo, commit, path)

    def revision(self, name: str, path: str, revision: str | None = None) -> Revision:
        """One revision of a document (hex id, rN, vN or latest), with its r-number."""
        path = _check_path(path)
        with self._repo(name) as repo:
            return _numbered(repo, path, self._resolve(repo, path, revision))

    def read_revision(self, name: str, path: str, revision: str | None = None) -> tuple[Revision, str]:
        """(Revision with its r-number, text) of a document, in one pass over the repository."""
        path = _check_path(path)
        with self._repo(name) as repo:
            commit = self._resolve(repo, path, revision)
            return _numbered(repo, path, commit), _text(repo, commit, path)

    def diff(self, name: str, path: str, old: str, new: str) -> str:
        """Unified diff of a document between two revisions."""
        path = _check_path(path)
        with self._repo(name) as repo:
            a, b = self._resolve(repo, path, old), self._resolve(repo, path, new)
            return repo.git.diff(a, b, "--no-color", "--no-ext-diff", "--", path)

    def blame(self, name: str, path: str, revision: str | None = None) -> list[tuple[str, str, str]]:
        """(commit id, author name, line) for every line of the document at a revision."""
        path = _check_path(path)
        with self._repo(name) as repo:
            commit = self._resolve(repo, path, revision)
            lines = []
            for blamed, text_lines in repo.blame(commit, path):
                lines.extend((blamed.hexsha, blamed.author.name, line if isinstance(line, str)
                              else line.decode("utf-8", "replace")) for line in text_lines)
            return lines

    # --- writing -------------------------------------------------------------------------------

    def save(self, name: str, path: str, text: str, *, base_revision: str | None, author: Author,
             message: str, labels: tuple[str, str] = ("your edit", "saved meanwhile"),
             when: datetime | None = None, base_text: str | None = None) -> SaveOutcome:
        """Commit `text` at `path` on top of the branch head; return a SaveOutcome.

        `base_revision` is the commit the edit started from (None for a new document). When
        the document changed after it, the edit is merged three ways: a clean merge is saved
        (merged=True), overlapping changes raise StaleBase. When only other documents moved
        the branch, the edit is applied on the new head. Unchanged text makes no commit.
        `labels` name the two sides in the conflict markers of StaleBase.conflict_text. `when`
        sets the author date (loading history written elsewhere); the default is now.
        `base_text` is the document at a full `base_revision` when the caller has it from
        text_at() (which proved the commit holds the document): it spares reading it again.
        """
        path = _check_path(path)
        text = _normalise(text)
        with self._repo(name) as repo:
            if base_revision is None:
                base_text = ""
            else:
                if not _FULL_ID_RE.match(base_revision):
                    base_revision, base_text = self._resolve(repo, path, base_revision), None
                if base_text is None:
                    base_text = _text(repo, base_revision, path)  # also proves the commit holds the document
            deadline = time.monotonic() + _SAVE_SECONDS
            while time.monotonic() < deadline:
                head = _branch_head(repo)
                current_commit = _last_change(repo, head, path) if head else None
                new_text, merged_with = text, ()
                if current_commit is None or current_commit == base_revision:
                    current_text = base_text if current_commit else None
                else:
                    current_text = _text(repo, current_commit, path)
                    if base_revision is None or current_text != base_text:
                        new_text, conflicted = _merge(base_text, current_text, text, current_commit, labels)
                        if conflicted:
                            raise StaleBase(current_commit, current_text, new_text)
                        merged_with = _authors_between(repo, base_revision, head, path)
                if new_text == current_text:
                    return SaveOutcome(None, merged=bool(merged_with), merged_with=merged_with)
                authored = when or datetime.fromtimestamp(int(time.time()), timezone.utc)
                commit = self._commit(repo, head, path, new_text, author, message, authored)
                if _compare_and_swap(repo, commit, head):
                    revision = Revision(commit, 0, author.name, author.email, authored, message.strip())
                    return SaveOutcome(commit, merged=bool(merged_with), merged_with=merged_with,
                                       previous_change=current_commit, revision=revision, text=new_text)
                self._wait_for_ref_lock(name)
            raise StoreError(f"could not move {BRANCH} of {name} within {_SAVE_SECONDS} s")

    def _wait_for_ref_lock(self, name: str) -> None:
        """After a lost compare-and-swap: if the branch is locked, wait a little, and remove a
        lock so old that its owner must have died."""
        lock = self.path_of(name) / (BRANCH + ".lock")
        try:
            age = time.time() - lock.stat().st_mtime
        except FileNotFoundError:
            return  # another save won the race; re-read the head at once
        if age > self.stale_lock_seconds:
            lock.unlink(missing_ok=True)
        else:
            time.sleep(0.02)

    def _commit(self, repo: git.Repo, head: str | None, path: str, text: str, author: Author,
                message: str, when: datetime) -> str:
        tree = _tree_with(repo, head, path, _write_blob(repo, text))
        now = f"{int(time.time())} +0000"
        authored = f"{int(when.timestamp())} +0000"
        env = {"GIT_AUTHOR_NAME": author.name, "GIT_AUTHOR_EMAIL": author.email, "GIT_AUTHOR_DATE": authored,
               "GIT_COMMITTER_NAME": self.committer.name, "GIT_COMMITTER_EMAIL": self.committer.email,
               "GIT_COMMITTER_DATE": now}
        parents = ["-p", head] if head else []
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", suffix=".msg") as fh:
            fh.write(message.strip() + "\n")
            fh.flush()
            try:
                return repo.git.commit_tree(tree, *parents, "-F", fh.name, env=env)
            except git.GitCommandError as err:
                raise StoreError(f"git refused the commit: {err.stderr.strip()}") from err

    def tag(self, name: str, path: str, version: str, revision: str, *, tagger: Author, message: str,
            when: datetime | None = None) -> str:
        """Create the immutable tag `<document>/<version>` (e.g. heat-pumps/v1) at a revision."""
        path = _check_path(path)
        if not re.match(r"^v[1-9][0-9]{0,4}$", version):
            raise StoreError(f"not a version: {version!r}")
        with self._repo(name) as repo:
            commit = self._resolve(repo, path, revision)
            env = {"GIT_COMMITTER_NAME": tagger.name, "GIT_COMMITTER_EMAIL": tagger.email}
            if when:
                env["GIT_COMMITTER_DATE"] = f"{int(when.timestamp())} +0000"
            existing = _rev_parse(repo, f"refs/tags/{_tag_name(path, version)}^{{commit}}")
            if existing == commit:  # made before, by a call whose caller did not record it
                return commit
            try:
                repo.git.tag("-a", _tag_name(path, version), commit, "-m", message.strip() or version, env=env)
            except git.GitCommandError as err:
                raise StoreError(f"tag {version} of {path} exists or cannot be made") from err
            return commit

    def versions(self, name: str, path: str) -> list[tuple[str, str]]:
        """(version, commit id) of every tag of a document, oldest first."""
        path = _check_path(path)
        prefix = _tag_name(path, "")
        with self._repo(name) as repo:
            out = repo.git.for_each_ref(f"refs/tags/{prefix}", "--format=%(refname:strip=2) %(*objectname)")
        pairs = [line.split() for line in out.splitlines() if line.strip()]
        found = [(ref[len(prefix):], commit) for ref, commit in pairs]
        return sorted(found, key=lambda v: int(v[0][1:]))


# --- helpers ---------------------------------------------------------------------------------------

def _check_path(path: str) -> str:
    """Document paths are relative, lower-case and may not escape the repository or look like options."""
    parts = PurePosixPath(path or "").parts
    if not parts or any(not _PART_RE.match(p) or p in (".", "..") for p in parts):
        raise RevisionNotFound(f"not a document path: {path!r}")
    return "/".join(parts)


def _tag_name(path: str, version: str) -> str:
    return f"{path.rsplit('.', 1)[0]}/{version}"


def _normalise(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text if text.endswith("\n") or not text else text + "\n"


def _rev_parse(repo: git.Repo, spec: str) -> str | None:
    try:
        return repo.git.rev_parse("--verify", "--quiet", "--end-of-options", spec)
    except git.GitCommandError:
        return None


def _branch_head(repo: git.Repo) -> str | None:
    """The commit the branch points at, read from the ref files by GitPython (loose ref, else
    packed-refs: git replaces both by rename, so a read sees the old or the new value), which
    spares starting `git rev-parse`; git answers when that reading fails (no branch yet)."""
    try:
        return git.SymbolicReference.dereference_recursive(repo, BRANCH)
    except Exception:  # noqa: BLE001 - missing or unreadable here: ask git
        return _rev_parse(repo, BRANCH)


def _blob(repo: git.Repo, commit: str, path: str) -> str | None:
    return _rev_parse(repo, f"{commit}:{path}")


def _text(repo: git.Repo, commit: str, path: str) -> str:
    """The document at a commit, in one git call; RevisionNotFound unless `commit` is a commit
    that holds the document."""
    try:
        return repo.git.cat_file("blob", f"{commit}^{{commit}}:{path}", strip_newline_in_stdout=False)
    except git.GitCommandError:
        raise RevisionNotFound(f"{path} does not exist at {commit}") from None


def _changes(repo: git.Repo, start: str, path: str) -> list[str]:
    """Commits that changed `path`, newest first, from `start` back."""
    out = repo.git.rev_list(start, "--", path)
    return out.split()


def _last_change(repo: git.Repo, start: str | None, path: str) -> str | None:
    if start is None:
        return None
    out = repo.git.rev_list("-1", start, "--", path)
    return out.strip() or None


def _is_ancestor(repo: git.Repo, ancestor: str, descendant: str) -> bool:
    try:
        repo.git.merge_base("--is-ancestor", ancestor, descendant)
        return True
    except git.GitCommandError:
        return False


def _authors_between(repo: git.Repo, base: str | None, head: str, path: str) -> tuple[str, ...]:
    span = f"{base}..{head}" if base else head
    names = repo.git.log(span, "--format=%an", "--", path).splitlines()
    return tuple(dict.fromkeys(n for n in names if n))


def _numbered(repo: git.Repo, path: str, commit: str) -> Revision:
    number = int(repo.git.rev_list("--count", commit, "--", path))
    return _revision(repo.commit(commit), number)


def _revision(commit: git.Commit, number: int) -> Revision:
    return Revision(commit_id=commit.hexsha, number=number, author_name=commit.author.name,
                    author_email=commit.author.email,
                    authored_at=datetime.fromtimestamp(commit.authored_date, timezone.utc),
                    message=commit.message.strip())


def _store(repo: git.Repo, kind: bytes, data: bytes) -> bytes:
    """Write a loose object in this process (gitdb's LooseObjectDB: zlib, sha1, a temporary
    file renamed into place, as git does); GitPython's repo.odb.store() would start
    `git hash-object` for each object. Returns the binary id."""
    return LooseObjectDB(repo.odb.root_path()).store(IStream(kind, len(data), io.BytesIO(data))).binsha


def _write_blob(repo: git.Repo, text: str) -> str:
    return bin_to_hex(_store(repo, b"blob", text.encode("utf-8"))).decode("ascii")


_TREE = 0o040000
_FILE = 0o100644


def _tree_with(repo: git.Repo, head: str | None, path: str, blob: str) -> str:
    """The tree of `head` (None: empty) with the file at `path` set to `blob`: the tree objects
    `git read-tree` + `update-index --add --cacheinfo` + `write-tree` would write, written
    in-process. Only the trees on the path are read (through GitPython's `git cat-file --batch`
    process) and written; every other entry is kept as it is."""
    def write(tree: bytes | None, parts: list[str]) -> bytes:
        entries = {}
        if tree is not None:
            for sha, mode, name in tree_entries_from_data(repo.odb.stream(tree).read()):
                entries[name.encode("utf-8", "surrogateescape")] = (sha, mode)
        name = parts[0].encode("utf-8")
        sha, mode = entries.get(name, (None, None))
        if len(parts) == 1:
            if mode == _TREE:
                raise StoreError(f"{path} is a folder in the repository")
            entries[name] = (hex_to_bin(blob), _FILE)
        else:
            if mode is not None and mode != _TREE:
                raise StoreError(f"{parts[0]} is a file in the repository, not a folder")
            entries[name] = (write(sha, parts[1:]), _TREE)
        # git's order: by name, a folder's name as if it ended in "/"
        ordered = sorted(((sha, mode, name) for name, (sha, mode) in entries.items()),
                         key=lambda e: e[2] + b"/" if e[1] == _TREE else e[2])
        data = io.BytesIO()
        tree_to_stream(ordered, data.write)
        return _store(repo, b"tree", data.getvalue())

    root = None
    if head:
        header = repo.odb.stream(hex_to_bin(head)).read().split(b"\n", 1)[0]
        if not header.startswith(b"tree "):
            raise StoreError(f"{head} is not a commit")
        root = hex_to_bin(header[5:].decode("ascii"))
    return bin_to_hex(write(root, path.split("/"))).decode("ascii")


def _compare_and_swap(repo: git.Repo, new: str, old: str | None) -> bool:
    """Move the branch to `new` only if it still points at `old` (ZERO: only if it does not exist)."""
    try:
        repo.git.update_ref(BRANCH, new, old or ZERO)
        return True
    except git.GitCommandError:
        return False


def _merge(base: str, current: str, mine: str, current_commit: str,
           labels: tuple[str, str]) -> tuple[str, bool]:
    """Three-way merge of texts with `git merge-file`: (merged text, whether it has conflicts).

    With conflicts, the text holds both sides between markers named by `labels`.
    """
    with tempfile.TemporaryDirectory() as tmp:
        files = []
        for label, content in (("mine", mine), ("base", base), ("current", current)):
            p = Path(tmp) / label
            p.write_text(content, encoding="utf-8")
            files.append(str(p))
        status, merged, _stderr = git.Git(tmp).execute(
            ["git", "merge-file", "-p", "-L", labels[0], "-L", "base",
             "-L", f"{labels[1]} ({current_commit[:7]})", *files],
            with_extended_output=True, with_exceptions=False, strip_newline_in_stdout=False)
    if 0 <= status < 128:  # git merge-file exits with the number of conflicts
        return merged, status > 0
    raise StoreError(f"git merge-file failed with status {status}")
