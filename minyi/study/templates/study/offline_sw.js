{% autoescape off %}/* Minyi offline study capture: the service worker of /study/offline/ (served by
   minyi.study.views_offline.service_worker). It keeps the page shell and its files on the phone and
   serves them from there when there is no network. Network first, so a phone with network always
   gets the current page; only GET requests of the shell are handled, so the sync POST and the data
   request always go to the server. */
"use strict";

const CACHE = "{{ cache_name }}";
const SHELL = {{ shell }};
const URLS = {{ urls }};
/* On a weak network (a boat near port) give up waiting after this long and use the copy. */
const NETWORK_TIMEOUT_MS = 5000;

function key(url) {
  const parsed = new URL(url, self.location.href);
  return parsed.origin + parsed.pathname;
}

const HANDLED = new Set(URLS.map(key));

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CACHE)
      .then((cache) => cache.addAll(URLS.map((url) => new Request(url, { credentials: "same-origin", cache: "reload" }))))
      .then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(
        names.filter((name) => name.startsWith("minyi-offline-") && name !== CACHE).map((name) => caches.delete(name))
      ))
      .then(() => self.clients.claim())
  );
});

function fromCache(cacheKey) {
  return caches.open(CACHE).then((cache) => cache.match(cacheKey, { ignoreSearch: true, ignoreVary: true }));
}

function networkFirst(request, cacheKey) {
  return new Promise((resolve) => {
    let settled = false;
    const finish = (response) => {
      if (!settled && response) {
        settled = true;
        resolve(response);
      }
    };
    const timer = setTimeout(() => { fromCache(cacheKey).then(finish); }, NETWORK_TIMEOUT_MS);
    fetch(request)
      .then((response) => {
        clearTimeout(timer);
        /* Keep only a real copy of the shell: never a redirect to the login page or an error. */
        if (response.ok && response.type === "basic" && !response.redirected) {
          const copy = response.clone();
          caches.open(CACHE).then((cache) => cache.put(cacheKey, copy));
        }
        finish(response);
      })
      .catch(() => {
        clearTimeout(timer);
        fromCache(cacheKey).then((hit) => finish(hit || Response.error()));
      });
  });
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") {
    return; /* the sync: straight to the server, never cached */
  }
  const cacheKey = key(request.url);
  if (request.mode === "navigate" && cacheKey === key(SHELL)) {
    event.respondWith(networkFirst(request, cacheKey));
  } else if (HANDLED.has(cacheKey)) {
    event.respondWith(networkFirst(request, cacheKey));
  }
});
{% endautoescape %}
