"""Signals that let derived things (the search index, criteria usage) follow changes without the
areas that make the changes knowing about them. Receivers must never make the change fail:
they run after the change is committed, and an error in one is logged, not raised."""
import logging

from blinker import Namespace

log = logging.getLogger(__name__)
_signals = Namespace()

# Sent after a document's text or state is committed, with kind ("spec", "criterion", …) and id.
document_changed = _signals.signal("document-changed")


def changed(kind: str, document_id: int) -> None:
    """Tell the receivers of document_changed; log, never raise, what fails in one of them."""
    for receiver in document_changed.receivers_for(kind):
        try:
            receiver(kind, document_id=document_id)
        except Exception:  # noqa: BLE001 - a derived thing must never undo a committed change
            log.exception("receiver %r failed for %s %s", receiver, kind, document_id)


# Sent after a specification version is adopted and committed (sender "spec"), with its id and number.
version_adopted = _signals.signal("version-adopted")


def adopted(spec_id: int, number: int) -> None:
    """Tell the receivers of version_adopted; log, never raise, what fails in one of them."""
    for receiver in version_adopted.receivers_for("spec"):
        try:
            receiver("spec", spec_id=spec_id, number=number)
        except Exception:  # noqa: BLE001 - a derived thing must never undo a committed change
            log.exception("receiver %r failed for spec %s v%s", receiver, spec_id, number)
