"""The embedded DuckDB store."""

from belvedere.store.db import Store
from belvedere.store.schema import SCHEMA_VERSION

__all__ = ["SCHEMA_VERSION", "Store"]
