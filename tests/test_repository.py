"""The repository is the whole product: nothing in it reads a folder beside the clone, and the data
it ships carries its provenance and licence."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_nothing_reads_a_folder_beside_the_clone() -> None:
    outside = re.compile(r"\.\./shared|parents\[[2-9]\]|shared/data|parent\.parent\s*/\s*[\"']shared")
    offenders = []
    for path in [ROOT / "Makefile", *ROOT.glob("src/**/*.py"), *ROOT.glob("tests/**/*.py"),
                 *ROOT.glob("benchmarks/**/*.py"), *ROOT.glob("scripts/**/*.py")]:  # fmt: skip
        if path == Path(__file__).resolve():
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if outside.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()}")
    assert offenders == []


def test_every_shipped_data_file_has_its_provenance() -> None:
    for folder in (ROOT / "src" / "belvedere" / "reference" / "data", ROOT / "tests" / "data"):
        provenance = (folder / "PROVENANCE.md").read_text(encoding="utf-8")
        assert "Licence" in provenance or "MIT" in provenance
        for data in folder.iterdir():
            if data.suffix == ".md":
                continue
            assert f"`{data.name}`" in provenance, f"{data} is not described in {folder / 'PROVENANCE.md'}"
            gzip.decompress(data.read_bytes())  # compact, and whole


def test_the_audience_has_one_writer() -> None:
    """Only store/audience.py writes pageviews: the rules that keep audience honest (a source
    replaces what it covered, never a simulated article's views, no zeros for days nobody covered)
    are kept in one place."""
    # a statement naming the table, or the table's name handed to a statement built from a list
    writes = re.compile(r"(INSERT\s+INTO|DELETE\s+FROM|UPDATE)\s+pageviews\b|[\"']pageviews[\"']", re.IGNORECASE)
    writers = sorted(
        str(path.relative_to(ROOT / "src" / "belvedere"))
        for path in ROOT.glob("src/belvedere/**/*.py")
        if writes.search(path.read_text(encoding="utf-8"))
    )
    assert writers == ["store/audience.py"]
