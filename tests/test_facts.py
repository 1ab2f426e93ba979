"""What an article is like (MediaWiki Action API): read in batches across `continue` rounds from
the local fake, kept per article, read again only when asked, shown beside the peers' medians,
and turned into advice that quotes the figures."""

from __future__ import annotations

import html
import shutil
from datetime import datetime
from pathlib import Path

import pytest

from belvedere.api import Observatory
from belvedere.report.recommendations import recommend
from belvedere.sources.facts import wikitext_counts
from belvedere.store import Store
from tests.conftest import run_cli
from tests.fakes.wikimedia import LIST_LIMIT, FakeWikimedia
from tests.test_fetch import carrouges_dataset, fake_env

CARROUGES_TEXT = (
    "{{Infobox Commune de France|nom=Carrouges|image=Carrouges château.jpg}}\n"
    "'''Carrouges''' est une commune française<ref>INSEE, 2021.</ref>.\n"
    '== Géographie ==\nLe bourg<ref name="ign">IGN</ref> domine<ref name="ign" /> la forêt.\n'
    "== Histoire ==\n=== Le château ===\nUne maison forte = un château.\n"
    "== Notes et références ==\n<references />\n"
)
STUB_TEXT = "'''L'Haÿ-les-Roses''' est une commune."
COMMUNES = "61074,94038,01015"  # Carrouges (a good article), L'Haÿ-les-Roses (a stub), one without article


def facts_dataset():  # type: ignore[no-untyped-def]
    ds = carrouges_dataset()
    ds.facts = {
        "Carrouges": {"wikitext": CARROUGES_TEXT, "pageimage": "Carrouges_château.jpg",
                      "images": [f"Carrouges {i}.jpg" for i in range(14)],
                      "langlinks": ["en", "de", "es", "it", "nl", "pl", "pt", "ru", "sv", "uk", "vi", "war", "ceb",
                                    "eu", "ca", "ro", "oc", "br", "co", "ms", "uz", "zh", "ja", "ar", "fa", "he"],
                      "categories": ["Catégorie:Bon article"], "timestamp": "2024-05-02T08:30:00Z"},
        "L'Haÿ-les-Roses": {"wikitext": STUB_TEXT, "pageimage": None,
                            "images": [], "langlinks": ["en"], "categories": [], "timestamp": "2019-01-01T00:00:00Z"},
    }  # fmt: skip
    ds.items = {
        "Q475802": {"website": "https://www.carrouges.fr", "image": "Carrouges château.jpg",
                    "commons_category": "Carrouges", "social": ["facebook", "instagram"], "sitelinks": 31,
                    "labels": ["fr", "en", "de", "nl", "br"]},
        "Q213649": {"sitelinks": 40},  # nothing declared but its sitelinks (no label: WDQS counts 0)
    }  # fmt: skip
    ds.commons = {"Carrouges": 212}
    return ds


def test_wikitext_counts_references_and_headings() -> None:
    assert wikitext_counts(CARROUGES_TEXT) == (3, 4)  # <references /> is not a reference; "= un" not a heading
    assert wikitext_counts("") == (0, 0)


@pytest.fixture()
def with_facts(prepared_db: Path, tmp_path: Path) -> tuple[Path, FakeWikimedia]:
    db = tmp_path / "facts.duckdb"
    shutil.copy(prepared_db, db)
    return db, FakeWikimedia(facts_dataset())


def _stored(db: Path) -> dict[str, tuple]:
    with Store(db, read_only=True) as store:
        rows = store.con.execute(
            "SELECT a.title, f.length, f.lead_image, f.images, f.refs, f.sections, f.quality, f.languages, "
            "f.last_edit, f.read_at FROM article_facts f JOIN articles a USING (article_id)"
        ).fetchall()
    return {r[0]: r[1:] for r in rows}


def test_facts_are_read_across_continue_rounds_and_kept(with_facts: tuple[Path, FakeWikimedia]) -> None:
    db, fake = with_facts
    with fake:
        env = fake_env(fake)
        run_cli("articles", "resolve", "--communes", COMMUNES, db=db, env=env, check=True)
        before = len(fake.requests)
        out = run_cli("articles", "facts", "--communes", COMMUNES, "--no-history", db=db, env=env, check=True)
        asked = [r["kind"] for r in fake.requests[before:]]
        said = " ".join(out.stdout.split()) + " ".join(out.stderr.split())
        stored = _stored(db)
        # MediaWiki: 26 language links and 14 files, at most LIST_LIMIT per answer: 3 rounds, plus a first
        # look; Wikidata: a first look and one query for both items; Commons: one query for the category
        assert asked.count("/w/api.php") == 1 + -(-26 // LIST_LIMIT) + 1 and asked.count("/sparql") == 2
        assert "2 articles lus, 0 introuvables sur frwiki, 2 éléments Wikidata lus" in said
        assert "1 commune sans article vérifié" in said
        with Store(db, read_only=True) as store:
            items = {r[0]: r[1:] for r in store.con.execute(
                "SELECT code, qid, website, image, commons_category, commons_files, social, sitelinks, label_languages "
                "FROM item_facts"
            ).fetchall()}  # fmt: skip
        assert items == {"61074": ("Q475802", "https://www.carrouges.fr", "Carrouges château.jpg", "Carrouges", 212,
                                   "instagram,facebook", 31, 5),
                         "94038": ("Q213649", None, None, None, None, "", 40, 0)}  # fmt: skip
        carrouges = stored["Carrouges"]
        assert carrouges[:8] == (len(CARROUGES_TEXT.encode()), "Carrouges_château.jpg", 14, 3, 4, "BA", 26,
                                 datetime(2024, 5, 2, 8, 30))  # fmt: skip
        stub = (len(STUB_TEXT.encode()), None, 0, 0, 0, None, 1, datetime(2019, 1, 1))  # bytes: "ÿ" is two
        assert stored["L'Haÿ-les-Roses"][:8] == stub
        # a second run keeps what was read this month: no request; --refresh reads again, replacing
        again = run_cli("articles", "facts", "--communes", COMMUNES, db=db, env=env, check=True)
        assert "moins de 30 jours" in again.stdout and _stored(db) == stored
        run_cli("articles", "facts", "--communes", COMMUNES, "--refresh", db=db, env=env, check=True)
        refreshed = _stored(db)
        assert len(refreshed) == 2 and refreshed["Carrouges"][:8] == carrouges[:8]
        assert refreshed["Carrouges"][8] > carrouges[8]  # read again: a new date
        # an answer that is not MediaWiki's: one line, nothing changed
        bad = run_cli("articles", "facts", "--communes", COMMUNES, "--refresh", "--mediawiki-api", fake.rest_api,
                      db=db, env=env)  # fmt: skip
    assert bad.returncode == 1 and "Réponse inattendue de l'API MediaWiki" in bad.stderr
    assert "Traceback" not in bad.stderr and _stored(db) == refreshed


def test_the_facts_make_the_advice_and_the_page(with_facts: tuple[Path, FakeWikimedia], tmp_path: Path) -> None:
    db, fake = with_facts
    with fake:
        env = fake_env(fake)
        run_cli("articles", "resolve", "--communes", COMMUNES, db=db, env=env, check=True)
        run_cli("articles", "facts", "--communes", COMMUNES, db=db, env=env, check=True)
        run_cli("fetch", "--communes", COMMUNES, "--start", "2024-01-01", "--end", "2024-01-10", db=db, env=env,
                check=True)  # fmt: skip
    with Observatory.open(db) as obs:
        stub = obs.article_facts("94038")
        good = obs.article_facts("61074")
        unread = obs.article_facts("01015")
        card = obs.profile("94038")
    assert stub is not None and good is not None and unread is None
    assert good["quality"] == "BA" and good["peers"]["communes"] == 0  # no other commune of its size was read
    keys = [r.key for r in recommend(card, facts=stub)]
    assert {"image", "short", "refs", "stale", "social", "website"} <= set(keys)
    assert not {"social", "website"} & {r.key for r in recommend(card, facts=good)}  # Carrouges declares both
    advice = {r.key: r for r in recommend(card, facts=stub)}
    assert f"{len(STUB_TEXT.encode())} octets" in advice["short"].advice and "1er janv. 2019" in advice["stale"].advice
    complete = {**good, "length": 25_000, "read_at": good["last_edit"]}  # long, sourced, illustrated, recent
    assert not {"image", "short", "refs", "stale"} & {r.key for r in recommend(card, facts=complete)}
    # only the item read (the article never): no advice about a text nobody read
    item_only = {**stub, "title": None, "read_at": None, "length": None, "lead_image": None, "refs": None,
                 "last_edit": None}  # fmt: skip
    assert {r.key for r in recommend(card, facts=item_only)} >= {"social", "website"}
    assert not {"image", "short", "refs", "stale"} & {r.key for r in recommend(card, facts=item_only)}
    # beside peers that were read: the median and the share quoted
    peer = {**stub, "peers": {"communes": 8, "length": 9800.0, "refs": 12.0, "lead_image_share": 0.75,
                              "images": 6.0, "sections": 9.0, "languages": 30.0}}  # fmt: skip
    worded = {r.key: r.advice for r in recommend(card, facts=peer)}
    assert "contre 9\u202f800 en médiane" in worded["short"] and "75\u00a0% des 8 communes" in worded["image"]
    report = tmp_path / "r.html"
    run_cli("report", "commune", "94038", "--out", str(report), db=db, check=True)
    page = html.unescape(report.read_text())
    section = page.split('id="article-facts"')[1].split("</section>")[0]
    assert (
        "lu sur l'API MediaWiki de fr.wikipedia le" in section
        and "non" in section
        and f"{len(STUB_TEXT.encode())}\u00a0octets" in section
    )
    assert "Donner une image à l'article" in page and "Déclarer les comptes de la commune" in page
    assert "aucun déclaré" in section  # its item declares no website, no account


def test_the_history_gives_age_edits_and_editors(with_facts: tuple[Path, FakeWikimedia]) -> None:
    from datetime import UTC, timedelta

    from tests.fakes.wikimedia import HISTORY_LIMIT

    db, fake = with_facts
    now = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    # Carrouges: 47 revisions in the last year by 6 users (more than two answers' worth), 8 older ones
    recent = [((now - timedelta(days=3 + 7 * i)).isoformat() + "Z", f"Contributeur {i % 6}") for i in range(47)]
    older = [((now - timedelta(days=400 + 300 * i)).isoformat() + "Z", "Ancien") for i in range(7)]
    first = [("2005-03-14T10:00:00Z", "Créateur")]
    fake.dataset.facts["Carrouges"]["history"] = recent + older + first
    with fake:
        env = fake_env(fake)
        run_cli("articles", "resolve", "--communes", COMMUNES, db=db, env=env, check=True)
        before = len(fake.requests)
        run_cli("articles", "facts", "--communes", COMMUNES, db=db, env=env, check=True)  # 2 articles: read by default
        asked = [r for r in fake.requests[before:] if r["kind"] == "/w/api.php"]
    # a first look and the facts (1 + 3 rounds), Carrouges' last year in ceil(47 / 20) = 3 rounds and its first
    # revision, and for L'Haÿ-les-Roses (one revision, in 2019): 1 round and its first revision
    assert len(asked) == 1 + 4 + -(-47 // HISTORY_LIMIT) + 1 + 2
    with Store(db, read_only=True) as store:
        rows = {r[0]: r[1:] for r in store.con.execute(
            "SELECT a.title, f.created, f.edits_12m, f.editors_12m FROM article_facts f "
            "JOIN articles a USING (article_id)"
        ).fetchall()}  # fmt: skip
    assert rows["Carrouges"] == (datetime(2005, 3, 14, 10, 0), 47, 6)
    assert rows["L'Haÿ-les-Roses"] == (datetime(2019, 1, 1), 0, 0)  # its only edit is older than a year
