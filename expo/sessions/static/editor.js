// Schedule editor: drag a talk onto a room/time cell; the API saves the move and answers
// the programme's conflicts, which the page shows at once (red outline + list).
(function () {
  "use strict";
  var grid = document.getElementById("grid");
  if (!grid) return;
  var csrf = document.querySelector('meta[name="csrf-token"]').content;
  var dragged = null;

  function showConflicts(conflicts) {
    document.querySelectorAll(".sg-talk").forEach(function (el) { el.classList.remove("sg-conflict"); });
    var box = document.getElementById("conflict-box");
    box.innerHTML = "";
    if (!conflicts.length) return;
    var ids = new Set();
    conflicts.forEach(function (c) { c.talk_ids.forEach(function (id) { ids.add(id); }); });
    ids.forEach(function (id) { var el = document.getElementById("talk-" + id); if (el) el.classList.add("sg-conflict"); });
    var div = document.createElement("div");
    div.className = "alert alert-danger"; div.id = "conflicts"; div.setAttribute("role", "alert");
    var strong = document.createElement("strong");
    strong.textContent = conflicts.length + (conflicts.length === 1 ? " conflict" : " conflicts");
    div.appendChild(strong);
    var ul = document.createElement("ul"); ul.className = "mb-0 small";
    conflicts.forEach(function (c) { var li = document.createElement("li"); li.textContent = c.message; li.dataset.kind = c.kind; ul.appendChild(li); });
    div.appendChild(ul); box.appendChild(div);
  }

  grid.addEventListener("dragstart", function (e) {
    var talk = e.target.closest(".sg-talk");
    if (!talk) return;
    dragged = talk;
    e.dataTransfer.setData("text/plain", talk.dataset.talk);
    e.dataTransfer.effectAllowed = "move";
    // Let drops reach the cells under other sessions (a clash is allowed, then shown).
    talk.classList.add("sg-dragged");
    setTimeout(function () { grid.classList.add("sg-dragging"); }, 0);
  });
  grid.addEventListener("dragend", function () {
    grid.classList.remove("sg-dragging");
    if (dragged) dragged.classList.remove("sg-dragged");
  });
  grid.addEventListener("dragover", function (e) {
    if (e.target.closest(".sg-cell")) { e.preventDefault(); e.dataTransfer.dropEffect = "move"; }
  });
  grid.addEventListener("drop", function (e) {
    var cell = e.target.closest(".sg-cell");
    if (!cell) return;
    e.preventDefault();
    var id = e.dataTransfer.getData("text/plain") || (dragged && dragged.dataset.talk);
    var url = grid.dataset.moveUrl.replace(/\/0\/move$/, "/" + id + "/move");
    fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRFToken": csrf, "Accept": "application/json"},
      body: JSON.stringify({day: grid.dataset.day, start: cell.dataset.time, room_id: parseInt(cell.dataset.room, 10), allow_conflicts: true})
    }).then(function (r) { return r.json().then(function (body) { return {ok: r.ok, body: body}; }); })
      .then(function (res) {
        if (!res.ok) { showConflicts([{kind: res.body.code, talk_ids: [parseInt(id, 10)], message: res.body.detail}]); return; }
        var el = document.getElementById("talk-" + id);
        var span = el.style.gridRow.split("/")[1] || " span 1";
        el.style.gridColumn = cell.style.gridColumn;
        el.style.gridRow = cell.style.gridRow.split("/")[0].trim() + " /" + span;
        el.querySelector(".text-body-secondary").textContent = res.body.talk.local_start + "–" + res.body.talk.local_end + " · " + res.body.talk.kind_label;
        // A room clash: sit beside the other session instead of hiding it.
        var clash = res.body.conflicts.some(function (c) {
          return c.kind === "room_double_booked" && c.talk_ids.indexOf(parseInt(id, 10)) !== -1;
        });
        el.style.justifySelf = clash ? "start" : "";
        el.style.width = clash ? "calc(50% - 6px)" : "";
        el.style.marginLeft = clash ? "calc(50% + 3px)" : "";
        showConflicts(res.body.conflicts);
      });
  });
})();
