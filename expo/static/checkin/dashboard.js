// Live check-in dashboard: polls the JSON snapshot and redraws chart and tables.
(function () {
  "use strict";
  const root = document.getElementById("live");
  const labels = { ok: "admitted", already_checked_in: "already in", invalid: "invalid", revoked: "revoked",
    not_allowed: "not allowed", outside_hours: "outside hours", unpaid: "unpaid", cancelled: "cancelled" };
  const canvas = document.getElementById("per-hour");
  const chart = new window.Chart(canvas, {
    type: "bar",
    data: { labels: [], datasets: [{ label: "Check-ins", data: [], backgroundColor: "#0b5d7a", borderRadius: 4 }] },
    options: { maintainAspectRatio: false, animation: false, plugins: { legend: { display: false } },
      scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
  });
  const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  const hourLabel = (h) => `${h.slice(8, 10)} ${months[parseInt(h.slice(5, 7), 10) - 1]} ${h.slice(11, 16)}`;
  let latest = null;
  const sort = { key: "gate", desc: false };
  const filterInput = root.querySelector('[data-filter="rejections"]');
  function cell(row, text, cls) { const td = row.insertCell(); td.textContent = text; if (cls) td.className = cls; return td; }
  function fill(tbody, rows, make, empty) {
    tbody.innerHTML = "";
    if (!rows.length) { const r = tbody.insertRow(); cell(r, empty, "text-body-secondary").colSpan = 5; return; }
    rows.forEach((item) => make(tbody.insertRow(), item));
  }
  function sortedGates(gates) {
    const out = gates.slice().sort((a, b) => {
      const x = a[sort.key], y = b[sort.key];
      const c = typeof x === "number" ? x - y : String(x).localeCompare(String(y));
      return sort.desc ? -c : c;
    });
    root.querySelectorAll(".sort-head").forEach((b) => {
      const th = b.closest("th");
      th.setAttribute("aria-sort", b.dataset.sort === sort.key ? (sort.desc ? "descending" : "ascending") : "none");
      b.dataset.dir = b.dataset.sort === sort.key ? (sort.desc ? "desc" : "asc") : "";
    });
    return out;
  }
  function matches(s) {
    const q = (filterInput.value || "").trim().toLowerCase();
    if (!q) return true;
    return [s.gate, s.name, s.message, labels[s.result] || s.result, s.by].join(" ").toLowerCase().includes(q);
  }
  function render(data) {
    latest = data;
    chart.data.labels = data.per_hour.map((h) => hourLabel(h.hour));
    chart.data.datasets[0].data = data.per_hour.map((h) => h.count);
    chart.update();
    for (const [key, value] of Object.entries(data.totals)) {
      const el = root.querySelector(`[data-total="${key}"]`); if (el) el.textContent = value;
    }
    root.querySelector('[data-total="conflicts"]').textContent = data.conflicts.length;
    const zones = root.querySelector("[data-zones]"); zones.innerHTML = "";
    for (const z of data.zones) {
      const li = document.createElement("li"); li.className = "mb-3";
      const pct = z.capacity ? Math.min(100, Math.round(100 * z.inside / z.capacity)) : null;
      li.innerHTML = '<div class="d-flex justify-content-between"><span></span><strong></strong></div>' +
        (pct !== null ? '<div class="progress mt-1" style="height:.5rem"><div class="progress-bar"></div></div>' : "");
      li.querySelector("span").textContent = z.zone;
      li.querySelector("strong").textContent = z.capacity ? `${z.inside} / ${z.capacity}` : z.inside;
      if (pct !== null) { const bar = li.querySelector(".progress-bar"); bar.style.width = pct + "%"; if (pct > 90) bar.classList.add("bg-danger"); }
      zones.append(li);
    }
    fill(root.querySelector("[data-gates]"), sortedGates(data.gates), (r, g) => {
      cell(r, g.gate, "fw-semibold"); cell(r, g.zone); cell(r, g.admitted, "text-end"); cell(r, g.already, "text-end"); cell(r, g.refused, "text-end");
    }, "No gates yet.");
    const shown = data.rejections.filter(matches);
    fill(root.querySelector("[data-rejections]"), shown, (r, s) => {
      cell(r, s.at, "text-nowrap small"); cell(r, s.gate); cell(r, s.name || "—");
      const td = cell(r, ""); const badge = document.createElement("span");
      badge.className = "badge text-bg-danger me-1"; badge.textContent = labels[s.result] || s.result;
      td.append(badge, document.createTextNode(s.message)); cell(r, who(s), "small");
    }, data.rejections.length ? "No rejection matches the filter." : "No rejections: every scan so far was admitted.");
    fill(root.querySelector("[data-conflicts]"), data.conflicts, (r, s) => {
      cell(r, s.at, "text-nowrap small"); cell(r, s.gate); cell(r, s.name || "—"); cell(r, s.conflict, "small");
      cell(r, who(s), "small");
    }, "No conflicts: offline scanners and the server agree.");
    document.getElementById("live-updated").textContent = "updated " + new Date().toLocaleTimeString();
  }
  function who(s) { return (s.by || "scanner") + (s.offline ? " · offline" : ""); }
  root.querySelectorAll(".sort-head").forEach((b) => b.addEventListener("click", () => {
    sort.desc = sort.key === b.dataset.sort ? !sort.desc : b.dataset.sort !== "gate" && b.dataset.sort !== "zone";
    sort.key = b.dataset.sort;
    if (latest) render(latest);
  }));
  filterInput.addEventListener("input", () => latest && render(latest));
  render(JSON.parse(document.getElementById("live-data").textContent));
  setInterval(() => fetch(root.dataset.url, { credentials: "same-origin" }).then((r) => r.ok ? r.json() : null)
    .then((d) => d && render(d)).catch(() => {}), 5000);
})();
