// Lead scanning: the check-in scanner component with our own onCode -> POST /leads,
// and an IndexedDB queue that uploads scans made while offline.
import { BadgeScanner, AnswerOverlay, Store, nonce } from "/static/checkin/scanner.js";

const root = document.getElementById("lead-scanner");
const slug = root.dataset.slug;
const api = `/api/v1/events/${slug}/leads`;
const store = new Store(`expo-leads-${slug}`, { queue: "nonce" });
const overlay = new AnswerOverlay(document.getElementById("scan-answer"));
const $ = (sel) => root.querySelector(sel);
let scannedNow = 0;
let syncing = false;

async function post(body) {
  const response = await fetch(api, {
    method: "POST", credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRFToken": window.expoCsrf || "" },
    body: JSON.stringify(body),
  });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = new Error(data.detail || response.statusText);
    error.status = response.status; error.code = data.code; throw error;
  }
  return data;
}
const isNetworkError = (e) => e instanceof TypeError || [502, 503, 504].includes(e.status);

async function refresh() {
  const online = navigator.onLine;
  const net = $("[data-net]");
  net.className = "badge fs-6 " + (online ? "text-bg-success" : "text-bg-danger");
  net.innerHTML = online ? '<i class="bi bi-wifi"></i> Online' : '<i class="bi bi-wifi-off"></i> Offline';
  $("[data-offline]").hidden = online;
  const queued = await store.count("queue");
  $("[data-queued]").textContent = queued;
  $("[data-queued-box]").className = "badge fs-6 " + (queued ? "text-bg-warning" : "text-bg-light");
  $("[data-count]").textContent = scannedNow;
  root.dataset.queued = String(queued);
}

function showLead(result) {
  const lead = result.lead;
  const detail = [lead.organisation, lead.country].filter(Boolean).join(" · ");
  overlay.show({ colour: "green", title: result.created ? "New lead" : "Lead updated", name: lead.full_name,
    detail, message: lead.contact_shared ? "Contact details shared" : "No contact details shared (visitor's choice)" });
  $("[data-last]").hidden = false;
  $("[data-last-name]").textContent = lead.full_name;
  $("[data-last-detail]").textContent = detail;
  $("[data-last-link]").href = root.dataset.leadUrl + lead.id;
}

async function onCode(text) {
  const item = { nonce: nonce(), code: text, scanned_at: new Date().toISOString() };
  scannedNow += 1;
  try {
    showLead(await post({ code: item.code, scanned_at: item.scanned_at }));
  } catch (error) {
    if (isNetworkError(error)) {
      await store.put("queue", item);
      overlay.show({ colour: "amber", title: "Saved offline", message: "It uploads when the network returns." });
    } else {
      scannedNow -= 1;
      overlay.show({ colour: "red", title: "Not a lead", message: error.message });
    }
  }
  refresh();
}

async function sync() {
  if (syncing || !navigator.onLine) return;
  syncing = true;
  try {
    for (const item of await store.all("queue")) {
      try {
        await post({ code: item.code, scanned_at: item.scanned_at });
      } catch (error) {
        if (isNetworkError(error)) break;
        const li = document.createElement("li");
        li.className = "list-group-item list-group-item-danger";
        li.textContent = `Scan of ${new Date(item.scanned_at).toLocaleTimeString()} refused: ${error.message}`;
        $("[data-refused]").append(li);
      }
      await store.delete("queue", item.nonce);
    }
  } finally {
    syncing = false;
    refresh();
  }
}

const scanner = new BadgeScanner(root.querySelector("[data-video]"), onCode);
async function start() {
  const problem = root.querySelector("[data-camera-problem]");
  try {
    await scanner.start();
    problem.hidden = true;
    $("[data-start]").hidden = true;
  } catch (error) {
    problem.textContent = `${error.message} Enter the code by hand instead.`;
    problem.hidden = false;
  }
}
$("[data-start]").addEventListener("click", start);
window.addEventListener("online", () => { refresh(); sync(); });
window.addEventListener("offline", refresh);
if (navigator.mediaDevices && navigator.permissions) {
  navigator.permissions.query({ name: "camera" }).then((p) => { if (p.state === "granted") start(); }).catch(() => {});
}
refresh();
sync();
setInterval(sync, 15000);
root.dataset.ready = "1";
