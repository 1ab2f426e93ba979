"""The fault suite: every bad dump file is refused whole, by name, before any write, and leaves the
store exactly as it was (audience, dump records, ingest log); the right file then goes in.

Each case is a file a user can really end up with: a download cut short, an empty file, a bz2 of
something else, a file from another wiki, a broken line, an impossible count."""

from __future__ import annotations

import bz2
import gzip
import json
import shutil
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from belvedere.errors import BelvedereError
from belvedere.reference.load import prepare_store
from belvedere.sources.dumpgen import write_daily_complete, write_hourly, write_monthly_complete
from belvedere.sources.dumps import ingest_complete, ingest_hourly, sha256
from belvedere.store import Store
from tests.conftest import run_cli

TITLES = ["Carrouges", "Saint-Étienne"]
SETTLED = date(2024, 5, 2)  # a day whose audience came from its 24 hourly files
PENDING = date(2024, 5, 3)  # a day with 23 of its 24 hours in
TABLES = ("pageviews", "dump_files", "dump_hours", "project_pages", "project_views", "articles", "ingest_log")


@pytest.fixture(scope="module")
def audience_db(reference_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store with real-looking audience: one settled day, one day waiting for its last hour."""
    work = tmp_path_factory.mktemp("faults")
    path = work / "store.duckdb"
    shutil.copy(reference_db, path)
    with Store(path) as store:
        for code, title in zip(("61074", "42218"), TITLES, strict=True):
            store.con.execute("INSERT INTO articles (project, title, commune_code, verified, source) "
                              "VALUES ('fr.wikipedia', ?, ?, TRUE, 'wikidata')", [title, code])  # fmt: skip
        files = [write_hourly(work, SETTLED, h, TITLES, seed=1, filler=30) for h in range(24)]
        files += [write_hourly(work, PENDING, h, TITLES, seed=1, filler=30) for h in range(23)]
        ingest_hourly(store, files)
        assert store.con.execute("SELECT count(*) FROM pageviews WHERE views > 0").fetchall()[0][0] > 0
    return path


def snapshot(path: Path) -> dict[str, list]:
    with Store(path, read_only=True) as store:
        return {t: store.con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in TABLES}


# The name a bad file takes: the last hour of the pending day, or a day/month whose audience is in
HOURLY = "pageviews-20240503-230000.gz"
DAILY = "pageviews-20240502-user.bz2"
MONTHLY = "pageviews-202405-user"  # decompressed
GOOD_HOURLY = "fr Carrouges 7 0\nfr.m Carrouges 9 0\nfr Autre_page 3 0\n"
GOOD_COMPLETE = (
    "fr.wikipedia Carrouges 123 desktop 7 A3B4\nfr.wikipedia Carrouges 123 mobile-web 9 C9\n"
    "fr.wikipedia Autre_page mobile-web 3 A3\n"
)
GARBAGE = bytes((i * 73 + 41) % 256 for i in range(5000))  # no newline structure, not UTF-8
OTHER_WIKI = {"hourly": "en Carrouges 7 0\nde Carrouges 4 0\n",
              "complete": "en.wikipedia Carrouges 1 desktop 7 A7\nde.wikipedia Carrouges 2 desktop 4 B4\n"}  # fmt: skip


def _lines(kind: str, bad: str) -> str:
    """A file of the project with one bad line among 40 good ones."""
    good = GOOD_HOURLY if kind == "hourly" else GOOD_COMPLETE
    return good * 20 + bad + "\n"


def _bad_line(kind: str, views: str) -> str:
    return f"fr Carrouges {views} 0" if kind == "hourly" else f"fr.wikipedia Carrouges 1 desktop {views} A{views}"


def _pack(name: str, text: str | bytes) -> bytes:
    data = text.encode() if isinstance(text, str) else text
    if name.endswith(".gz"):
        return gzip.compress(data)
    if name.endswith(".bz2"):
        return bz2.compress(data)
    return data


def _not_its_compression(kind: str, name: str) -> bytes:
    if name.endswith(".gz"):
        return GOOD_HOURLY.encode()  # plain text under .gz
    if name.endswith(".bz2"):
        return gzip.compress(GOOD_COMPLETE.encode())  # gzip under .bz2
    return bz2.compress(GOOD_COMPLETE.encode())  # bz2 without .bz2


def _truncated(kind: str, name: str) -> bytes:
    if name.endswith((".gz", ".bz2")):  # a download cut short
        return _pack(name, (GOOD_HOURLY if kind == "hourly" else GOOD_COMPLETE) * 200)[:-60]
    return (GOOD_COMPLETE + "fr.wikipedia Carrouges 1 desk").encode()


def _with_bad_line(line: str | None = None, views: str | None = None) -> Callable[[str, str], bytes]:
    def make(kind: str, name: str) -> bytes:
        bad = line or ("fr Carrouges" if kind == "hourly" else "fr.wikipedia X desktop")
        if views is not None:
            bad = _bad_line(kind, views)
        return _pack(name, _lines(kind, bad))

    return make


# case -> (the file's bytes for a kind and a name, what the refusal says)
CASES: dict[str, tuple] = {
    "empty": (lambda kind, name: b"", "vide"),
    "not_its_compression": (_not_its_compression, "contenu est"),
    "truncated": (_truncated, ""),
    "garbage_compressed": (lambda kind, name: _pack(name, GARBAGE), ""),
    "no_project_line": (
        lambda kind, name: _pack(name, OTHER_WIKI["hourly" if kind == "hourly" else "complete"]),
        "aucune ligne du projet",
    ),
    "malformed_beyond_tolerance": (_with_bad_line(), "mal formée"),
    "count_not_a_number": (_with_bad_line(views="12a"), "mal formée"),
    "negative_count": (_with_bad_line(views="-5"), "négatif"),
    "count_above_2_31": (_with_bad_line(views=str(2**31 + 5)), "au-delà"),
    "count_above_2_64": (_with_bad_line(views="1" + "0" * 20), ""),
}
KINDS = {"hourly": HOURLY, "daily": DAILY, "monthly": MONTHLY}


def _ingest(store: Store, f: Path) -> None:
    if f.name.startswith("pageviews-2024050") and f.name.endswith("0000.gz"):
        ingest_hourly(store, [f])
    else:
        ingest_complete(store, [f])


@pytest.mark.parametrize("kind", list(KINDS))
@pytest.mark.parametrize("case", list(CASES))
def test_a_bad_file_is_refused_whole_and_changes_nothing(case: str, kind: str, audience_db: Path,
                                                         tmp_path: Path) -> None:  # fmt: skip
    path = tmp_path / "store.duckdb"
    shutil.copy(audience_db, path)
    before = snapshot(path)
    make, says = CASES[case]
    name = KINDS[kind]
    bad = tmp_path / "bad" / name
    bad.parent.mkdir()
    bad.write_bytes(make(kind, name))
    with Store(path) as store, pytest.raises(BelvedereError) as refused:
        _ingest(store, bad)
    message = str(refused.value)
    assert name in message and says in message and "\n" not in message
    assert snapshot(path) == before  # audience, records and log exactly as they were
    # the right file of that name then goes in (a refused file is not recorded as ingested)
    good = tmp_path / "good" / name
    good.parent.mkdir()
    good.write_bytes(_pack(name, GOOD_HOURLY if kind == "hourly" else GOOD_COMPLETE))
    with Store(path) as store:
        _ingest(store, good)
        carrouges = store.con.execute(
            "SELECT p.date, p.access::VARCHAR, p.views FROM pageviews p JOIN articles a USING (article_id) "
            "WHERE a.title = 'Carrouges' AND p.date = ? AND p.agent = 'user' ORDER BY ALL",
            [PENDING if kind == "hourly" else SETTLED],
        ).fetchall()
    views = {access: v for _, access, v in carrouges}
    if kind == "daily":
        assert views == {"desktop": 7, "mobile-web": 9, "mobile-app": 0}
    elif kind == "monthly":  # letters are days: A = 1st, B = 2nd (the settled day), C = 3rd
        assert views == {"desktop": 4, "mobile-web": 0, "mobile-app": 0}
    else:  # the pending day is now complete, with this hour's views added to the 23 others
        hours = [h for h in before["dump_hours"] if h[1] == PENDING]
        assert views["desktop"] == 7 + sum(h[4] for h in hours if h[3] == "desktop" and h[0] == 1)


def test_the_cli_gives_one_line_and_a_non_zero_exit(audience_db: Path, tmp_path: Path) -> None:
    path = tmp_path / "store.duckdb"
    shutil.copy(audience_db, path)
    with Store(path) as store:
        prepare_store(store)  # what `init` adds (probable titles), so that the CLI adds nothing
    before = snapshot(path)
    for name, data in ((DAILY, b""), (MONTHLY, OTHER_WIKI["complete"].encode()), (HOURLY, gzip.compress(GARBAGE))):
        bad = tmp_path / name
        bad.write_bytes(data)
        out = run_cli("ingest", str(bad), db=path)
        errors = [line for line in out.stderr.splitlines() if line.startswith("Erreur")]  # beside the progress bar
        assert out.returncode == 1 and "Traceback" not in out.stderr, out.stderr
        assert len(errors) == 1 and name in errors[0], out.stderr
        bad.unlink()
    assert snapshot(path) == before


def test_a_stray_line_in_a_big_real_file_is_tolerated_and_counted(tmp_path: Path, reference_db: Path) -> None:
    """One malformed line in 20,000 project lines: skipped, counted, the rest written exactly."""
    path = tmp_path / "s.duckdb"
    shutil.copy(reference_db, path)
    f = write_daily_complete(tmp_path, SETTLED, TITLES, seed=3, filler=80_000, compress=False)
    f.write_text(f.read_text() + "fr.wikipedia Carrouges 99 desktop\n")
    with Store(path) as store:
        store.con.execute("INSERT INTO articles (project, title, commune_code, verified, source) "
                          "VALUES ('fr.wikipedia', 'Carrouges', '61074', TRUE, 'wikidata')")  # fmt: skip
        report = ingest_complete(store, [f])
        assert report.malformed == 1 and report.files == 1
        assert store.con.execute("SELECT count(*) FROM dump_files").fetchall()[0][0] == 1


def test_replace_on_purpose_is_logged(tmp_path: Path, prepared_db: Path) -> None:
    """A file ingested again under its name with another content: refused, unless --replace, which
    replaces its period and says so in the ingest log; an hour of a complete day needs the whole day."""
    path = tmp_path / "s.duckdb"
    shutil.copy(prepared_db, path)
    with Store(path) as store:
        store.con.execute("DELETE FROM articles WHERE commune_code = '61074'")  # the guess, replaced
        store.con.execute("INSERT INTO articles (project, title, commune_code, verified, source) "
                          "VALUES ('fr.wikipedia', 'Carrouges', '61074', TRUE, 'wikidata')")  # fmt: skip
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir(exist_ok=True)
    first = write_monthly_complete(tmp_path / "a", date(2024, 2, 1), TITLES, seed=1, filler=10)
    second = write_monthly_complete(tmp_path / "b", date(2024, 2, 1), TITLES, seed=2, filler=10)

    run_cli("ingest", str(first), db=path, check=True)
    with Store(path, read_only=True) as store:
        was = store.con.execute("SELECT sum(views) FROM pageviews").fetchall()[0][0]
    refused = run_cli("ingest", str(second), db=path)
    assert refused.returncode == 1 and "--replace" in refused.stderr
    done = run_cli("ingest", "--replace", str(second), db=path)
    assert done.returncode == 0, done.stderr
    with Store(path, read_only=True) as store:
        now = store.con.execute("SELECT sum(views) FROM pageviews").fetchall()[0][0]
        log = store.con.execute("SELECT origin, status, detail FROM ingest_log WHERE status = 'replaced'").fetchall()
        sha = store.con.execute("SELECT sha256 FROM dump_files").fetchall()
    assert now != was and log and log[0][0] == second.name and "--replace" in log[0][2]
    assert sha == [(sha256(second),)]
    # hourly: an hour of a complete day cannot be replaced alone
    day = date(2024, 3, 1)
    hours = [write_hourly(tmp_path / "a", day, h, TITLES, seed=1, filler=5) for h in range(24)]
    run_cli("ingest", *map(str, hours), db=path, check=True)
    other = write_hourly(tmp_path / "b", day, 5, TITLES, seed=9, filler=5)
    alone = run_cli("ingest", "--replace", str(other), db=path)
    assert alone.returncode == 1 and "24 fichiers" in alone.stderr
    whole = run_cli("ingest", "--replace", *map(str, [*hours[:5], other, *hours[6:]]), db=path)
    assert whole.returncode == 0, whole.stderr
    with Store(path, read_only=True) as store:
        in_day = store.con.execute(
            "SELECT sum(views) FROM pageviews p JOIN articles a USING (article_id) WHERE a.title = 'Carrouges' "
            "AND p.date = ?", [day]).fetchall()[0][0]  # fmt: skip
    expected = 0
    for f in [*hours[:5], other, *hours[6:]]:
        for line in gzip.decompress(f.read_bytes()).decode().splitlines():
            d, t, v, _ = line.split(" ")
            expected += int(v) if d in ("fr", "fr.m") and t == "Carrouges" else 0
    assert in_day == expected


CAMPAIGN = ["campaign", "add", "--commune", "{code}", "--name", "x", "--start", "2024-01-01", "--end", "2024-01-05",
            "--cost"]  # fmt: skip


@pytest.mark.parametrize(
    ("args", "env", "needle"),
    [
        (["rank", "--limit", "99999999999999999999"], {}, "limit"),
        (["spikes", "--csv", "{dir}"], {}, "n'est pas un fichier"),
        ([*CAMPAIGN, "nan"], {}, "Coût"),
        ([*CAMPAIGN, "inf"], {}, "Coût"),
        (["annotate", "{code}", "--date", "0001-01-01", "--text", "x"], {}, "Date hors de portée"),
        (["campaign", "remove", "99999999999999999999"], {}, "campaign_id"),
        (["info"], {"BELVEDERE_MAX_TRIES": "abc"}, "BELVEDERE_MAX_TRIES"),
        (["info"], {"BELVEDERE_BACKOFF_BASE": "nan"}, "BELVEDERE_BACKOFF_BASE"),
    ],
)
def test_bad_input_is_one_line_never_a_traceback(args: list[str], env: dict[str, str], needle: str,
                                                 demo_copy: Path, tmp_path: Path) -> None:  # fmt: skip
    with Store(demo_copy, read_only=True) as store:
        code = store.con.execute("SELECT min(commune_code) FROM articles").fetchall()[0][0]
        before = {t: store.con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0]
                  for t in ("annotations", "campaigns", "pageviews")}  # fmt: skip
    out = run_cli(*[a.format(dir=tmp_path, code=code) for a in args], db=demo_copy, env=env)
    assert out.returncode != 0 and "Traceback" not in out.stderr, out.stderr
    assert needle.lower() in out.stderr.lower(), out.stderr
    with Store(demo_copy, read_only=True) as store:
        after = {t: store.con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0] for t in before}
    assert after == before


def test_a_reading_command_never_changes_the_schema(tmp_path: Path) -> None:
    """An older store: `info` says to run `init` and leaves it as it is; `init` upgrades it."""
    from belvedere.store.schema import MIGRATIONS, SCHEMA_VERSION

    path = tmp_path / "old.duckdb"
    with Store(path, migrate=False) as store:  # a store written by the version before this one
        store.con.execute("CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied_at TIMESTAMP)")
        for version, migration in enumerate(MIGRATIONS[:-1], start=1):
            store.con.execute(migration)
            store.con.execute("INSERT INTO schema_version VALUES (?, now())", [version])
        assert store.version() == SCHEMA_VERSION - 1
    before = path.read_bytes()
    out = run_cli("info", "--format", "json", db=path)
    assert out.returncode == 1 and "belvedere init" in out.stderr and out.stdout == ""
    assert path.read_bytes() == before
    run_cli("init", db=path, check=True)
    info = json.loads(run_cli("info", "--format", "json", db=path, check=True).stdout)
    assert info["schema_version"] == SCHEMA_VERSION and info["communes"] == 34969
