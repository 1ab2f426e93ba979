// Search as you type (accents, case and hyphens folded by the API; codes and postal codes too):
// arrow keys walk the suggestions, Enter opens the one selected, or the results page (/recherche).
(function () {
  const q = document.getElementById("q");
  const list = document.getElementById("suggestions");
  if (!q) return;
  let timer = null;
  let active = -1;
  const items = () => Array.from(list.querySelectorAll("li"));
  function close() { list.style.display = "none"; q.setAttribute("aria-expanded", "false"); active = -1;
    q.removeAttribute("aria-activedescendant"); }
  function select(i) {
    const all = items();
    if (!all.length) return;
    active = (i + all.length) % all.length;
    all.forEach((li, k) => li.setAttribute("aria-selected", k === active ? "true" : "false"));
    q.setAttribute("aria-activedescendant", all[active].id);
  }
  q.addEventListener("input", function () {
    clearTimeout(timer);
    const text = q.value.trim();
    if (!text) { close(); return; }
    timer = setTimeout(async function () {
      const r = await fetch("/api/communes?limit=8&q=" + encodeURIComponent(text));
      if (!r.ok) return;
      const rows = await r.json();
      list.innerHTML = "";
      rows.forEach(function (c, i) {
        const li = document.createElement("li");
        li.id = "suggestion-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        const a = document.createElement("a");
        a.href = "/commune/" + encodeURIComponent(c.code);
        a.tabIndex = -1;
        a.textContent = c.name + " (" + c.departement + ")" + (c.is_pvd ? " · PVD" : "");
        li.appendChild(a);
        list.appendChild(li);
      });
      active = -1;
      list.style.display = rows.length ? "block" : "none";
      q.setAttribute("aria-expanded", rows.length ? "true" : "false");
    }, 150);
  });
  q.addEventListener("keydown", function (ev) {
    if (ev.key === "ArrowDown") { ev.preventDefault(); select(active + 1); }
    else if (ev.key === "ArrowUp") { ev.preventDefault(); select(active - 1); }
    else if (ev.key === "Escape") { close(); }
    else if (ev.key === "Enter" && active >= 0) {
      ev.preventDefault();
      window.location.href = items()[active].querySelector("a").href;
    }
  });
  q.addEventListener("blur", function () { setTimeout(close, 200); });
})();

const FR_DATES = {
  MMMM: ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
    "novembre", "décembre"],
  MMM: ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."],
  WWWW: ["dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"],
  WWW: ["dim.", "lun.", "mar.", "mer.", "jeu.", "ven.", "sam."],
};

// Time axis in French: "5 oct." within a few months, "oct. 2024" over longer spans.
function frTimeAxis() {
  return {
    values: (u, splits, ax, space, incr) => splits.map(v => v == null ? "" :
      uPlot.fmtDate(incr >= 86400 * 28 ? "{MMM} {YYYY}" : "{D} {MMM}", FR_DATES)(new Date(v * 1e3))),
  };
}

// A chart as wide as its box, on a phone turned sideways too.
function fitWidth(el, plot) {
  let timer = null;
  window.addEventListener("resize", function () {
    clearTimeout(timer);
    timer = setTimeout(() => plot.setSize({ width: el.clientWidth, height: plot.height }), 100);
  });
}

// The commune's daily audience: drag to zoom, double-click to reset, values on hover.
function drawSeries(el, data) {
  const spikeAt = new Map(data.spikes.map(s => [s.t, s.v]));
  const marks = data.t.map(t => spikeAt.has(t) ? spikeAt.get(t) : null);
  const opts = {
    width: el.clientWidth || 900, height: el.clientWidth < 500 ? 240 : 300,
    fmtDate: tpl => uPlot.fmtDate(tpl, FR_DATES),
    series: [
      { label: "Date", value: (u, v) => v == null ? "–" : uPlot.fmtDate("{D} {MMM} {YYYY}", FR_DATES)(new Date(v * 1e3)) },
      { label: "Vues", stroke: "#93c5fd", width: 1 },
      { label: "Moyenne 7 j", stroke: "#1d4ed8", width: 2 },
      { label: "Pics", stroke: "#dc2626", width: 0, points: { show: true, size: 8, fill: "#dc2626" } },
    ],
    axes: [frTimeAxis(), { size: 60, label: "vues par jour" }],
  };
  const plot = new uPlot(opts, [data.t, data.views, data.smooth, marks], el);
  el.dataset.points = String(data.t.length);
  fitWidth(el, plot);
  return plot;
}

// Several communes on one chart (the URL keeps the state).
function drawCompare(el, series, unit) {
  if (!series.length) return null;
  const colors = ["#1d4ed8", "#dc2626", "#059669", "#d97706", "#7c3aed", "#0891b2", "#be185d", "#4d7c0f",
    "#475569", "#b45309"];
  const data = [series[0].t, ...series.map(s => s.v)];
  const opts = {
    width: el.clientWidth || 900, height: 320,
    fmtDate: tpl => uPlot.fmtDate(tpl, FR_DATES),
    series: [{ label: "Date" }, ...series.map((s, i) => ({ label: s.label, stroke: colors[i % colors.length], width: 2 }))],
    axes: [frTimeAxis(), { size: 60, label: unit || "" }],
  };
  el.dataset.series = String(series.length);
  const plot = new uPlot(opts, data, el);
  fitWidth(el, plot);
  return plot;
}

// Annotation form: the token goes in the Authorization header, never in the URL.
(function () {
  const form = document.getElementById("annotate");
  if (!form) return;
  form.addEventListener("submit", async function (ev) {
    ev.preventDefault();
    const f = new FormData(form);
    const body = { text: f.get("text"), date: f.get("date"), category: f.get("category") };
    if (f.get("url")) body.url = f.get("url");
    if (f.get("commune")) body.commune = f.get("commune"); else body.shared = true;
    const r = await fetch("/api/annotations", {
      method: "POST",
      headers: { "Content-Type": "application/json", "Authorization": "Bearer " + (f.get("token") || "") },
      body: JSON.stringify(body),
    });
    const out = document.getElementById("annotate-result");
    const data = await r.json();
    out.textContent = r.ok ? "Annotation enregistrée (n° " + data.annotation_id + ")." : "Refusée : " + data.detail;
    out.dataset.status = String(r.status);
  });
})();
