"""The application's git store: one bare repository per network under DATA_DIR/repos."""
from pathlib import Path

from flask import current_app

from .gitstore import Author, GitStore


def store() -> GitStore:
    app = current_app._get_current_object()
    if "gitstore" not in app.extensions:
        committer = Author(app.config["COMMITTER_NAME"], app.config["COMMITTER_EMAIL"])
        app.extensions["gitstore"] = GitStore(Path(app.config["DATA_DIR"]) / "repos", committer=committer)
    return app.extensions["gitstore"]


def author_of(user) -> Author:
    return Author.as_git_records(user.name, user.email)
