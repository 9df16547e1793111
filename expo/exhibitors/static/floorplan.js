// Floor plan: hover/focus shows a booth's details, search highlights, zoom for phones.
(function () {
  "use strict";
  document.querySelectorAll("[data-floorplan]").forEach(function (svg) {
    var root = svg.closest("[data-fp-root]") || document;
    var panel = root.querySelector("[data-fp-details]");
    var live = panel && panel.querySelector("[data-fp-live]");
    var hint = panel && panel.querySelector("[data-fp-hint]");
    var booths = svg.querySelectorAll(".fp-booth");
    function show(booth) {
      if (!live) return;
      hint && hint.classList.add("d-none");
      live.classList.remove("d-none");
      var d = booth.dataset;
      var values = { code: d.code, status: d.status, size: d.size, kind: (d.kind || "").replace("_", " "),
                     price: d.price, package: d.package || "—", exhibitor: d.exhibitor || "—" };
      Object.keys(values).forEach(function (key) {
        var el = live.querySelector('[data-fp-field="' + key + '"]');
        if (el) el.textContent = values[key];
      });
      var status = live.querySelector('[data-fp-field="status"]');
      if (status) status.className = "badge fp-badge-" + d.status;
    }
    booths.forEach(function (booth) {
      booth.addEventListener("mouseenter", function () { show(booth); });
      booth.addEventListener("focus", function () { show(booth); });
    });
    // Live search: highlight matches while typing (the server does the same on submit).
    var form = root.querySelector("[data-fp-search]");
    var input = form && form.querySelector("input[type=search]");
    if (input) {
      input.addEventListener("input", function () {
        var q = input.value.trim().toLowerCase();
        var first = null;
        booths.forEach(function (booth) {
          var hit = q.length > 0 && booth.dataset.search.indexOf(q) !== -1;
          booth.classList.toggle("fp-match", hit);
          booth.classList.toggle("fp-dim", q.length > 0 && !hit);
          if (hit && !first) first = booth;
        });
        if (first) show(first);
      });
    }
    // Zoom buttons (phones): make the drawing wider than the screen and scroll it.
    var scroller = svg.closest("[data-fp-scroll]");
    root.querySelectorAll("[data-fp-zoom]").forEach(function (button) {
      button.addEventListener("click", function () {
        var current = parseFloat(scroller.dataset.zoom || "1");
        var next = Math.min(4, Math.max(1, current * parseFloat(button.dataset.fpZoom)));
        scroller.dataset.zoom = String(next);
        svg.style.width = (next * 100) + "%";
        svg.style.minWidth = next === 1 ? "" : "0";
      });
    });
    var match = svg.querySelector(".fp-match, .fp-selected");
    if (match && scroller && match.getBBox) {
      // Bring the highlighted booth into view inside the scrolling box.
      var box = match.getBoundingClientRect(), outer = scroller.getBoundingClientRect();
      scroller.scrollLeft += box.left - outer.left - outer.width / 2 + box.width / 2;
      scroller.scrollTop += box.top - outer.top - outer.height / 2 + box.height / 2;
    }
  });
})();
