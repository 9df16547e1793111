// expo scanner service worker: keeps the scanner page and its code working offline.
const CACHE = "expo-scanner-v2";
const ASSETS = [
  "/static/checkin/checkin-page.js", "/static/checkin/scanner.js", "/static/checkin/badge-verify.js",
  "/static/checkin/rules.js", "/static/checkin/scanner.css", "/static/css/app.css", "/static/js/app.js",
  "/static/vendor/qr-scanner/qr-scanner.min.js", "/static/vendor/qr-scanner/qr-scanner-worker.min.js",
  "/static/vendor/noble-ed25519/index.js", "/static/vendor/bootstrap/bootstrap.min.css",
  "/static/vendor/bootstrap/bootstrap.bundle.min.js", "/static/vendor/bootstrap-icons/bootstrap-icons.min.css",
  "/static/vendor/bootstrap-icons/fonts/bootstrap-icons.woff2",
  "/static/vendor/simple-datatables/style.css", "/static/vendor/simple-datatables/simple-datatables.js",
];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(ASSETS)).then(() => self.skipWaiting()));
});
self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys().then((names) => Promise.all(names.filter((n) => n !== CACHE).map((n) => caches.delete(n))))
    .then(() => self.clients.claim()));
});
self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== location.origin || url.pathname.startsWith("/api/")) return;
  if (/^\/events\/[^/]+\/scan$/.test(url.pathname)) {
    // The page: fresh when online (new CSRF token, new code), the cached copy when not.
    event.respondWith(fetch(event.request).then((response) => {
      if (response.ok) { const copy = response.clone(); caches.open(CACHE).then((c) => c.put(url.pathname, copy)); }
      return response;
    }).catch(() => caches.match(url.pathname)));
    return;
  }
  if (url.pathname.startsWith("/static/")) {
    event.respondWith(caches.match(url.pathname).then((hit) => hit || fetch(event.request)));
  }
});
