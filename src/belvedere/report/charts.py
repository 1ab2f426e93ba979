"""Charts as inline SVG: self-contained, offline, and vector in the PDF.

Why not a plotting library: the report must be one HTML file that works offline and prints
crisply; a few hundred lines of SVG do that with no JavaScript and no fonts to embed. Every
function takes plain data and returns an SVG string (escaped where text comes from data).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date
from html import escape
from typing import Any

from belvedere import messages as M

INK = "#1f2937"
MUTED = "#9ca3af"
ACCENT = "#1d4ed8"
SPIKE = "#dc2626"
PALETTE = ("#1d4ed8", "#60a5fa", "#f59e0b")
MONTHS = M.MONTHS_SHORT


def nice_ticks(top: float, n: int = 4) -> list[float]:
    """Round tick values from 0 to at least ``top``."""
    if top <= 0:
        return [0.0, 1.0]
    raw = top / n
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    return [step * i for i in range(math.ceil(top / step) + 1)]


def _fmt(v: float) -> str:
    return M.fr_number(v, 0 if v >= 10 or v == int(v) else 1)


def _axes(width: int, height: int, left: int, bottom: int, ticks: list[float],
          scale_y: Callable[[float], float]) -> list[str]:  # fmt: skip
    out = []
    for t in ticks:
        y = scale_y(t)
        out.append(f'<line x1="{left}" x2="{width}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e5e7eb" stroke-width="1"/>')
        out.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" fill="{MUTED}">'
                   f"{_fmt(t)}</text>")  # fmt: skip
    out.append(f'<line x1="{left}" x2="{width}" y1="{height - bottom}" y2="{height - bottom}" stroke="{MUTED}"/>')
    return out


def daily_chart(
    dates: list[date],
    values: list[float | None],
    smooth: list[float | None],
    spikes: list[dict[str, Any]] | None = None,
    *,
    width: int = 760,
    height: int = 260,
    label: str = "",
) -> str:
    """Daily views (thin), their 7-day mean (bold) and spikes (red dots with a tooltip).

    ``values`` may hold None for days without data: the line is then broken, not drawn at zero.
    """
    left, right, top, bottom = 48, 8, 10, 28
    n = len(dates)
    if n == 0:
        return ""
    peak = max((v for v in values if v is not None), default=1.0)
    ticks = nice_ticks(peak)
    ymax = ticks[-1] or 1.0

    def sx(i: float) -> float:
        return left + (width - left - right) * (i / max(n - 1, 1))

    def sy(v: float) -> float:
        return top + (height - top - bottom) * (1 - v / ymax)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" role="img" '
             f'aria-label="{escape(label)}" font-family="sans-serif">']  # fmt: skip
    parts += _axes(width - right, height, left, bottom, ticks, sy)
    for series, color, stroke in ((values, "#93c5fd", 1), (smooth, ACCENT, 2)):
        for seg in _segments(series):
            pts = " ".join(f"{sx(i):.1f},{sy(v):.1f}" for i, v in seg)
            parts.append(f'<polyline points="{pts}" fill="none" stroke="{color}" stroke-width="{stroke}"/>')
    # month ticks on the x axis (at most ~12 labels)
    firsts = [i for i, d in enumerate(dates) if d.day == 1]
    every = max(1, math.ceil(len(firsts) / 12))
    for k, i in enumerate(firsts):
        if k % every:
            continue
        d = dates[i]
        text = MONTHS[d.month - 1] + (f" {d.year}" if d.month == 1 or k == 0 else "")
        parts.append(f'<text x="{sx(i):.1f}" y="{height - 8}" font-size="11" fill="{MUTED}" text-anchor="middle">'
                     f"{escape(text)}</text>")  # fmt: skip
    index = {d: i for i, d in enumerate(dates)}
    for s in spikes or []:
        at = index.get(s["peak"])
        if at is None:
            continue
        tip = f"{s['peak']} : {_fmt(s['peak_views'])} vues ({M.fr_number(s['peak_ratio'], 1)} × l'habituel)"
        if s.get("note"):
            tip += f" — {s['note']}"
        parts.append(f'<circle cx="{sx(at):.1f}" cy="{sy(s["peak_views"]):.1f}" r="4" fill="{SPIKE}">'
                     f"<title>{escape(tip)}</title></circle>")  # fmt: skip
    parts.append("</svg>")
    return "".join(parts)


def _segments(series: list[float | None]) -> list[list[tuple[int, float]]]:
    segs: list[list[tuple[int, float]]] = [[]]
    for i, v in enumerate(series):
        if v is None or v != v:
            if segs[-1]:
                segs.append([])
            continue
        segs[-1].append((i, float(v)))
    return [s for s in segs if len(s) > 1]


def bar_chart(labels: list[str], values: list[float | None], *, width: int = 760, height: int = 200,
              highlight: set[int] | None = None, label: str = "") -> str:  # fmt: skip
    """Vertical bars with a label under each (None = no data: an empty, dashed slot)."""
    left, right, top, bottom = 48, 8, 10, 34
    n = len(values)
    if n == 0:
        return ""
    ticks = nice_ticks(max((v for v in values if v is not None), default=1.0))
    ymax = ticks[-1] or 1.0
    slot = (width - left - right) / n

    def sy(v: float) -> float:
        return top + (height - top - bottom) * (1 - v / ymax)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" role="img" '
             f'aria-label="{escape(label)}" font-family="sans-serif">']  # fmt: skip
    parts += _axes(width - right, height, left, bottom, ticks, sy)
    every = max(1, math.ceil(n / 18))
    for i, (lab, v) in enumerate(zip(labels, values, strict=True)):
        x = left + i * slot + slot * 0.15
        w = slot * 0.7
        if v is None:
            parts.append(f'<rect x="{x:.1f}" y="{top}" width="{w:.1f}" height="{height - top - bottom}" fill="none" '
                         f'stroke="{MUTED}" stroke-dasharray="3 3"><title>{escape(lab)} : '
                         f"{escape(M.t('report_no_data'))}</title></rect>")  # fmt: skip
        else:
            color = SPIKE if highlight and i in highlight else ACCENT
            parts.append(f'<rect x="{x:.1f}" y="{sy(v):.1f}" width="{w:.1f}" height="{sy(0) - sy(v):.1f}" '
                         f'fill="{color}"><title>{escape(lab)} : {_fmt(v)}</title></rect>')  # fmt: skip
        if i % every == 0:
            parts.append(f'<text x="{x + w / 2:.1f}" y="{height - 16}" font-size="10" fill="{MUTED}" '
                         f'text-anchor="middle">{escape(lab)}</text>')  # fmt: skip
    parts.append("</svg>")
    return "".join(parts)


def rank_curve(values: list[float], *, width: int = 760, height: int = 220, label: str = "") -> str:
    """Values sorted from the largest to the smallest, on a log scale: the study's "from the top
    to the least viewed" distribution."""
    vals = sorted((v for v in values if v is not None and v > 0), reverse=True)
    if not vals:
        return ""
    left, right, top, bottom = 48, 8, 10, 28
    lo, hi = math.floor(math.log10(vals[-1])), math.ceil(math.log10(vals[0]))
    hi = max(hi, lo + 1)

    def sy(v: float) -> float:
        return top + (height - top - bottom) * (1 - (math.log10(v) - lo) / (hi - lo))

    def sx(i: int) -> float:
        return left + (width - left - right) * i / max(len(vals) - 1, 1)

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" role="img" '
           f'aria-label="{escape(label)}" font-family="sans-serif">']  # fmt: skip
    for e in range(lo, hi + 1):
        y = sy(10.0**e)
        out.append(f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e5e7eb"/>')
        out.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" fill="{MUTED}">'
                   f"{_fmt(10.0**e)}</text>")  # fmt: skip
    step = max(1, len(vals) // 600)
    pts = " ".join(f"{sx(i):.1f},{sy(v):.1f}" for i, v in enumerate(vals) if i % step == 0 or i == len(vals) - 1)
    out.append(f'<polyline points="{pts}" fill="none" stroke="{ACCENT}" stroke-width="2"/>')
    for i in (0, len(vals) // 2, len(vals) - 1):
        out.append(f'<text x="{sx(i):.1f}" y="{height - 8}" font-size="11" fill="{MUTED}" text-anchor="middle">'
                   f"{i + 1}</text>")  # fmt: skip
    out.append("</svg>")
    return "".join(out)


def share_bar(parts_: list[tuple[str, float]], *, width: int = 760, height: int = 46) -> str:
    """One horizontal bar split in shares (e.g. desktop / mobile web / app), labelled in %."""
    total = sum(v for _, v in parts_) or 1.0
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
           f'font-family="sans-serif">']  # fmt: skip
    x = 0.0
    for k, (lab, v) in enumerate(parts_):
        w = width * v / total
        out.append(f'<rect x="{x:.1f}" y="0" width="{w:.1f}" height="22" fill="{PALETTE[k % len(PALETTE)]}"/>')
        if w > 60:
            out.append(f'<text x="{x + 4:.1f}" y="38" font-size="11" fill="{INK}">{escape(lab)} '
                       f"{M.fr_percent(v / total)}</text>")  # fmt: skip
        x += w
    out.append("</svg>")
    return "".join(out)


def choropleth(features: list[dict[str, Any]], values: dict[str, float], *, width: int = 520, height: int = 520,
               label: str = "", unit: str = "", link: Callable[[str], str] | None = None) -> str:  # fmt: skip
    """Départements (GeoJSON features with ``properties.insee_dep`` or ``code``) coloured by value
    in 5 quantile classes, with a legend titled by ``unit``. Overseas départements are drawn where
    the file puts them (the ANCT file moves them next to mainland France) and named. With ``link``,
    each département is a link (to its ranking, on the dashboard)."""
    metro = [f for f in features if _rings(f["geometry"])]
    if not metro:
        return ""
    xs0, ys0, xs1, ys1 = zip(*[_bbox(f) for f in metro], strict=True)
    lon0, lat0, lon1, lat1 = min(xs0), min(ys0), max(xs1), max(ys1)
    k = math.cos(math.radians((lat0 + lat1) / 2))
    scale = min(width / ((lon1 - lon0) * k), height / (lat1 - lat0))

    def pt(lon: float, lat: float) -> str:
        return f"{(lon - lon0) * k * scale:.1f},{(lat1 - lat) * scale:.1f}"

    known = sorted(v for v in values.values() if v is not None and math.isfinite(v))
    cuts = [known[int(len(known) * q / 5)] for q in range(1, 5)] if known else []
    colors = ("#eff6ff", "#bfdbfe", "#60a5fa", "#2563eb", "#1e3a8a")
    legend_h = 44 if known else 0  # the legend sits under the map, never over a département
    role = "group" if link is not None else "img"  # an image holds no links: a group of them, then
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height + legend_h}" width="100%" '
           f'role="{role}" aria-label="{escape(label)}" font-family="sans-serif">']  # fmt: skip
    for f in metro:
        props = f["properties"]
        code = str(props.get("insee_dep") or props.get("code") or "")
        v = values.get(code)
        fill = "#f3f4f6" if v is None or not math.isfinite(v) else colors[sum(v > c for c in cuts)]
        d = []
        for ring in _rings(f["geometry"]):
            d.append("M" + " L".join(pt(lon, lat) for lon, lat in ring) + " Z")
        name = props.get("lib_dep") or props.get("nom") or code
        shown = M.fr_number(v, 1) if v is not None and math.isfinite(v) else M.t("report_no_data")
        tip = f"{name} ({code}) : {shown}{' ' + unit if unit and shown != M.t('report_no_data') else ''}"
        shape = (f'<path d="{" ".join(d)}" fill="{fill}" stroke="#fff" stroke-width="0.6">'
                 f"<title>{escape(tip)}</title></path>")  # fmt: skip
        if link is not None:
            shape = f'<a href="{escape(link(code))}" aria-label="{escape(tip)}">{shape}</a>'
        out.append(shape)
        if code.startswith("97"):  # overseas: drawn out of place, so named (under their shape)
            x0, y0, x1, _ = _bbox(f)
            lx, ly = (float(v) for v in pt((x0 + x1) / 2, y0).split(","))
            out.append(f'<text x="{lx:.1f}" y="{ly + 10:.1f}" font-size="9" text-anchor="middle" fill="{INK}">'
                       f"{escape(str(name))}</text>")  # fmt: skip
    if cuts:  # legend: the five classes in a row, under the unit
        bounds = [known[0], *cuts, known[-1]]
        if unit:
            out.append(f'<text x="4" y="{height + 14}" font-size="11" font-weight="bold" fill="{INK}">'
                       f"{escape(unit)}</text>")  # fmt: skip
        step = (width - 8) / 5
        for i, color in enumerate(colors):
            x, y = 4 + i * step, height + 24
            out.append(f'<rect x="{x:.0f}" y="{y}" width="14" height="12" fill="{color}" stroke="{MUTED}"/>')
            out.append(f'<text x="{x + 18:.0f}" y="{y + 10}" font-size="11" fill="{INK}">'
                       f"{M.fr_number(bounds[i], 1)} – {M.fr_number(bounds[i + 1], 1)}</text>")  # fmt: skip
    out.append("</svg>")
    return "".join(out)


def _rings(geometry: dict[str, Any]) -> list[list[list[float]]]:
    if geometry["type"] == "Polygon":
        rings: list[list[list[float]]] = geometry["coordinates"]
        return rings
    if geometry["type"] == "MultiPolygon":
        return [ring for poly in geometry["coordinates"] for ring in poly]
    return []


def _bbox(feature: dict[str, Any]) -> tuple[float, float, float, float]:
    pts = [p for ring in _rings(feature["geometry"]) for p in ring]
    if not pts:
        return (0.0, 0.0, 0.0, 0.0)
    lons, lats = zip(*[(p[0], p[1]) for p in pts], strict=True)
    return min(lons), min(lats), max(lons), max(lats)
