"""The web dashboard and its JSON API (FastAPI)."""
