// The check-in desk's service worker: it keeps the desk's page and files so the desk opens
// and works with the network gone. Only the desk's own addresses are answered from the
// cache; everything else (scans, sync, the roster) goes to the network as if it were not here.
"use strict";
var CACHE = "eventday-desk-{{ version }}";
var SHELL = {{ shell|tojson }};
var PAGE = {{ page|tojson }};
var NETWORK_WAIT_MS = 3000;

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    var files = SHELL.filter(function (url) { return url !== PAGE; });
    return cache.addAll(files).then(function () { return keepPage(cache, new Request(PAGE)); });
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) {
      return name.indexOf("eventday-desk-") === 0 && name !== CACHE;
    }).map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

// The page is kept only when it really is the desk (not the sign-in page after a redirect),
// under its address without a search: a name searched for is not kept on the device.
function keepPage(cache, request) {
  return fetch(request, { credentials: "same-origin" }).then(function (response) {
    if (response.ok && !response.redirected) {
      return cache.put(pageKey(request.url), response.clone()).then(function () { return response; });
    }
    return response;
  });
}

function pageKey(address) {
  var url = new URL(address);
  var session = url.searchParams.get("session");
  return url.pathname + (session ? "?session=" + encodeURIComponent(session) : "");
}

function withTimeout(promise) {
  return new Promise(function (resolve, reject) {
    var timer = setTimeout(function () { reject(new Error("timeout")); }, NETWORK_WAIT_MS);
    promise.then(function (value) { clearTimeout(timer); resolve(value); },
                 function (error) { clearTimeout(timer); reject(error); });
  });
}

function cachedPage(address) {
  return caches.open(CACHE).then(function (cache) {
    return cache.match(pageKey(address)).then(function (found) { return found || cache.match(PAGE); });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) { return; }
  if (request.mode === "navigate" && url.pathname === PAGE) {
    var searched = url.searchParams.has("q");
    event.respondWith(caches.open(CACHE).then(function (cache) {
      var network = searched ? fetch(request) : keepPage(cache, request);
      return withTimeout(network).catch(function () {
        return cachedPage(request.url).then(function (found) { return found || Response.error(); });
      });
    }));
    return;
  }
  if (SHELL.indexOf(url.pathname + url.search) !== -1) {
    event.respondWith(caches.match(request).then(function (found) { return found || fetch(request); }));
  }
});
