/* The field area's service worker, served at /field/sw.js (scope /field/). The view that serves it puts
   self.FIELD = {version, assets, scope} in front of this file.

   - Static files and the offline page: kept at install, served from the cache first.
   - Field pages (the week, each visit, the re-inspections): from the network first, the copy kept when there
     is no answer in time; each good answer refreshes the copy. The week page asks, once loaded, to keep every
     visit page of the week ("keep" message).
   - The API is never touched here: its writes go through the page's outbox, which knows when it is offline. */
/* global self, caches, fetch, clients */
"use strict";

const CONFIG = self.FIELD;
const CACHE = "field-" + CONFIG.version;
const NETWORK_WAIT_MS = 5000;

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(CONFIG.assets))
      .then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((name) => name.startsWith("field-") && name !== CACHE).map((name) => caches.delete(name))))
      .then(() => self.clients.claim())
  );
});

function isPage(request, url) {
  return request.mode === "navigate" && url.pathname.startsWith(CONFIG.scope);
}

/* A page worth keeping: a full answer of the field area itself, not the sign-in page it was redirected to. */
function keepable(response) {
  return response && response.ok && !response.redirected && response.type === "basic";
}

function withTimeout(promise, ms) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("timeout")), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error) => {
        clearTimeout(timer);
        reject(error);
      }
    );
  });
}

async function pageFromNetworkFirst(request) {
  const cache = await caches.open(CACHE);
  const network = fetch(request);
  try {
    const response = await withTimeout(network, NETWORK_WAIT_MS);
    if (keepable(response)) await cache.put(request.url, response.clone());
    return response;
  } catch (error) {
    const kept = await cache.match(request.url, { ignoreVary: true });
    if (kept) return kept;
    try {
      return await network; // slow, but better than nothing when nothing is kept
    } catch (networkError) {
      return (await cache.match(CONFIG.scope + "offline/", { ignoreVary: true })) || Response.error();
    }
  }
}

async function assetFromCacheFirst(request) {
  const cache = await caches.open(CACHE);
  const kept = await cache.match(request, { ignoreVary: true });
  if (kept) return kept;
  const response = await fetch(request);
  if (keepable(response)) await cache.put(request, response.clone());
  return response;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (isPage(request, url)) {
    event.respondWith(pageFromNetworkFirst(request));
  } else if (CONFIG.assets.includes(url.pathname)) {
    event.respondWith(assetFromCacheFirst(request));
  }
});

/* The week page's list of pages to keep: fetched now (with the officer's cookies) and stored. */
self.addEventListener("message", (event) => {
  const data = event.data || {};
  if (data.type !== "keep") return;
  const port = event.ports && event.ports[0];
  const work = caches.open(CACHE).then((cache) =>
    Promise.all(
      [...CONFIG.assets, ...data.urls].map((path) =>
        fetch(path, { credentials: "same-origin" }).then((response) => {
          if (!keepable(response)) throw new Error(path + ": " + response.status);
          return cache.put(new URL(path, self.location.origin).href, response);
        })
      )
    )
  );
  event.waitUntil(
    work.then(
      () => port && port.postMessage({ ok: true }),
      (error) => port && port.postMessage({ ok: false, error: String(error) })
    )
  );
});
