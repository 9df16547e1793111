// Reusable scanner pieces: camera + QR decode, answer overlay + sound, IndexedDB store.
// Check-in uses them at gates; lead retrieval (exhibitors) plugs its own onCode handler.
import QrScanner from "/static/vendor/qr-scanner/qr-scanner.min.js";

// Camera that decodes continuously and calls onCode(text) once per badge shown
// (the same text again within `repeatMs` is ignored: the badge is still in view).
export class BadgeScanner {
  constructor(video, onCode, { repeatMs = 4000 } = {}) {
    this.video = video; this.onCode = onCode; this.repeatMs = repeatMs;
    this.last = { text: null, at: 0 }; this.busy = false; this.qr = null;
  }
  async start() {
    this.qr = new QrScanner(this.video, (result) => this._decoded(result.data), {
      returnDetailedScanResult: true, highlightScanRegion: true, highlightCodeOutline: true,
      maxScansPerSecond: 10, preferredCamera: "environment",
    });
    try {
      await this.qr.start();
    } catch (error) {
      // qr-scanner blames https for every failure: ask the camera directly for the truth.
      try { (await navigator.mediaDevices.getUserMedia({ video: true })).getTracks().forEach((t) => t.stop()); }
      catch (real) { throw new Error(real.name === "NotAllowedError" ? "Camera permission was refused." : "No camera found (" + real.name + ")."); }
      throw error;
    }
  }
  stop() { if (this.qr) { this.qr.stop(); } }
  async _decoded(text) {
    const now = Date.now();
    if (this.busy || (text === this.last.text && now - this.last.at < this.repeatMs)) return;
    this.last = { text, at: now }; this.busy = true;
    try { await this.onCode(text); } finally { this.busy = false; this.last.at = Date.now(); }
  }
}

// Full-screen answer: green / amber / red, name, organisation, pass, message, a sound.
export class AnswerOverlay {
  constructor(element) { this.el = element; this.timer = null; element.addEventListener("click", () => this.hide()); this.audio = null; }
  show({ colour, title, name, detail, pass, passColour, message, note }, ms = 2600) {
    const el = this.el;
    el.className = "scan-answer scan-" + colour;
    el.querySelector("[data-answer-title]").textContent = title;
    el.querySelector("[data-answer-name]").textContent = name || "";
    el.querySelector("[data-answer-detail]").textContent = detail || "";
    const passEl = el.querySelector("[data-answer-pass]");
    passEl.textContent = pass || ""; passEl.hidden = !pass; passEl.style.background = passColour || "";
    el.querySelector("[data-answer-message]").textContent = message || "";
    el.querySelector("[data-answer-note]").textContent = note || "";
    el.hidden = false;
    this.beep(colour);
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.hide(), ms);
  }
  hide() { this.el.hidden = true; }
  beep(colour) {
    try {
      this.audio = this.audio || new (window.AudioContext || window.webkitAudioContext)();
      const tones = colour === "green" ? [[880, 0, 0.12]] : colour === "amber" ? [[660, 0, 0.12], [660, 0.18, 0.12]] : [[220, 0, 0.35]];
      for (const [freq, start, length] of tones) {
        const osc = this.audio.createOscillator(), gain = this.audio.createGain();
        osc.frequency.value = freq; osc.type = colour === "red" ? "square" : "sine";
        gain.gain.value = 0.15; osc.connect(gain); gain.connect(this.audio.destination);
        osc.start(this.audio.currentTime + start); osc.stop(this.audio.currentTime + start + length);
      }
    } catch (e) { /* no audio: the colour still says it */ }
  }
}

// A tiny promise wrapper over one IndexedDB database with named object stores.
export class Store {
  constructor(name, stores) { this.name = name; this.stores = stores; this.db = null; }
  open() {
    if (this.db) return Promise.resolve(this.db);
    return new Promise((resolve, reject) => {
      const request = indexedDB.open(this.name, 1);
      request.onupgradeneeded = () => {
        for (const [store, keyPath] of Object.entries(this.stores)) {
          if (!request.result.objectStoreNames.contains(store)) request.result.createObjectStore(store, { keyPath });
        }
      };
      request.onsuccess = () => { this.db = request.result; resolve(this.db); };
      request.onerror = () => reject(request.error);
    });
  }
  async _tx(store, mode, work) {
    const db = await this.open();
    return new Promise((resolve, reject) => {
      const tx = db.transaction(store, mode); const request = work(tx.objectStore(store));
      tx.oncomplete = () => resolve(request && request.result); tx.onerror = () => reject(tx.error);
    });
  }
  get(store, key) { return this._tx(store, "readonly", (s) => s.get(key)); }
  put(store, value) { return this._tx(store, "readwrite", (s) => s.put(value)); }
  delete(store, key) { return this._tx(store, "readwrite", (s) => s.delete(key)); }
  all(store) { return this._tx(store, "readonly", (s) => s.getAll()); }
  count(store) { return this._tx(store, "readonly", (s) => s.count()); }
}

export function nonce() {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
