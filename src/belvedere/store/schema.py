"""The store's schema as an ordered list of migrations.

Migration N brings a store from version N-1 to N. Never edit a released migration: add one.
"""

from __future__ import annotations

MIGRATIONS: list[str] = [
    # 1 — territory reference, PVD, articles, pageviews, ingest log, events, campaigns, indicators.
    """
    CREATE TABLE metadata (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL);

    CREATE TABLE regions (code VARCHAR PRIMARY KEY, name VARCHAR NOT NULL, zone VARCHAR NOT NULL);
    CREATE TABLE departements (
        code VARCHAR PRIMARY KEY, name VARCHAR NOT NULL, region VARCHAR NOT NULL, zone VARCHAR NOT NULL
    );
    CREATE TABLE epci (code VARCHAR PRIMARY KEY, name VARCHAR NOT NULL, kind VARCHAR, population INTEGER);
    CREATE TABLE communes (
        code VARCHAR PRIMARY KEY,
        name VARCHAR NOT NULL,
        departement VARCHAR NOT NULL,
        region VARCHAR NOT NULL,
        epci VARCHAR,
        population INTEGER,
        zone VARCHAR NOT NULL,           -- metro | drom | com
        size_class VARCHAR,
        lat DOUBLE,
        lon DOUBLE,
        point_source VARCHAR,            -- mairie | centroide | commune_deleguee
        is_commune_nouvelle BOOLEAN NOT NULL DEFAULT FALSE,
        merged_count INTEGER NOT NULL DEFAULT 0,
        search_key VARCHAR NOT NULL      -- accent/case-folded name, "st" expanded to "saint"
    );
    -- A former or delegated code and the current commune it belongs to.
    CREATE TABLE commune_history (
        old_code VARCHAR NOT NULL,
        old_name VARCHAR,
        kind VARCHAR NOT NULL,           -- deleguee | associee | ancien_code
        current_code VARCHAR NOT NULL,
        PRIMARY KEY (old_code, kind, current_code)
    );

    CREATE TABLE pvd (
        code VARCHAR PRIMARY KEY,        -- current INSEE code
        source_code VARCHAR NOT NULL,    -- code as written in the source list
        source_name VARCHAR,
        source_id VARCHAR,
        mapped_by VARCHAR NOT NULL,      -- identique | deleguee | associee | ancien_code
        source VARCHAR NOT NULL,
        source_date VARCHAR,
        loaded_at TIMESTAMP NOT NULL
    );
    CREATE TABLE pvd_rejects (
        source_code VARCHAR, source_name VARCHAR, reason VARCHAR NOT NULL, source VARCHAR NOT NULL
    );

    CREATE SEQUENCE article_id_seq START 1;
    -- One row per wiki title: the commune's article and each of its redirects.
    CREATE TABLE articles (
        article_id INTEGER PRIMARY KEY DEFAULT nextval('article_id_seq'),
        project VARCHAR NOT NULL,
        title VARCHAR NOT NULL,          -- as Wikimedia writes it: spaces as underscores
        commune_code VARCHAR NOT NULL,
        qid VARCHAR,
        page_id BIGINT,
        redirect_of INTEGER,             -- article_id of the target when this title is a redirect
        verified BOOLEAN NOT NULL DEFAULT FALSE,
        source VARCHAR NOT NULL,         -- wikidata | mediawiki | guess | simulated
        UNIQUE (project, title)
    );

    CREATE TYPE access_t AS ENUM ('desktop', 'mobile-web', 'mobile-app');
    CREATE TYPE agent_t AS ENUM ('user', 'automated', 'spider');
    -- Dense: a row for every covered day, zeros included. A missing row means "not fetched".
    CREATE TABLE pageviews (
        article_id INTEGER NOT NULL,
        date DATE NOT NULL,
        access access_t NOT NULL,
        agent agent_t NOT NULL,
        views INTEGER NOT NULL
    );

    CREATE SEQUENCE ingest_id_seq START 1;
    CREATE TABLE ingest_log (
        ingest_id BIGINT PRIMARY KEY DEFAULT nextval('ingest_id_seq'),
        source VARCHAR NOT NULL,         -- rest_api | dump | simulated | pvd | reference
        origin VARCHAR,                  -- URL, file name or generator parameters
        project VARCHAR,
        article_id INTEGER,
        access VARCHAR,
        agent VARCHAR,
        start_date DATE,
        end_date DATE,
        status VARCHAR NOT NULL,         -- ok | empty | failed
        rows BIGINT,
        detail VARCHAR,
        fetched_at TIMESTAMP NOT NULL
    );

    CREATE SEQUENCE event_id_seq START 1;
    CREATE TABLE events (
        event_id BIGINT PRIMARY KEY DEFAULT nextval('event_id_seq'),
        kind VARCHAR NOT NULL,           -- spike | shared | level_shift
        commune_code VARCHAR,
        start_date DATE NOT NULL,
        peak_date DATE,
        end_date DATE,
        peak_views DOUBLE,
        excess_views DOUBLE,
        shared_event_id BIGINT,
        suspected_bot BOOLEAN DEFAULT FALSE,
        detected_at TIMESTAMP
    );
    CREATE SEQUENCE annotation_id_seq START 1;
    CREATE TABLE annotations (
        annotation_id BIGINT PRIMARY KEY DEFAULT nextval('annotation_id_seq'),
        target_kind VARCHAR NOT NULL,    -- spike | shared | commune
        commune_code VARCHAR,
        target_date DATE,
        event_id BIGINT,
        text VARCHAR NOT NULL,
        url VARCHAR,
        category VARCHAR,                -- tv | film | presse | sport | campagne | autre
        created_at TIMESTAMP NOT NULL
    );

    CREATE SEQUENCE campaign_id_seq START 1;
    CREATE TABLE campaigns (
        campaign_id BIGINT PRIMARY KEY DEFAULT nextval('campaign_id_seq'),
        name VARCHAR NOT NULL,
        channel VARCHAR,
        start_date DATE NOT NULL,
        end_date DATE NOT NULL,
        cost DOUBLE,
        notes VARCHAR,
        created_at TIMESTAMP NOT NULL
    );
    CREATE TABLE campaign_communes (
        campaign_id BIGINT NOT NULL, commune_code VARCHAR NOT NULL, PRIMARY KEY (campaign_id, commune_code)
    );

    -- Resident-attachment and other indicators imported next to audience.
    CREATE TABLE indicators (
        commune_code VARCHAR NOT NULL,
        indicator VARCHAR NOT NULL,
        period VARCHAR NOT NULL,
        value DOUBLE,
        source VARCHAR,
        PRIMARY KEY (commune_code, indicator, period)
    );

    -- What the simulator planted, so analysis can be scored against it.
    CREATE TABLE sim_profiles (
        commune_code VARCHAR PRIMARY KEY,
        profile VARCHAR NOT NULL,        -- coast | mountain | plain
        base_level DOUBLE NOT NULL,      -- expected user views/day before seasonality
        trend_per_year DOUBLE NOT NULL,
        mobile_share DOUBLE NOT NULL
    );
    CREATE TABLE sim_spikes (
        commune_code VARCHAR NOT NULL,
        start_date DATE NOT NULL,
        peak_date DATE NOT NULL,
        end_date DATE NOT NULL,
        peak_ratio DOUBLE NOT NULL,      -- multiplier over baseline at the peak
        expected_excess DOUBLE NOT NULL, -- expected extra user views over the spike
        shared_event INTEGER             -- id of the shared event, NULL when alone
    );
    CREATE TABLE sim_bots (
        commune_code VARCHAR NOT NULL,
        date DATE NOT NULL,
        automated_views INTEGER NOT NULL,
        leaked_user_views INTEGER NOT NULL -- bot views misclassified as desktop "user"
    );
    """,
    # 2 — frwiki-wide daily totals (aggregate endpoint), for normalisation.
    """
    CREATE TABLE project_totals (
        project VARCHAR NOT NULL,
        date DATE NOT NULL,
        access access_t NOT NULL,
        agent agent_t NOT NULL,
        views BIGINT NOT NULL,
        PRIMARY KEY (project, date, access, agent)
    );
    """,
    # 3 — the simulator also records which towns it made media-heavy (truth for the typology score).
    """
    ALTER TABLE sim_profiles ADD COLUMN media_heavy BOOLEAN DEFAULT FALSE;
    """,
    # 4 — campaigns planted by the simulator, with their true effect (truth for the impact score).
    """
    CREATE TABLE sim_campaigns (
        campaign_id BIGINT NOT NULL,
        commune_code VARCHAR NOT NULL,
        start_date DATE NOT NULL,
        end_date DATE NOT NULL,
        uplift DOUBLE NOT NULL,          -- multiplier - 1 on expected user views during the campaign
        PRIMARY KEY (campaign_id, commune_code)
    );
    """,
    # 5 — hours read from Wikimedia dump files, kept until their day is complete (24 hours) and
    # settled into pageviews: a day with some hours missing is not shown as covered.
    """
    CREATE TABLE dump_hours (
        article_id INTEGER NOT NULL,
        date DATE NOT NULL,
        hour TINYINT NOT NULL,
        access access_t NOT NULL,
        views INTEGER NOT NULL
    );
    CREATE TABLE dump_files (
        name VARCHAR PRIMARY KEY,        -- file name (the hour comes from it)
        sha256 VARCHAR NOT NULL,
        size BIGINT NOT NULL,
        date DATE NOT NULL,
        hour TINYINT NOT NULL,
        lines BIGINT NOT NULL,           -- lines of the project kept
        ingested_at TIMESTAMP NOT NULL
    );
    """,
    # 6 — `ingest --all-articles`: every page of the project seen in the dumps, communes or not.
    # Kept apart from articles/pageviews so that the analysis, which reads only those, ignores them.
    """
    CREATE SEQUENCE project_page_seq START 1;
    CREATE TABLE project_pages (
        page_key INTEGER PRIMARY KEY DEFAULT nextval('project_page_seq'),
        project VARCHAR NOT NULL,
        title VARCHAR NOT NULL,          -- as matched: percent-escapes decoded, spaces as underscores
        UNIQUE (project, title)
    );
    CREATE TABLE project_views (
        page_key INTEGER NOT NULL,
        date DATE NOT NULL,
        hour TINYINT NOT NULL,           -- 0..23 from an hourly file; 24 the whole day
        access access_t NOT NULL,
        agent agent_t NOT NULL,
        views BIGINT NOT NULL            -- only pages with views: no zero rows
    );
    """,
    # 7 — what each dump file left in project_pages/project_views, so that views of titles added
    # later (articles resolve: a corrected title, a redirect) are recovered without reading it again:
    # 'all' (--all-articles), 'communes' (every title that may name a commune: its base before
    # " (…)" is a commune's current or former name), 'articles' (the store's articles only: files
    # ingested before this version).
    """
    ALTER TABLE dump_files ADD COLUMN kept VARCHAR DEFAULT 'articles';
    """,
    # 8 — tables never written: spikes and shared events are national figures (belvedere.figures),
    # and the residents' indicators will come with their own sources and vintages.
    """
    DROP TABLE events;
    DROP SEQUENCE event_id_seq;
    DROP TABLE indicators;
    """,
    # 9 — the postal codes of each commune (the search finds a commune by its postal code)
    """
    CREATE TABLE postal_codes (
        postal_code VARCHAR NOT NULL,
        code VARCHAR NOT NULL,           -- the current commune's INSEE code
        PRIMARY KEY (postal_code, code)
    );
    """,
    # 10 — an imported national snapshot (belvedere.snapshot): monthly audience of every commune,
    # its articles and populations, and its provenance; replaced whole by the next import
    """
    CREATE TABLE snapshot_monthly (
        code VARCHAR NOT NULL,
        month DATE NOT NULL,
        access VARCHAR NOT NULL,
        agent VARCHAR NOT NULL,
        views BIGINT NOT NULL,
        days INTEGER NOT NULL
    );
    CREATE TABLE snapshot_articles (code VARCHAR NOT NULL, title VARCHAR NOT NULL, page_id BIGINT);
    CREATE TABLE snapshot_communes (code VARCHAR PRIMARY KEY, population INTEGER);
    CREATE TABLE snapshot_info (key VARCHAR PRIMARY KEY, value VARCHAR);
    """,
    # 11 — what an article is like (MediaWiki Action API, `belvedere articles facts`): the content
    # facts the scorecard and the advice read, each article's replaced whole at every read
    """
    CREATE TABLE article_facts (
        article_id INTEGER PRIMARY KEY,
        read_at TIMESTAMP NOT NULL,      -- when the API was asked (UTC)
        length INTEGER,                  -- bytes of wikitext
        lead_image VARCHAR,              -- the page image (a file name), NULL when none
        images INTEGER,                  -- files the page shows
        refs INTEGER,                    -- <ref> tags in the wikitext
        sections INTEGER,                -- headings (== ... ==)
        quality VARCHAR,                 -- 'AdQ' (featured article), 'BA' (good article) or NULL
        languages INTEGER,               -- other language editions (langlinks)
        last_edit TIMESTAMP              -- the latest revision (UTC)
    );
    """,
    # 12 — what the commune's Wikidata item declares (SPARQL) and the files of its Commons category
    # (`belvedere articles facts`): the animation and content indicators of the scorecard
    """
    CREATE TABLE item_facts (
        code VARCHAR PRIMARY KEY,        -- the commune
        qid VARCHAR NOT NULL,
        read_at TIMESTAMP NOT NULL,
        website VARCHAR,                 -- P856
        image VARCHAR,                   -- P18 (a Commons file name)
        coat_of_arms VARCHAR,            -- P94
        flag VARCHAR,                    -- P41
        commons_category VARCHAR,        -- P373
        commons_files INTEGER,           -- files in that category (Commons API), NULL without one
        social VARCHAR NOT NULL,         -- networks with an account declared: "facebook,instagram", or ""
        sitelinks INTEGER                -- Wikimedia projects with a page on it
    );
    """,
    # 13 — INSEE's tourist accommodation capacity by commune (`belvedere tourism load`): the
    # attractiveness indicators of the scorecard; replaced whole by each load
    """
    CREATE TABLE tourism (
        code VARCHAR PRIMARY KEY,
        vintage INTEGER NOT NULL,        -- the year of the figures (HT25: 2025)
        hotels INTEGER, rooms INTEGER, campsites INTEGER, pitches INTEGER,
        village_beds INTEGER, residence_beds INTEGER, hostel_beds INTEGER,
        source VARCHAR NOT NULL,         -- the file or URL, or 'simulated'
        loaded_at TIMESTAMP NOT NULL
    );
    """,
    # 14 — where the readers of the communes' articles came from (Wikimedia clickstream, monthly):
    # the rows whose target is a commune's article or redirect, and the files read (as dump_files)
    """
    CREATE TABLE clickstream (
        month DATE NOT NULL,             -- first day of the month
        article_id INTEGER NOT NULL,     -- the article read (a commune's, or one of its redirects)
        prev VARCHAR NOT NULL,           -- the referring article, or other-search, other-external...
        type VARCHAR NOT NULL,           -- link | external | other
        n INTEGER NOT NULL               -- readers that month (pairs seen more than 10 times only)
    );
    CREATE TABLE clickstream_files (
        name VARCHAR PRIMARY KEY,
        sha256 VARCHAR NOT NULL,
        month DATE NOT NULL,
        lines BIGINT NOT NULL,           -- lines of the whole file
        kept BIGINT NOT NULL,            -- rows kept (targets that are communes' articles)
        ingested_at TIMESTAMP NOT NULL
    );
    """,
    # 15 — the simulator plants the article behind each spike (its clickstream names it), so that
    # the causes and shared events found can be scored against it
    """
    ALTER TABLE sim_spikes ADD COLUMN cause VARCHAR;  -- the referring article, NULL for a search surge
    """,
    # 16 — the residents' survey a town runs itself (issue #20): no personal data, one answer per
    # device (a keyed hash of a random cookie, different for each survey), free texts shown once the
    # team approved them, answers deleted after the survey's retention period
    """
    CREATE TABLE surveys (
        survey_id VARCHAR PRIMARY KEY,   -- random and unguessable: the public link
        commune_code VARCHAR NOT NULL,
        title VARCHAR NOT NULL,
        created_at TIMESTAMP NOT NULL,
        retention_days INTEGER NOT NULL  -- answers older than that are deleted
    );
    CREATE SEQUENCE survey_answer_seq START 1;
    CREATE TABLE survey_answers (
        answer_id BIGINT PRIMARY KEY DEFAULT nextval('survey_answer_seq'),
        survey_id VARCHAR NOT NULL,
        device VARCHAR NOT NULL,         -- keyed hash of the device's cookie: one answer per device
        answered_on DATE NOT NULL,       -- the day only
        attachment SMALLINT NOT NULL,    -- 0-10: how attached to the town
        recommend SMALLINT NOT NULL,     -- 0-10: would recommend the town to a friend
        proud VARCHAR,                   -- free text: what they are proud of
        missing VARCHAR,                 -- free text: what is missing
        texts VARCHAR NOT NULL,          -- none | pending | approved | rejected
        age_band VARCHAR,                -- optional
        years_band VARCHAR,              -- optional: years lived in the town
        UNIQUE (survey_id, device)
    );
    """,
    # 17 — residents' attachment from official open data (`belvedere attachment load`): one row per
    # commune, indicator and period, with its unit and the file it came from
    """
    CREATE TABLE attachment (
        code VARCHAR NOT NULL,
        indicator VARCHAR NOT NULL,      -- population | natural | migration | turnout | associations | ...
        period VARCHAR NOT NULL,         -- what the value covers: "2015-2021", "présidentielle 2022 T1"...
        year INTEGER NOT NULL,           -- the year it speaks of (its end): the latest, and the trend
        value DOUBLE NOT NULL,
        unit VARCHAR NOT NULL,           -- "% par an", "% des inscrits", "pour 1 000 habitants"
        source VARCHAR NOT NULL,         -- the file or URL, or 'simulated'
        loaded_at TIMESTAMP NOT NULL
    );
    """,
    # 18 — attention from abroad (issue #19): the commune's articles in other language editions of
    # Wikipedia (its Wikidata item's sitelinks) and their monthly audience, kept apart from
    # articles/pageviews so that every French figure stays frwiki's own
    """
    CREATE TABLE foreign_articles (
        project VARCHAR NOT NULL,        -- "de.wikipedia"
        title VARCHAR NOT NULL,          -- as Wikimedia writes it: spaces as underscores
        code VARCHAR NOT NULL,           -- the commune
        qid VARCHAR,
        source VARCHAR NOT NULL,         -- wikidata | simulated
        added_at TIMESTAMP NOT NULL,     -- first seen: dump hours read before it did not look for it
        PRIMARY KEY (project, title)
    );
    CREATE TABLE foreign_views (
        project VARCHAR NOT NULL,
        title VARCHAR NOT NULL,
        month DATE NOT NULL,             -- first day of the month
        views BIGINT NOT NULL,           -- user views, every access
        source VARCHAR NOT NULL,         -- rest_api (whole months) | dump (hours added up) | simulated
        PRIMARY KEY (project, title, month, source)
    );
    -- an hourly dump file read while foreign articles were known also kept their lines
    ALTER TABLE dump_files ADD COLUMN foreign_lines BOOLEAN DEFAULT FALSE;
    -- what the simulator planted: the expected foreign share of a town's readers, its first language
    ALTER TABLE sim_profiles ADD COLUMN foreign_share DOUBLE;
    ALTER TABLE sim_profiles ADD COLUMN foreign_top VARCHAR;
    """,
    # 19 — the scorecard's official lists (issue #18), each kept with its source and vintage: the loi
    # Littoral and loi Montagne communes (`belvedere zones load`), ARCEP's fixed broadband per commune
    # (`belvedere access load`) and the labels that drive visits (`belvedere labels load`)
    """
    CREATE TABLE zones (
        code VARCHAR NOT NULL,
        zone VARCHAR NOT NULL,           -- littoral | montagne
        class VARCHAR,                   -- Mer | Lac | Estuaire (littoral); the part classed (montagne)
        vintage VARCHAR NOT NULL,        -- the list's year ("2022")
        source VARCHAR NOT NULL,         -- the file or URL, or 'simulated'
        loaded_at TIMESTAMP NOT NULL,
        PRIMARY KEY (code, zone)
    );
    CREATE TABLE access (
        code VARCHAR NOT NULL,
        indicator VARCHAR NOT NULL,      -- ftth (premises eligible to fibre) | thd30 (wired, 30 Mbit/s or more)
        premises BIGINT NOT NULL,        -- premises of the commune (dwellings and business premises)
        eligible BIGINT NOT NULL,
        as_of DATE NOT NULL,             -- the quarter's end the file speaks of
        source VARCHAR NOT NULL,
        loaded_at TIMESTAMP NOT NULL,
        PRIMARY KEY (code, indicator)
    );
    -- an article's age and its last 12 months of edits (`articles facts --history`: two queries each)
    ALTER TABLE article_facts ADD COLUMN created TIMESTAMP;
    ALTER TABLE article_facts ADD COLUMN edits_12m INTEGER;
    ALTER TABLE article_facts ADD COLUMN editors_12m INTEGER;
    CREATE TABLE labels (
        code VARCHAR NOT NULL,
        label VARCHAR NOT NULL,          -- plus-beaux-villages | petites-cites-de-caractere | ...
        detail VARCHAR,                  -- what the list adds: the flowers of a Ville fleurie...
        as_of VARCHAR NOT NULL,          -- the list's date or year
        source VARCHAR NOT NULL,
        loaded_at TIMESTAMP NOT NULL,
        PRIMARY KEY (code, label)
    );
    """,
    # 20 — the rest of the scorecard's access dimension (issue #18): mobile operators with an
    # antenna on the commune (ARCEP's sites file) and places of help with digital use (the national
    # map of digital mediation), both as counts per commune; and the languages an item is named in
    """
    CREATE TABLE access_counts (
        code VARCHAR NOT NULL,
        indicator VARCHAR NOT NULL,      -- op4g | op5g (operators with a 4G / 5G site on the commune) |
                                         -- mediation (places of digital mediation) | france_services
        value INTEGER NOT NULL,          -- 0 for a commune of a département the file covers, not in it
        as_of DATE NOT NULL,             -- the quarter's end (sites), the latest update (places)
        source VARCHAR NOT NULL,
        loaded_at TIMESTAMP NOT NULL,
        PRIMARY KEY (code, indicator)
    );
    ALTER TABLE item_facts ADD COLUMN label_languages INTEGER;  -- languages its label is written in
    """,
    # 21 — a commune page reads its foreign articles' months by title: an index instead of a scan
    # of every foreign month (4.6 million rows for all communes x 3 years: 8 ms -> 2 ms a page)
    """
    CREATE INDEX foreign_views_title ON foreign_views (title);
    """,
]

SCHEMA_VERSION = len(MIGRATIONS)

# the values of the access_t and agent_t enums, in their order (the panel and the fetch use the codes)
ACCESSES = ("desktop", "mobile-web", "mobile-app")
AGENTS = ("user", "automated", "spider")
