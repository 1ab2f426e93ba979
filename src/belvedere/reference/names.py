"""Name folding so that "st etienne", "Saint-Étienne" and "SAINT ETIENNE" meet."""

from __future__ import annotations

import re
import unicodedata

_ABBREVIATIONS = {"st": "saint", "ste": "sainte", "sts": "saints", "stes": "saintes"}
_SEPARATORS = re.compile(r"[\s\-'’‘`_.,/()]+")


def fold(text: str) -> str:
    """Lower-case, accent-free, separators collapsed to one space, St/Ste expanded."""
    decomposed = unicodedata.normalize("NFKD", text)
    ascii_text = "".join(c for c in decomposed if not unicodedata.combining(c))
    ascii_text = ascii_text.replace("œ", "oe").replace("Œ", "oe").replace("æ", "ae").replace("Æ", "ae")
    words = [w for w in _SEPARATORS.split(ascii_text.lower()) if w]
    return " ".join(_ABBREVIATIONS.get(w, w) for w in words)
