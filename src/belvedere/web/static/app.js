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

// Numbers on the value axis and in the legend the French way: "100 000", "12,5".
const frNumber = v => v == null ? "–" : v.toLocaleString("fr-FR", { maximumFractionDigits: 1 });
function frValueAxis(label) {
  return { size: 70, label: label, values: (u, splits) => splits.map(v => v == null ? "" : frNumber(v)) };
}

// A chart as wide as its box, on a phone turned sideways too.
function fitWidth(el, plot) {
  let timer = null;
  window.addEventListener("resize", function () {
    clearTimeout(timer);
    timer = setTimeout(() => plot.setSize({ width: el.clientWidth, height: plot.height }), 100);
  });
}

// Sums of a daily series by week (Monday first) or month, for the step selector.
function aggregate(data, step) {
  if (step === "day") return { t: data.t, views: data.views, desktop: data.desktop, mobile: data.mobile };
  const keys = [], sums = new Map();
  data.t.forEach(function (t, i) {
    const d = new Date(t * 1e3);
    const key = step === "week" ? t - ((d.getUTCDay() + 6) % 7) * 86400 : Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1) / 1e3;
    if (!sums.has(key)) { sums.set(key, [0, 0, 0]); keys.push(key); }
    const s = sums.get(key);
    s[0] += data.views[i]; s[1] += data.desktop[i]; s[2] += data.mobile[i];
  });
  return { t: keys, views: keys.map(k => sums.get(k)[0]), desktop: keys.map(k => sums.get(k)[1]),
    mobile: keys.map(k => sums.get(k)[2]) };
}

// Campaign periods as green bands behind the curves, annotations as orange lines over them.
function marksHooks(data) {
  return {
    drawClear: [function (u) {
      const c = u.ctx;
      c.save();
      c.fillStyle = "rgba(5, 150, 105, 0.15)";
      for (const k of data.campaigns || []) {
        const x0 = u.valToPos(k.start, "x", true), x1 = u.valToPos(k.end + 86400, "x", true);
        c.fillRect(x0, u.bbox.top, Math.max(x1 - x0, 2), u.bbox.height);
      }
      c.restore();
    }],
    draw: [function (u) {
      const c = u.ctx;
      c.save();
      c.strokeStyle = "#c2410c"; c.fillStyle = "#9a3412"; c.setLineDash([4, 3]); c.font = "12px sans-serif";
      for (const n of data.notes || []) {
        const x = u.valToPos(n.t, "x", true);
        c.beginPath(); c.moveTo(x, u.bbox.top); c.lineTo(x, u.bbox.top + u.bbox.height); c.stroke();
        c.fillText(n.text.slice(0, 30), x + 3, u.bbox.top + 12);
      }
      c.restore();
    }],
  };
}

// The commune's audience: daily, weekly or monthly, all accesses or desktop and mobile apart,
// linear or log scale; drag to zoom, double-click to reset, values on hover; PNG export.
function drawSeries(el, data) {
  const state = { step: "day", split: false, log: false };
  let plot = null;
  function build() {
    if (plot) plot.destroy();
    const agg = aggregate(data, state.step);
    const positive = v => (state.log && v <= 0) ? null : v;
    const unit = { day: "vues par jour", week: "vues par semaine", month: "vues par mois" }[state.step];
    const series = [{ label: "Date", value: (u, v) => v == null ? "–" : uPlot.fmtDate(state.step === "month" ? "{MMMM} {YYYY}" : "{D} {MMM} {YYYY}", FR_DATES)(new Date(v * 1e3)) }];
    const arrays = [agg.t];
    if (state.split) {
      series.push({ label: "Ordinateur", stroke: "#1d4ed8", width: 1.5, value: (u, v) => frNumber(v) },
        { label: "Mobile", stroke: "#b45309", width: 1.5, value: (u, v) => frNumber(v) });
      arrays.push(agg.desktop.map(positive), agg.mobile.map(positive));
    } else {
      series.push({ label: "Vues", stroke: state.step === "day" ? "#93c5fd" : "#1d4ed8", width: state.step === "day" ? 1 : 2,
        value: (u, v) => frNumber(v) });
      arrays.push(agg.views.map(positive));
    }
    if (state.step === "day") {
      const spikeAt = new Map(data.spikes.map(s => [s.t, s.v]));
      if (!state.split) {
        series.push({ label: "Moyenne 7 j", stroke: "#1e3a8a", width: 2, value: (u, v) => frNumber(v) });
        arrays.push(data.smooth.map(v => v == null ? null : positive(v)));
      }
      series.push({ label: "Pics", stroke: "#dc2626", width: 0, points: { show: true, size: 8, fill: "#dc2626" } });
      arrays.push(data.t.map(t => spikeAt.has(t) ? spikeAt.get(t) : null));
    }
    const opts = {
      width: el.clientWidth || 900, height: el.clientWidth < 500 ? 240 : 300,
      fmtDate: tpl => uPlot.fmtDate(tpl, FR_DATES),
      scales: { y: { distr: state.log ? 3 : 1 } },
      series: series,
      axes: [frTimeAxis(), frValueAxis(unit + (state.log ? " (échelle log.)" : ""))],
      hooks: marksHooks(data),
    };
    plot = new uPlot(opts, arrays, el);
    el.dataset.points = String(agg.t.length);
    el.dataset.step = state.step;
  }
  const on = (id, fn) => { const x = document.getElementById(id); if (x) x.addEventListener("change", fn); };
  on("chart-step", ev => { state.step = ev.target.value; build(); });
  on("chart-access", ev => { state.split = ev.target.value === "split"; build(); });
  on("chart-log", ev => { state.log = ev.target.checked; build(); });
  const png = document.getElementById("chart-png");
  if (png) png.addEventListener("click", function () { png.href = plot.ctx.canvas.toDataURL("image/png"); });
  build();
  let timer = null;
  window.addEventListener("resize", function () {
    clearTimeout(timer);
    timer = setTimeout(() => plot.setSize({ width: el.clientWidth, height: plot.height }), 100);
  });
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
    axes: [frTimeAxis(), frValueAxis(unit || "")],
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

// Comparer: a commune picked among the suggestions (name or code) is added to the list, once.
(function () {
  const add = document.getElementById("compare-add");
  const options = document.getElementById("compare-options");
  const codes = document.getElementById("compare-codes");
  if (!add || !options || !codes) return;
  let timer = null;
  add.addEventListener("input", function () {
    clearTimeout(timer);
    const text = add.value.trim();
    const picked = Array.from(options.options).find(o => o.value === add.value);
    if (picked) {
      const list = codes.value.split(",").map(x => x.trim()).filter(Boolean);
      if (!list.includes(picked.dataset.code)) list.push(picked.dataset.code);
      codes.value = list.join(",");
      add.value = "";
      return;
    }
    if (text.length < 2) return;
    timer = setTimeout(async function () {
      const r = await fetch("/api/communes?limit=8&q=" + encodeURIComponent(text));
      if (!r.ok) return;
      options.innerHTML = "";
      for (const c of await r.json()) {
        const o = document.createElement("option");
        o.value = c.name + " (" + c.departement + ") " + c.code;
        o.dataset.code = c.code;
        options.appendChild(o);
      }
    }, 150);
  });
})();

// Analyse d'une commune: the page asks where the analysis stands every 1.5 s; the live region
// says each new step once (not every count), and the commune page comes when it is ready.
(function () {
  const box = document.getElementById("analysis");
  if (!box) return;
  const status = document.getElementById("analysis-status");
  const count = document.getElementById("analysis-count");
  const bar = document.getElementById("analysis-progress");
  async function look() {
    let now;
    try {
      const r = await fetch(box.dataset.stateUrl, {cache: "no-store"});
      if (!r.ok) { window.location.href = box.dataset.next; return; }
      now = await r.json();
    } catch (e) { setTimeout(look, 3000); return; }
    if (now.state === "ready" || now.state === "failed") { window.location.href = box.dataset.next; return; }
    if (status.textContent !== now.words) status.textContent = now.words;
    count.textContent = now.count || "";
    if (now.total) { bar.max = now.total; bar.value = now.done || 0; } else { bar.removeAttribute("value"); }
    for (const li of box.querySelectorAll("li[data-step]")) {
      if (li.dataset.step === now.step) li.setAttribute("aria-current", "step"); else li.removeAttribute("aria-current");
    }
    setTimeout(look, 1500);
  }
  setTimeout(look, 1000);
})();

// A period whose national figures are being computed: the page asks every 1.5 s whether they are
// ready, then shows the page asked for (without script, the page reloads itself every 5 s).
(function () {
  const box = document.getElementById("computing");
  if (!box) return;
  async function look() {
    try {
      const r = await fetch(box.dataset.stateUrl, {cache: "no-store"});
      const now = r.ok ? await r.json() : {ready: true};
      if (now.ready) { window.location.href = box.dataset.next; return; }
    } catch (e) { /* the server restarts: look again */ }
    setTimeout(look, 1500);
  }
  setTimeout(look, 1500);
})();

// Residents' survey, for the team: created from the commune page, its texts read and approved on its
// team page. The token goes in the Authorization header, never in the URL; texts are set as text.
(function () {
  const create = document.getElementById("create-survey");
  if (create) {
    create.addEventListener("submit", async function (ev) {
      ev.preventDefault();
      const f = new FormData(create);
      const r = await fetch("/api/surveys", {
        method: "POST",
        headers: { "Content-Type": "application/json", "Authorization": "Bearer " + (f.get("token") || "") },
        body: JSON.stringify({ commune: create.dataset.commune, title: f.get("title") }),
      });
      const data = await r.json();
      if (r.ok) { window.location.href = "/s/" + data.id + "/equipe"; return; }
      const out = document.getElementById("create-survey-result");
      out.textContent = create.dataset.refused + data.detail;
    });
  }
  const team = document.getElementById("survey-team");
  const tokenForm = document.getElementById("team-token");
  if (!team || !tokenForm) return;
  const d = team.dataset;
  const api = "/api/surveys/" + d.survey;
  const status = document.getElementById("team-status");
  let token = "";
  const auth = () => ({ "Authorization": "Bearer " + token });
  async function load() {
    const r = await fetch(api + "/answers", { headers: auth() });
    const data = await r.json();
    const box = document.getElementById("pending");
    box.textContent = "";
    if (!r.ok) { status.textContent = d.refused + data.detail; return; }
    document.getElementById("team-export").disabled = false;
    document.getElementById("team-erase").disabled = false;
    const pending = data.filter(a => a.texts === "pending");
    if (!pending.length) { box.textContent = d.none; return; }
    const list = document.createElement("ul");
    list.id = "pending-texts";
    for (const a of pending) {
      const li = document.createElement("li");
      li.dataset.answer = a.answer_id;
      for (const [key, label] of [["proud", d.proud], ["missing", d.missing]]) {
        if (!a[key]) continue;
        const p = document.createElement("p");
        const b = document.createElement("strong");
        b.textContent = label + " : ";
        p.append(b, document.createTextNode(a[key]));
        li.append(p);
      }
      for (const [approved, label] of [[true, d.approve], [false, d.reject]]) {
        const button = document.createElement("button");
        button.type = "button";
        button.textContent = label;
        button.addEventListener("click", async function () {
          const r2 = await fetch(api + "/answers/" + a.answer_id + "/texts", {
            method: "POST", headers: { ...auth(), "Content-Type": "application/json" },
            body: JSON.stringify({ approved: approved }),
          });
          const out = await r2.json();
          li.textContent = r2.ok ? (approved ? d.doneApproved : d.doneRejected) : d.refused + out.detail;
        });
        li.append(button, document.createTextNode(" "));
      }
      list.append(li);
    }
    box.append(list);
  }
  tokenForm.addEventListener("submit", function (ev) {
    ev.preventDefault();
    token = new FormData(tokenForm).get("token") || "";
    load();
  });
  document.getElementById("team-export").addEventListener("click", async function () {
    const r = await fetch(api + "/answers?format=csv", { headers: auth() });
    if (!r.ok) { status.textContent = d.refused + (await r.json()).detail; return; }
    const link = document.createElement("a");
    link.href = URL.createObjectURL(await r.blob());
    link.download = "questionnaire-" + d.survey + ".csv";
    document.body.append(link);
    link.click();
    link.remove();
  });
  document.getElementById("team-erase").addEventListener("click", async function () {
    if (!window.confirm(d.confirm)) return;
    const r = await fetch(api + "/answers", { method: "DELETE", headers: auth() });
    const data = await r.json();
    status.textContent = r.ok ? d.erased + data.deleted : d.refused + data.detail;
    if (r.ok) load();
  });
})();
