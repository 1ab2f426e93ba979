"""HTML from templates, and PDF from that same HTML through headless Chromium.

Why Chromium: it prints exactly the HTML the web dashboard shows (one rendering engine for both),
with A4 pages and page numbers; Debian's ``chromium`` is driven through Playwright's Python
package without downloading any browser.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, Environment, PackageLoader, StrictUndefined, select_autoescape

from belvedere import messages as M
from belvedere import present
from belvedere.errors import BelvedereError

CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str:
    return os.environ.get("BELVEDERE_CHROMIUM", "/usr/bin/chromium")


def environment(*packages: str) -> Environment:
    """Templates of the given packages (default: the reports'), searched in that order, with the
    French number filters and texts."""
    loaders = [PackageLoader(p, "templates") for p in (packages or ("belvedere.report",))]
    env = Environment(
        loader=ChoiceLoader(loaders),
        autoescape=select_autoescape(["html", "j2"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,  # package files: no need to look at their dates on every render
    )
    env.filters["n"] = lambda v, d=0: M.fr_number(v, d)
    env.filters["pct"] = lambda v, d=0: M.fr_percent(v, d)
    env.globals["t"] = M.t
    env.globals["fr_date"] = M.fr_date
    env.globals["n_communes"] = M.n_communes
    env.globals["words"] = present  # a commune's figures in words, shared by the pages and the reports
    env.globals["source_label"] = lambda s: M.FR.get(f"source_{s}", s)
    return env


def render_html(template: str, context: dict[str, Any]) -> str:
    return environment().get_template(template).render(**context)


def check_output(out: Path) -> None:
    """Refuse a bad output before any work: only .html and .pdf are written."""
    if Path(out).suffix.lower() not in (".html", ".htm", ".pdf"):
        raise BelvedereError(M.t("report_bad_suffix", path=out))
    if Path(out).suffix.lower() == ".pdf" and not Path(chromium_path()).exists():
        raise BelvedereError(M.t("chromium_missing", path=chromium_path()))


def write_report(html: str, out: Path, title: str) -> Path:
    """Write ``html`` to ``out``: as is for .html, printed by Chromium for .pdf."""
    out = Path(out)
    check_output(out)
    suffix = out.suffix.lower()
    out.parent.mkdir(parents=True, exist_ok=True)
    if suffix != ".pdf":
        out.write_text(html, encoding="utf-8")
        return out
    html_to_pdf(html, out, title)
    return out


def html_to_pdf(html: str, out: Path, title: str) -> None:
    """A4, backgrounds printed, page numbers in the footer; a report of simulated data (its banner
    says so) carries the mark at the top of every page, not only the first."""
    exe = chromium_path()
    if not Path(exe).exists():
        raise BelvedereError(M.t("chromium_missing", path=exe))
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    footer = (
        '<div style="font-size:8px;color:#6b7280;width:100%;padding:0 12mm;display:flex;'
        'justify-content:space-between"><span>' + _escape(title) + "</span><span>"
        '<span class="pageNumber"></span> / <span class="totalPages"></span></span></div>'
    )
    header = "<span></span>"
    if 'data-simulated="true"' in html:
        header = ('<div style="font-size:8px;font-weight:bold;color:#92400e;width:100%;text-align:center">'
                  + _escape(M.t("simulated_label")) + "</div>")  # fmt: skip
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=exe, args=CHROMIUM_FLAGS, headless=True)
            try:
                page = browser.new_page()
                page.set_content(html, wait_until="load")
                page.emulate_media(media="print")
                page.pdf(
                    path=str(out),
                    format="A4",
                    print_background=True,
                    display_header_footer=True,
                    header_template=header,
                    footer_template=footer,
                    margin={"top": "14mm", "bottom": "16mm", "left": "12mm", "right": "12mm"},
                )
            finally:
                browser.close()
    except PlaywrightError as exc:
        raise BelvedereError(M.t("pdf_failed", err=str(exc).splitlines()[0])) from None


def _escape(text: str) -> str:
    from html import escape

    return escape(text)
