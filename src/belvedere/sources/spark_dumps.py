"""The hourly-dump job on Spark: the same parsing and aggregation as the DuckDB path, for a
cluster (``--spark-master``) or local mode, writing Parquet that the store then loads.

Lines are split on spaces, the project's domains kept (``fr`` desktop, ``fr.m`` mobile web),
titles URL-decoded once with spaces as underscores (dumps.TITLE), views summed per file, title
and access, then joined to the store's titles (broadcast). The store writes each file's result in its own
transaction, exactly as for DuckDB, so the two engines give the same rows (tested).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from belvedere import messages as M
from belvedere.errors import BelvedereError
from belvedere.sources.dumps import MAX_HOURLY_VIEWS, check_counts

# The DuckDB path's title rule (dumps.TITLE) in Spark SQL: decoded once when valid, '+' kept. Java's
# decoder puts U+FFFD where the bytes are not UTF-8 instead of failing: such a title stays as written.
_DECODED = "replace(try_url_decode(replace({t}, '+', '%2B')), ' ', '_')"
SPARK_TITLE = (
    f"CASE WHEN NOT contains({{t}}, '%') THEN {{t}} "
    f"WHEN {_DECODED} IS NULL OR contains({_DECODED}, '\ufffd') AND NOT contains({{t}}, '\ufffd') THEN {{t}} "
    f"ELSE {_DECODED} END"
)


def run(files: list[Path], titles: pa.Table, names: pa.Table, desktop: str, mobile: str, master: str = "local[*]",
        all_articles: bool = False, limit: int = MAX_HOURLY_VIEWS) -> dict[str, tuple[pa.Table, pa.Table]]:  # fmt: skip
    """{file name: (table(article_id, access, views), table(title, access, views))} for the files,
    computed by Spark; the second table holds every page of the project when ``all_articles``, else
    the titles that may name a commune (``names``: see dumps.BASE) and are not articles.
    ``titles`` has article_id and title (the store's articles of the project). A file that fails the
    checks of the DuckDB path (no project line, negative or impossible counts, too many malformed
    lines) is refused by name before anything is written."""
    try:
        from pyspark.sql import SparkSession
        from pyspark.sql import functions as F
    except ImportError:
        raise BelvedereError(M.t("spark_missing")) from None
    spark = (
        SparkSession.builder.master(master).appName("belvedere-ingest")
        .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "8")
        .getOrCreate()
    )  # fmt: skip
    spark.sparkContext.setLogLevel("ERROR")
    try:
        with tempfile.TemporaryDirectory() as tmp:
            known = spark.createDataFrame(titles.to_pylist(), "article_id INT, title STRING")
            parts = F.split(F.col("value"), " ")
            lines = (
                spark.read.text([str(f) for f in files])
                .select(
                    F.element_at(F.split(F.input_file_name(), "/"), -1).alias("file"),
                    parts[0].alias("domain"),
                    F.expr(SPARK_TITLE.format(t="split(value, ' ')[1]")).alias("title"),
                    parts[2].cast("long").alias("views"),
                    (F.size(parts) == 4).alias("well_formed"),
                )
                .where(F.col("domain").isin(desktop, mobile))
                .persist()
            )
            # the same file checks as the DuckDB path (dumps.check_counts), per file
            try:
                stats = {
                    r["file"]: r.asDict()
                    for r in lines.groupBy("file").agg(
                        F.count(F.lit(1)).alias("lines"),
                        F.sum((~F.col("well_formed") | F.col("views").isNull()).cast("long")).alias("malformed"),
                        F.sum((F.col("views") < 0).cast("long")).alias("negative"),
                        F.sum((F.col("views") > limit).cast("long")).alias("too_large"),
                    ).collect()
                }  # fmt: skip
            except Exception as exc:  # a truncated gzip fails the job: say which file
                raise BelvedereError(_culprit(spark, files, exc)) from None
            for f in files:
                got = stats.get(f.name, {})
                check_counts(f.name, lines=got.get("lines") or 0, malformed=got.get("malformed") or 0,
                             negative=got.get("negative") or 0, too_large=got.get("too_large") or 0,
                             limit=limit)  # fmt: skip
            lines = lines.where(F.col("well_formed") & F.col("views").isNotNull())
            every = (
                lines
                .select("file", "title", F.when(F.col("domain") == desktop, "desktop").otherwise("mobile-web")
                        .alias("access"), "views")
                .groupBy("file", "title", "access").agg(F.sum("views").alias("views"))
            )  # fmt: skip
            every = every.persist()
            result = every.join(F.broadcast(known), "title").select("file", "article_id", "access", "views")
            if not all_articles:  # the titles that may name a commune (dumps.BASE), the articles left out
                bases = spark.createDataFrame(names.to_pylist(), "name STRING")
                base = F.split(F.col("title"), "_\\(").getItem(0)
                every = every.join(F.broadcast(bases), base == F.col("name"), "left_semi").join(
                    F.broadcast(known.select("title")), "title", "left_anti"
                )
            out = Path(tmp) / "out.parquet"
            try:
                result.write.parquet(str(out))
                every.write.parquet(str(Path(tmp) / "every.parquet"))
            except Exception as exc:  # a truncated gzip fails the job: say which file
                raise BelvedereError(_culprit(spark, files, exc)) from None
            table = pq.read_table(out)
            pages = pq.read_table(Path(tmp) / "every.parquet")
    finally:
        spark.stop()

    def of(t: pa.Table, f: Path, columns: list[str]) -> pa.Table:
        return t.filter(pc.equal(t["file"], f.name)).select(columns)

    return {
        f.name: (of(table, f, ["article_id", "access", "views"]),
                 of(pages, f, ["title", "access", "views"]))
        for f in files
    }  # fmt: skip


def _culprit(spark: object, files: list[Path], exc: Exception) -> str:
    for f in files:
        try:
            spark.read.text(str(f)).count()  # type: ignore[attr-defined]
        except Exception:
            return M.t("dump_corrupt", name=f.name, err="Spark")
    return M.t("spark_failed", err=str(exc).splitlines()[0][:300])
