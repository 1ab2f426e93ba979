"""User-facing errors: one line, in French, never a traceback."""


class BelvedereError(Exception):
    """An error whose message is meant for the user as-is (one line, French)."""


class UnknownCommuneError(BelvedereError):
    """No current commune matches what the user typed."""


class AmbiguousCommuneError(BelvedereError):
    """Several communes match; the message lists them."""

    def __init__(self, message: str, candidates: list[dict]) -> None:
        super().__init__(message)
        self.candidates = candidates


class UnknownCampaignError(BelvedereError):
    """No campaign has that number."""
