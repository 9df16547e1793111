// expo: small progressive enhancements shared by every page.
(function () {
  "use strict";
  // Sortable, filterable tables: <table data-table>.
  if (window.simpleDatatables) {
    document.querySelectorAll("table[data-table]").forEach(function (table) {
      if (!table.tBodies.length || !table.tBodies[0].rows.length) return;
      new window.simpleDatatables.DataTable(table, {
        perPage: parseInt(table.dataset.perPage || "25", 10),
        perPageSelect: [10, 25, 50, 100],
        searchable: table.dataset.searchable !== "false",
        labels: { placeholder: "Filter…", searchLabel: "", perPage: "per page", noRows: "Nothing matches",
          noResults: "Nothing matches the filter", info: "{start}–{end} of {rows}" },
        classes: { input: "datatable-input form-control form-control-sm", selector: "datatable-selector form-select form-select-sm" },
      });
    });
  }
  // <form data-confirm="Are you sure?">
  document.addEventListener("submit", function (e) {
    var msg = e.target.getAttribute && e.target.getAttribute("data-confirm");
    if (msg && !window.confirm(msg)) e.preventDefault();
  });
  // Make CSRF available to fetch() calls from our pages.
  var meta = document.querySelector('meta[name="csrf-token"]');
  window.expoCsrf = meta ? meta.content : null;
})();
