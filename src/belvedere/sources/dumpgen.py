"""Realistic Wikimedia hourly dump files for tests and benchmarks: deterministic, any size.

Each file looks like the real ones: ``domain_code page_title count_views 0`` lines, gzip, many
projects mixed (``en``, ``de.m``, ``commons.m``…), the project's titles in desktop (``fr``) and
mobile (``fr.m``) lines, some titles also written percent-encoded (as Wikimedia does for part of
the traffic), and filler titles the store does not know.
"""

from __future__ import annotations

import gzip
from datetime import date
from pathlib import Path
from urllib.parse import quote

import numpy as np

from belvedere.dates import month_end

OTHER_DOMAINS = ("en", "en.m", "de", "de.m", "es.m", "it", "commons.m", "fr.wiktionary", "ja.m")


def hourly_name(day: date, hour: int) -> str:
    return f"pageviews-{day:%Y%m%d}-{hour:02d}0000.gz"


def write_hourly(directory: Path, day: date, hour: int, titles: list[str], *, seed: int = 0,
                 filler: int = 2000, fr_every: int = 3) -> Path:  # fmt: skip
    """One hour's file: every title of ``titles`` on fr and fr.m (zero-view lines left out, as in
    the real dumps), a quarter of the accented ones (and of those with a '+') again percent-encoded,
    two lines whose escapes are not UTF-8, and ``filler`` lines of other titles, one in
    ``fr_every`` on fr/fr.m and the rest on other projects (40 gives about the real share: 24 of
    the real excerpt's 1,000 lines are fr/fr.m). Returns its path."""
    rng = np.random.default_rng([seed, day.toordinal(), hour])
    lines = []
    level = np.exp(rng.normal(1.0, 1.2, len(titles)))
    for title, lam in zip(titles, level, strict=True):
        for domain, share in (("fr", 0.4), ("fr.m", 0.6)):
            views = int(rng.poisson(lam * share))
            if views:
                lines.append(f"{domain} {title} {views} 0")
            if (not title.isascii() or "+" in title) and rng.random() < 0.25:
                lines.append(f"{domain} {quote(title, safe='_()')} {int(rng.integers(1, 4))} 0")
    counts = rng.integers(1, 50, filler)  # drawn at once: benchmarks ask for millions of lines
    domains = [
        OTHER_DOMAINS[k % len(OTHER_DOMAINS)] if k % fr_every else ("fr" if k // fr_every % 2 else "fr.m")
        for k in range(filler)
    ]
    lines += [
        f"{d} Filler_{seed}_{hour}_{k} {c} 0" for k, (d, c) in enumerate(zip(domains, counts.tolist(), strict=True))
    ]
    lines += [f"fr Caf%E9_{hour} 1 0", f"fr.m 100%_{seed} 2 0"]  # escapes that are not UTF-8, as in the real files
    lines.sort(key=lambda line: line.encode())  # sorted by project then title, as the real files are
    path = Path(directory) / hourly_name(day, hour)
    with gzip.open(path, "wt", encoding="utf-8", compresslevel=6) as f:
        f.write("\n".join(lines) + "\n")
    return path


def daily_complete_name(day: date, agent: str = "user") -> str:
    return f"pageviews-{day:%Y%m%d}-{agent}"


def monthly_complete_name(month: date, agent: str = "user") -> str:
    return f"pageviews-{month:%Y%m}-{agent}"


def write_daily_complete(directory: Path, day: date, titles: list[str], *, agent: str = "user", seed: int = 0,
                         filler: int = 2000, compress: bool = True) -> Path:  # fmt: skip
    """One day's ``pageview_complete`` file: ``wiki_code title page_id access daily_total hourly``
    where hourly is letters A..X (hour 0..23) each followed by its count, zero hours left out; a
    fifth of the rows have no page id (5 fields), as in the real files. bz2 unless ``compress``
    is false."""
    name = daily_complete_name(day, agent)
    return _write_complete(Path(directory) / name, [seed, day.toordinal(), 7], 24, titles, filler, compress)


def write_monthly_complete(directory: Path, month: date, titles: list[str], *, agent: str = "user", seed: int = 0,
                           filler: int = 2000, compress: bool = True) -> Path:  # fmt: skip
    """One month's ``pageview_complete`` file (``pageviews-YYYYMM-user.bz2``): the same rows as a
    daily file, with the monthly total and the days as letters (A = 1st ... Z = 26th, then
    ``[ \\ ] ^ _`` for the 27th to the 31st) each followed by that day's count."""
    days = month_end(month).day
    name = monthly_complete_name(month, agent)
    return _write_complete(Path(directory) / name, [seed, month.toordinal(), 31], days, titles, filler, compress)


def _write_complete(path: Path, seed: list[int], slots: int, titles: list[str], filler: int, compress: bool) -> Path:
    """Rows with ``slots`` lettered counts (24 hours from A, or the month's days from A)."""
    import bz2

    rng = np.random.default_rng(seed)
    lines = []
    accesses = ("desktop", "mobile-web", "mobile-app")
    for n, title in enumerate(titles):
        for access in accesses:
            counts = rng.poisson(np.exp(rng.normal(0.5, 1.0)), slots)
            if not counts.sum():
                continue
            letters = "".join(f"{chr(65 + k)}{v}" for k, v in enumerate(counts) if v)
            page_id = "" if rng.random() < 0.2 else f" {100000 + n}"
            lines.append(f"fr.wikipedia {title}{page_id} {access} {int(counts.sum())} {letters}")
    for k in range(filler):
        wiki = ("en.wikipedia", "de.wikipedia", "fr.wiktionary", "fr.wikipedia")[k % 4]
        lines.append(f"{wiki} Filler_{seed[0]}_{k} {k} {accesses[k % 3]} {1 + k % 9} A{1 + k % 9}")
    order = rng.permutation(len(lines))
    text = "\n".join(lines[i] for i in order) + "\n"
    path = path.with_name(path.name + (".bz2" if compress else ""))
    if compress:
        path.write_bytes(bz2.compress(text.encode("utf-8"), 6))
    else:
        path.write_text(text, encoding="utf-8")
    return path
