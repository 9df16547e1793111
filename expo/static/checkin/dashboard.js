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
  function cell(row, text, cls) { const td = row.insertCell(); td.textContent = text; if (cls) td.className = cls; return td; }
  function fill(tbody, rows, make, empty) {
    tbody.innerHTML = "";
    if (!rows.length) { const r = tbody.insertRow(); cell(r, empty, "text-body-secondary").colSpan = 5; return; }
    rows.forEach((item) => make(tbody.insertRow(), item));
  }
  function render(data) {
    chart.data.labels = data.per_hour.map((h) => h.hour.slice(5).replace("-", "/"));
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
    fill(root.querySelector("[data-gates]"), data.gates, (r, g) => {
      cell(r, g.gate); cell(r, g.zone); cell(r, g.admitted, "text-end"); cell(r, g.already, "text-end"); cell(r, g.refused, "text-end");
    }, "No gates yet.");
    fill(root.querySelector("[data-rejections]"), data.rejections, (r, s) => {
      cell(r, s.at, "text-nowrap small"); cell(r, s.gate); cell(r, s.name || "—");
      const td = cell(r, ""); const badge = document.createElement("span");
      badge.className = "badge text-bg-danger me-1"; badge.textContent = labels[s.result] || s.result;
      td.append(badge, document.createTextNode(s.message)); cell(r, s.by + (s.offline ? " (offline)" : ""), "small");
    }, "No rejections.");
    fill(root.querySelector("[data-conflicts]"), data.conflicts, (r, s) => {
      cell(r, s.at, "text-nowrap small"); cell(r, s.gate); cell(r, s.name || "—"); cell(r, s.conflict, "small");
    }, "No conflicts.");
    document.getElementById("live-updated").textContent = "updated " + new Date().toLocaleTimeString();
  }
  render(JSON.parse(document.getElementById("live-data").textContent));
  setInterval(() => fetch(root.dataset.url, { credentials: "same-origin" }).then((r) => r.ok ? r.json() : null)
    .then((d) => d && render(d)).catch(() => {}), 5000);
})();
