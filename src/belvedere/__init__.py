"""Belvédère: the observatory of the digital visibility of French towns."""

__version__ = "0.1.0"
