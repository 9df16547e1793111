// The gate scanner page: camera -> verify -> check in online, or decide offline and queue.
import { BadgeScanner, AnswerOverlay, Store, nonce } from "./scanner.js";
import { verifyToken, keysFromBundle, REASONS, TokenError } from "./badge-verify.js";
import { decide, kindFacts, localParts } from "./rules.js";

const TITLES = {
  ok: "Admitted", already_checked_in: "Already checked in", invalid: "Not a valid badge",
  revoked: "Revoked badge", not_allowed: "Not allowed here", outside_hours: "Outside opening hours",
  unpaid: "Unpaid", cancelled: "Cancelled",
};
const COLOURS = { ok: "green", already_checked_in: "amber", outside_hours: "amber" };

const root = document.getElementById("scanner");
const slug = root.dataset.slug;
const api = `/api/v1/events/${slug}/checkin`;
const store = new Store("expo-checkin", { queue: "nonce", bundles: "key", meta: "key" });
const overlay = new AnswerOverlay(document.getElementById("scan-answer"));
const $ = (sel) => root.querySelector(sel);
const state = { gate: null, gates: [], bundle: null, keys: null, localAdmitted: new Set(), counts: null,
  offlineCounts: { admitted: 0, refused: 0 }, direction: "in", syncing: false };

// ---------------------------------------------------------------- identity
const fragment = new URLSearchParams(location.hash.slice(1));
if (fragment.get("device")) {
  localStorage.setItem(`expo-device:${slug}`, fragment.get("device"));
  history.replaceState(null, "", location.pathname);
}
if (fragment.get("gate")) localStorage.setItem(`expo-gate:${slug}`, fragment.get("gate"));
const deviceToken = localStorage.getItem(`expo-device:${slug}`);

function headers(json) {
  const h = json ? { "Content-Type": "application/json" } : {};
  if (deviceToken) h.Authorization = `Bearer ${deviceToken}`;
  else if (window.expoCsrf) h["X-CSRFToken"] = window.expoCsrf;
  return h;
}
async function call(path, body) {
  const response = await fetch(path, { method: body ? "POST" : "GET", headers: headers(!!body),
    body: body ? JSON.stringify(body) : undefined, credentials: "same-origin" });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) { const e = new Error(data.detail || response.statusText); e.status = response.status; e.code = data.code; throw e; }
  return data;
}
const isNetworkError = (e) => e instanceof TypeError || e.status === 502 || e.status === 503 || e.status === 504;

// ---------------------------------------------------------------- status bar
async function refreshStatus() {
  const online = navigator.onLine;
  const queued = await store.count("queue");
  const net = $("[data-net]");
  net.className = "badge fs-6 " + (online ? "text-bg-success" : "text-bg-danger");
  net.innerHTML = online ? '<i class="bi bi-wifi"></i> Online' : '<i class="bi bi-wifi-off"></i> Offline';
  $("[data-queued]").textContent = queued;
  $("[data-queued-box]").classList.toggle("text-bg-warning", queued > 0);
  const bundleAt = state.bundle ? new Date(state.bundle.generated_at) : null;
  $("[data-bundle]").textContent = bundleAt ? `attendee list of ${bundleAt.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })} · ${state.bundle.attendees.length} people` : "no attendee list yet";
  const c = state.counts || { admitted: 0, refused: 0, inside: 0 };
  $("[data-count-admitted]").textContent = c.admitted + state.offlineCounts.admitted;
  $("[data-count-refused]").textContent = c.refused + state.offlineCounts.refused;
  $("[data-count-inside]").textContent = c.inside;
  root.classList.toggle("is-offline", !online);
}

async function refreshCounts() {
  if (!state.gate || !navigator.onLine) return refreshStatus();
  try { state.counts = await call(`${api}/counts?gate=${encodeURIComponent(state.gate.code)}`); state.offlineCounts = { admitted: 0, refused: 0 }; }
  catch (e) { /* keep the last counts */ }
  return refreshStatus();
}

// ---------------------------------------------------------------- gates and bundle
async function loadGates() {
  try {
    state.gates = await call(`${api}/gates`);
    await store.put("meta", { key: `gates:${slug}`, gates: state.gates });
  } catch (e) {
    if (!isNetworkError(e)) return showProblem(e.status === 401 || e.status === 403 || e.status === 404
      ? "This browser may not scan here: log in as gate staff, or set it up with a device link from the organisers." : e.message);
    const saved = await store.get("meta", `gates:${slug}`);
    state.gates = saved ? saved.gates : [];
  }
  const select = $("[data-gate-select]");
  select.innerHTML = "";
  for (const g of state.gates) select.add(new Option(`${g.name} · ${g.zone_name}`, g.code));
  if (!state.gates.length) return showProblem("No gate is open for this scanner yet: ask the organisers.");
  const wanted = localStorage.getItem(`expo-gate:${slug}`);
  select.value = state.gates.some((g) => g.code === wanted) ? wanted : state.gates[0].code;
  await chooseGate(select.value);
}

async function chooseGate(code) {
  state.gate = state.gates.find((g) => g.code === code);
  localStorage.setItem(`expo-gate:${slug}`, code);
  $("[data-direction-box]").hidden = !state.gate.scan_exits;
  if (!state.gate.scan_exits) setDirection("in");
  const saved = await store.get("bundles", `${slug}:${code}`);
  useBundle(saved ? saved.bundle : null);
  await downloadBundle();
  await refreshCounts();
}

function useBundle(bundle) {
  state.bundle = bundle;
  state.keys = bundle ? keysFromBundle(bundle) : null;
  state.byId = new Map();
  if (bundle) for (const row of bundle.attendees) state.byId.set(row[0], row);
  state.localAdmitted = new Set(bundle ? bundle.admitted : []);
}

async function downloadBundle() {
  if (!state.gate || !navigator.onLine) return;
  try {
    const bundle = await call(`${api}/bundle?gate=${encodeURIComponent(state.gate.code)}`);
    const queued = (await store.all("queue")).filter((q) => q.gate === state.gate.code && q.offline_result === "ok");
    await store.put("bundles", { key: `${slug}:${state.gate.code}`, bundle });
    useBundle(bundle);
    for (const q of queued) if (q.registration_id_seen) state.localAdmitted.add(q.registration_id_seen);
    root.dataset.bundleReady = "1";
  } catch (e) { /* offline or refused: keep the copy we have */ }
  refreshStatus();
}

// ---------------------------------------------------------------- scanning
function attendeeFromRow(row) {
  const pass = state.bundle.pass_types[row[3]] || { name: "", zones: [], colour: "" };
  return { id: row[0], serial: row[1], status: row[2], name: row[4], organisation: row[5], country: row[6],
    pass_type: pass.name, pass_colour: pass.colour, zones: pass.zones, pass_name: pass.name,
    extra: kindFacts(state.bundle.kind_data, row[0]) };
}

async function decideOffline({ code, registrationId }) {
  if (!state.bundle) return { result: "invalid", message: "No attendee list on this device yet: connect once to download it." };
  let attendee = null, problem = null, reason = "";
  if (registrationId) {
    const row = state.byId.get(registrationId);
    attendee = row ? attendeeFromRow(row) : null;
  } else {
    try {
      const claims = await verifyToken(code, state.keys, state.bundle.event.id);
      const row = state.byId.get(claims.registrationId);
      if (!row) { problem = "invalid"; reason = "No registration matches this badge (not in the downloaded list)."; }
      else {
        attendee = attendeeFromRow(row);
        if (claims.serial < attendee.serial) { problem = "revoked"; reason = "This badge was replaced by a newer one (reissued)."; }
      }
    } catch (e) {
      problem = "invalid"; reason = e instanceof TokenError ? (REASONS[e.code] || "Not a valid badge.") : "Not a valid badge.";
    }
  }
  const local = localParts(new Date(), state.bundle.event.time_zone);
  let [result, message] = decide(state.bundle.gate, problem, reason, attendee, local, state.direction);
  if (result === "ok" && state.direction === "in" && !state.bundle.gate.allow_reentry && state.localAdmitted.has(attendee.id)) {
    result = "already_checked_in"; message = "Already checked in at this gate (offline list).";
  }
  if (result === "ok" && state.direction === "in") state.localAdmitted.add(attendee.id);
  return { result, message, attendee, registration_id_seen: attendee && attendee.id };
}

async function handle({ code, registrationId }) {
  const body = { gate: state.gate.code, direction: state.direction, nonce: nonce(), scanned_at: new Date().toISOString() };
  if (registrationId) body.registration_id = registrationId; else body.code = code;
  let answer = null, offline = false;
  if (navigator.onLine) {
    try { answer = await call(api, body); }
    catch (e) {
      if (!isNetworkError(e)) { overlay.show({ colour: "red", title: "Not recorded", message: e.message }); return; }
    }
  }
  if (!answer) {
    offline = true;
    answer = await decideOffline({ code, registrationId });
    await store.put("queue", { ...body, offline_result: answer.result, registration_id_seen: answer.registration_id_seen });
    if (answer.result === "ok") state.offlineCounts.admitted += 1; else if (answer.result !== "already_checked_in") state.offlineCounts.refused += 1;
  } else if (state.counts) {
    if (answer.result === "ok" && state.direction === "in") state.counts.admitted += 1;
    else if (answer.result !== "ok" && answer.result !== "already_checked_in") state.counts.refused += 1;
  }
  const a = answer.attendee;
  const title = answer.result === "ok" && state.direction === "out" ? "Exit recorded" : TITLES[answer.result];
  let note = offline ? "Offline: decided on this device, will upload when the network returns." : "";
  if (answer.first_checked_in_at) note = `First entry ${new Date(answer.first_checked_in_at).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })}`;
  overlay.show({ colour: COLOURS[answer.result] || "red", title, name: a && a.name,
    detail: a ? [a.organisation, a.country].filter(Boolean).join(" · ") : "", pass: a && a.pass_type,
    passColour: a && a.pass_colour, message: answer.message, note });
  addToLog(answer, title, offline);
  root.dataset.lastResult = answer.result;
  refreshStatus();
}

function addToLog(answer, title, offline) {
  const list = $("[data-log]");
  const item = document.createElement("li");
  item.className = "list-group-item d-flex justify-content-between align-items-center gap-2";
  const dot = document.createElement("span");
  dot.className = "scan-dot scan-" + (COLOURS[answer.result] || "red");
  const text = document.createElement("span");
  text.className = "flex-grow-1";
  text.textContent = `${answer.attendee ? answer.attendee.name : "—"} · ${title}`;
  const when = document.createElement("small");
  when.className = "text-body-secondary";
  when.textContent = new Date().toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" }) + (offline ? " · queued" : "");
  item.append(dot, text, when);
  list.prepend(item);
  while (list.children.length > 8) list.lastChild.remove();
}

// ---------------------------------------------------------------- sync
async function sync() {
  if (state.syncing || !navigator.onLine) return refreshStatus();
  const queued = await store.all("queue");
  if (!queued.length) return refreshStatus();
  state.syncing = true;
  try {
    const batch = queued.slice(0, 200).map(({ registration_id_seen, ...item }) => item);
    const answer = await call(`${api}/sync`, { scans: batch });
    for (const item of answer.results) await store.delete("queue", item.nonce);
    const left = await store.count("queue");
    toast(`${answer.recorded + answer.already_recorded} offline scan${batch.length === 1 ? "" : "s"} uploaded` +
      (answer.conflicts ? ` · ${answer.conflicts} conflict${answer.conflicts === 1 ? "" : "s"} for the organisers` : "") +
      (left ? ` · ${left} still waiting` : ""));
    await downloadBundle();
    await refreshCounts();
  } catch (e) { /* still offline: try again later */ }
  finally { state.syncing = false; refreshStatus(); }
}

function toast(text) {
  const el = $("[data-toast]");
  el.textContent = text; el.hidden = false;
  clearTimeout(el._t); el._t = setTimeout(() => { el.hidden = true; }, 6000);
}

function showProblem(text) {
  const el = $("[data-problem]");
  el.textContent = text; el.hidden = false;
}

function setDirection(direction) {
  state.direction = direction;
  root.querySelectorAll("[data-direction]").forEach((b) => b.classList.toggle("active", b.dataset.direction === direction));
}

// ---------------------------------------------------------------- manual search
async function search(q) {
  const list = $("[data-search-results]");
  list.innerHTML = "";
  if (q.trim().length < 2) return;
  let found = [];
  if (navigator.onLine) {
    try { found = await call(`${api}/search?q=${encodeURIComponent(q)}`); } catch (e) { found = null; }
  }
  if ((!navigator.onLine || found === null) && state.bundle) {
    const needle = q.trim().toLowerCase();
    found = state.bundle.attendees.filter((r) => r[4].toLowerCase().includes(needle) || r[5].toLowerCase().includes(needle))
      .slice(0, 20).map(attendeeFromRow);
  }
  for (const person of found || []) {
    const item = document.createElement("button");
    item.type = "button"; item.className = "list-group-item list-group-item-action";
    item.innerHTML = '<div class="fw-semibold"></div><div class="small text-body-secondary"></div>';
    item.firstChild.textContent = person.name;
    item.lastChild.textContent = [person.organisation, person.pass_type, person.reference].filter(Boolean).join(" · ");
    item.addEventListener("click", () => { list.innerHTML = ""; $("[data-search]").value = ""; handle({ registrationId: person.id }); });
    list.append(item);
  }
  if (found && !found.length) list.innerHTML = '<div class="list-group-item text-body-secondary">Nobody found.</div>';
}

// ---------------------------------------------------------------- start
async function start() {
  if (!root.dataset.sessionOk && !deviceToken) {
    showProblem("Log in as gate staff, or open the device setup link from the organisers, to scan here.");
    return;
  }
  if ("serviceWorker" in navigator) navigator.serviceWorker.register("/sw.js").catch(() => {});
  $("[data-gate-select]").addEventListener("change", (e) => chooseGate(e.target.value));
  root.querySelectorAll("[data-direction]").forEach((b) => b.addEventListener("click", () => setDirection(b.dataset.direction)));
  let timer = null;
  $("[data-search]").addEventListener("input", (e) => { clearTimeout(timer); timer = setTimeout(() => search(e.target.value), 250); });
  window.addEventListener("online", () => { refreshStatus(); sync(); });
  window.addEventListener("offline", refreshStatus);
  await loadGates();
  await sync();
  setInterval(sync, 5000);
  setInterval(refreshCounts, 20000);
  setInterval(downloadBundle, 5 * 60 * 1000);
  const scanner = new BadgeScanner($("[data-video]"), (code) => state.gate && handle({ code }));
  window.expoScanner = { handle, sync, state };
  try { await scanner.start(); root.dataset.camera = "on"; }
  catch (e) { root.dataset.camera = "off"; $("[data-camera-problem]").textContent = e.message + " Find people by name instead."; $("[data-camera-problem]").hidden = false; }
}
start();
