"""User-facing errors: one line, in French, never a traceback."""

from typing import Any


class BelvedereError(Exception):
    """An error whose message is meant for the user as-is (one line, French)."""


class UnknownCommuneError(BelvedereError):
    """No current commune matches what the user typed."""


class AmbiguousCommuneError(BelvedereError):
    """Several communes match; the message lists them."""

    def __init__(self, message: str, candidates: list[dict[str, Any]]) -> None:
        super().__init__(message)
        self.candidates = candidates


class UnknownCampaignError(BelvedereError):
    """No campaign has that number."""


# --- the store's errors: typed, so that the CLI and the web map them to a message and a status
# (503 for a busy store, 422 for bad input...) without reading their text


class StoreError(BelvedereError):
    """The store cannot do what was asked."""


class StoreBusyError(StoreError):
    """Another process (or this one, in the other mode) holds the file: try again in a moment."""


class StoreMissingError(StoreError):
    """No store at that path."""


class ReadOnlyStoreError(StoreError):
    """A write asked of a store opened for reading."""


class SchemaTooOldError(StoreError):
    """The store predates this version: `belvedere init` upgrades it (reading commands never do)."""


class SchemaTooNewError(StoreError):
    """The store was written by a newer version of Belvédère."""


class NoAudienceError(BelvedereError):
    """The store holds no audience (``code`` None), or none for this commune: not a mistake of the
    asker, a commune to fetch (the web offers to, when the server may)."""

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.code = code


class UnknownSurveyError(BelvedereError):
    """No survey has that identifier."""


class AlreadyAnsweredError(BelvedereError):
    """This device has already answered this survey."""
