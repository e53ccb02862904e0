// The check-in desk: a handheld scanner types the code and Enter into the focused field;
// a phone can read the code with its camera. At the entrance it records the day's arrival,
// at a session's door (the "Door" list) attendance at that session.
//
// Online, each scan is sent once with a nonce and the answer is shown big. The desk keeps
// its own copy of the roster (desk-offline.js), refreshed while online. When the network
// fails or is slow (2 failed or slow answers among the last 5, as pretixSCAN does) the desk
// decides from that copy: a code that does not have the signed shape, or is not on the
// list, is refused; a scan it admits is queued with its nonce, desk and time, and the page
// says "offline — N waiting". The queue goes to the server when the network is back, and on
// a timer; the server keeps the earliest time and reports a badge admitted at two desks.
(function () {
  "use strict";
  var settings = document.getElementById("desk-settings").dataset;
  var store = window.DeskStore;
  var form = document.getElementById("scan-form");
  var code = document.getElementById("code");
  var desk = document.getElementById("desk");
  var door = document.getElementById("session");
  var override = document.getElementById("override");
  var answer = document.getElementById("answer");
  var status = document.getElementById("desk-status");
  var count = document.querySelector("#desk-count strong");
  var fill = document.getElementById("session-fill");
  var token = document.querySelector('meta[name="csrf-token"]').getAttribute("content");
  var autoPrint = document.getElementById("auto-print");
  // An answer slower than SLOW_MS counts against the network; none by GIVE_UP_MS is a failure.
  var SLOW_MS = 1500;
  var GIVE_UP_MS = 3000;
  var WINDOW = 5;
  var recent = [];
  var offline = false;
  var signedOut = false;
  var sending = false;
  var asked = Number(new URLSearchParams(location.search).get("session"));
  var sessionId = Number.isSafeInteger(asked) && asked > 0 ? asked : null;

  function say(template, values) {
    return template.replace(/\{(\w+)\}/g, function (whole, name) {
      return values[name] === undefined || values[name] === null ? "—" : String(values[name]);
    });
  }

  function clock(iso) {
    if (!iso) { return "—"; }
    return new Date(iso).toLocaleTimeString(document.documentElement.lang || undefined,
      { hour: "2-digit", minute: "2-digit", timeZone: settings.zone });
  }

  if (autoPrint && window.localStorage) {
    autoPrint.checked = localStorage.getItem("eventday-auto-print") === "1";
    autoPrint.addEventListener("change", function () {
      localStorage.setItem("eventday-auto-print", autoPrint.checked ? "1" : "0");
    });
  }
  if (!desk.value && window.localStorage) { desk.value = localStorage.getItem("eventday-desk") || ""; }
  desk.addEventListener("change", function () {
    if (window.localStorage) { localStorage.setItem("eventday-desk", desk.value); }
  });

  // The door chosen: the page again for that session (from the cache when offline).
  if (door) {
    door.value = sessionId ? String(sessionId) : "";
    door.addEventListener("change", function () {
      var address = new URL(location.href);
      address.search = door.value ? "?session=" + door.value : "";
      location.assign(address.toString());
    });
  }

  function line(className, text) {
    var p = document.createElement("p");
    p.className = className;
    p.textContent = text;
    return p;
  }

  function show(result) {
    answer.className = "answer answer-" + result.result;
    answer.replaceChildren(line("answer-result", result.message));
    var a = result.attendee;
    if (a) {
      answer.appendChild(line("answer-name", a.first_name + " " + a.last_name));
      var label = a.stakeholder_label || "";
      answer.appendChild(line("answer-facts", label + (a.organisation ? " · " + a.organisation : "")));
      if (a.workshops && a.workshops.length) { answer.appendChild(line("answer-facts", a.workshops.join(" · "))); }
    }
    if (result.session) { showFill(result.session.attended); }
    if (result.result === "ok" && count && !sessionId) { count.textContent = String(Number(count.textContent) + 1); }
    if (result.admitted_twice) { addTwice({ name: a ? a.first_name + " " + a.last_name : "", admissions: result.admitted_twice }); }
    var actions = document.createElement("div");
    actions.className = "answer-actions";
    if (result.result === "not_enrolled" && settings.mayOverride === "yes" && result.retry) {
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = settings.overrideLabel;
      button.addEventListener("click", function () { result.retry(); });
      actions.appendChild(button);
    }
    if (result.result === "ok" && a && a.badge_url && !sessionId) {
      var link = document.createElement("a");
      link.href = a.badge_url;
      link.target = "_blank";
      link.rel = "noopener";
      link.className = "button";
      link.textContent = settings.printLabel;
      actions.appendChild(link);
      if (autoPrint && autoPrint.checked) { window.open(a.badge_url, "_blank", "noopener"); }
    }
    if (result.result === "ok" && a && a.undo_url && !sessionId) { actions.appendChild(undoForm(result)); }
    if (actions.childNodes.length) { answer.appendChild(actions); }
  }

  function showFill(attended) {
    if (!fill) { return; }
    fill.querySelector("strong").textContent = String(attended);
  }

  // The same form the page has without JavaScript; sent here with fetch, so the camera keeps
  // running, and as a plain form (the desk page again) if the network fails.
  function undoForm(result) {
    var undo = document.createElement("form");
    undo.method = "post";
    undo.action = result.attendee.undo_url;
    undo.className = "undo-form";
    [["csrf_token", token], ["desk", desk.value]].forEach(function (pair) {
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = pair[0];
      input.value = pair[1];
      undo.appendChild(input);
    });
    var button = document.createElement("button");
    button.type = "submit";
    button.className = "secondary";
    button.textContent = settings.undoLabel;
    undo.appendChild(button);
    undo.addEventListener("submit", function (event) {
      event.preventDefault();
      button.disabled = true;
      fetch(undo.action, {
        method: "POST",
        headers: { "Accept": "application/json", "X-CSRFToken": token },
        body: new FormData(undo),
        credentials: "same-origin"
      }).then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      }).then(function (undone) {
        show({ result: undone.result, message: undone.message, attendee: result.attendee });
        if (count) { count.textContent = String(undone.arrived); }
        code.focus();
      }).catch(function () { undo.submit(); });
    });
    return undo;
  }

  function nonce() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    return String(Date.now()) + Math.random().toString(16).slice(2);
  }

  function digest(text) {
    var bytes = new TextEncoder().encode(text);
    return crypto.subtle.digest("SHA-256", bytes).then(function (hash) {
      return Array.prototype.map.call(new Uint8Array(hash), function (b) {
        return ("0" + b.toString(16)).slice(-2);
      }).join("");
    });
  }

  // A request that gives up after `wait` ms; a redirect (to the sign-in page) is a failure.
  function post(url, body, wait) {
    var controller = window.AbortController ? new AbortController() : null;
    var timer = controller ? setTimeout(function () { controller.abort(); }, wait) : null;
    return fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRFToken": token },
      body: JSON.stringify(body),
      credentials: "same-origin",
      signal: controller ? controller.signal : undefined
    }).then(function (response) {
      clearTimeout(timer);
      if (response.redirected || response.status === 401 || response.status === 403) {
        signedOut = true;
        throw new Error("signed out");
      }
      if (!response.ok) { throw new Error(String(response.status)); }
      return response.json();
    }, function (error) { clearTimeout(timer); throw error; });
  }

  function remember(bad) {
    recent.push(bad);
    if (recent.length > WINDOW) { recent.shift(); }
    var failures = recent.filter(Boolean).length;
    if (failures >= 2) { goOffline(); }
  }

  function goOffline() {
    if (!offline) { offline = true; }
    refreshStatus();
  }

  function goOnline() {
    offline = false;
    signedOut = false;
    recent = [];
    refreshStatus();
  }

  function refreshStatus() {
    return Promise.all([store.count(), store.meta()]).then(function (found) {
      var waiting = found[0], meta = found[1];
      var text;
      if (signedOut && waiting) { text = say(settings.signInAgain, { count: waiting }); }
      else if (sending && waiting) { text = say(settings.sending, { count: waiting }); }
      else if (offline && !meta.etag) { text = settings.noRoster; }
      else if (offline && waiting) { text = say(settings.offline, { count: waiting }); }
      else if (offline) { text = say(settings.offlineNone, { count: meta.size || 0, time: clock(meta.updated_at) }); }
      else if (waiting) { text = say(settings.onlineWaiting, { count: waiting }); }
      else { text = settings.online; }
      status.textContent = text;
      status.className = "desk-status" + (offline || signedOut ? " desk-offline" : "");
      document.body.classList.toggle("desk-is-offline", offline);
    });
  }

  // Decide from the desk's own copy; a scan admitted is queued.
  function decideHere(text, id, withOverride) {
    var normalised = text.trim().toUpperCase();
    return store.meta().then(function (meta) {
      if (!meta.etag) { return { result: "invalid", message: settings.noRoster, attendee: null }; }
      var shape = new RegExp("^(?:" + meta.code_pattern + ")$").exec(normalised);
      if (!shape || Number(shape[1]) !== meta.edition) {
        return { result: "invalid", message: settings.localInvalid, attendee: null };
      }
      return digest(normalised).then(function (key) {
        return store.find(key).then(function (entry) {
          if (!entry) {
            return { result: "invalid", message: say(settings.localUnknown, { time: clock(meta.updated_at) }), attendee: null };
          }
          return decideFor(entry, key, normalised, id, withOverride, meta);
        });
      });
    });
  }

  function sessionOf(meta) {
    return (meta.sessions || []).filter(function (s) { return s.id === sessionId; })[0] || null;
  }

  function decideFor(entry, key, normalised, id, withOverride, meta) {
    var person = {
      first_name: entry.first_name, last_name: entry.last_name, organisation: entry.organisation,
      stakeholder_label: entry.stakeholder_label, workshops: []
    };
    var workshops = {};
    (meta.sessions || []).forEach(function (s) { workshops[s.id] = s.title; });
    person.workshops = entry.workshops.map(function (w) { return workshops[w]; }).filter(Boolean);
    if (entry.status === "cancelled") { return { result: "cancelled", message: settings.localCancelled, attendee: person }; }
    if (entry.status !== "confirmed") { return { result: "not_confirmed", message: settings.localNotConfirmed, attendee: person }; }
    var now = new Date().toISOString();
    var scan = { key: key, code: normalised, nonce: id, at: now, desk: desk.value };
    var message = settings.localWelcome;
    if (sessionId) {
      var session = sessionOf(meta);
      if (!session) { return { result: "invalid", message: settings.localNoSession, attendee: null }; }
      if (entry.attended.indexOf(sessionId) !== -1) {
        return { result: "already_checked_in", message: settings.localAlreadySession, attendee: person };
      }
      if (session.enrolment && entry.workshops.indexOf(sessionId) === -1 && !withOverride) {
        return {
          result: "not_enrolled", message: settings.localNotEnrolled, attendee: person,
          retry: function () { decideOrSay(normalised, nonce(), true); }
        };
      }
      scan.session = sessionId;
      if (withOverride) { scan.override = true; message = settings.localOverridden; }
    } else if (entry.checked_in_at) {
      return {
        result: "already_checked_in", attendee: person,
        message: say(settings.localAlready, { time: clock(entry.checked_in_at), desk: entry.checked_in_desk || "—" })
      };
    }
    return store.admit(scan).then(function () {
      if (sessionId && fill) { showFill(Number(fill.querySelector("strong").textContent) + 1); }
      return { result: "ok", message: message, attendee: person };
    });
  }

  // Whatever goes wrong with the desk's own copy, the person in front gets an answer.
  function decideOrSay(text, id, withOverride) {
    return decideHere(text, id, withOverride).catch(function () {
      return { result: "invalid", message: settings.localFailed, attendee: null };
    }).then(shown);
  }

  function shown(result) {
    show(result);
    refreshStatus();
    code.focus();
  }

  function scan(text, withOverride) {
    text = text.trim();
    if (!text) { return; }
    var id = nonce();
    if (offline) {
      decideOrSay(text, id, withOverride);
      return;
    }
    var started = Date.now();
    var body = { code: text, desk: desk.value, nonce: id };
    if (sessionId) { body.session = sessionId; }
    if (withOverride) { body.override = true; }
    post(settings.scanUrl, body, GIVE_UP_MS).then(function (result) {
      remember(Date.now() - started > SLOW_MS);
      if (result.result === "not_enrolled") { result.retry = function () { scan(text, true); }; }
      shown(result);
      if (result.result === "ok") {
        // The desk's copy follows, should the network go next (failing here changes nothing).
        digest(text.trim().toUpperCase()).then(function (key) {
          return store.learn(key, { at: result.checked_in_at, desk: desk.value, session: sessionId });
        }).catch(function () {});
      }
    }).catch(function () {
      // No answer in time: the desk decides now (the person is not kept waiting) and sends
      // the scan later with the same nonce, so a scan that did reach the server counts once.
      remember(true);
      decideOrSay(text, id, withOverride);
    });
  }

  // The queue, oldest first, in batches; what the server answers replaces the desk's guess.
  function sendQueue() {
    if (sending) { return Promise.resolve(); }
    sending = true;
    return store.queued().then(function (queued) {
      if (!queued.length) { sending = false; return null; }
      refreshStatus();
      // One desk per request (CONTRACT.md): scans made under another desk name go next time.
      var batch = queued.filter(function (s) { return s.desk === queued[0].desk; }).slice(0, 500);
      var scans = batch.map(function (s) {
        var item = { code: s.code, nonce: s.nonce, at: s.at };
        if (s.session) { item.session = s.session; }
        if (s.override) { item.override = true; }
        return item;
      });
      return post(settings.syncUrl, { desk: batch[0].desk, scans: scans }, 15000).then(function (reply) {
        reply.answers.forEach(function (told) {
          if (told.admitted_twice) {
            var a = told.attendee || {};
            addTwice({ name: (a.first_name || "") + " " + (a.last_name || ""), admissions: told.admitted_twice });
          }
        });
        return store.forget(batch.map(function (s) { return s.seq; }));
      }).then(function () {
        sending = false;
        goOnline();
        return queued.length > batch.length ? sendQueue() : refreshRoster();
      });
    }).catch(function () {
      sending = false;
      refreshStatus();
    });
  }

  function refreshRoster() {
    return store.meta().then(function (meta) {
      var headers = { "Accept": "application/json" };
      if (meta.etag) { headers["If-None-Match"] = '"' + meta.etag + '"'; }
      return fetch(settings.rosterUrl, { headers: headers, credentials: "same-origin", cache: "no-store" }).then(function (response) {
        if (response.redirected) { signedOut = true; throw new Error("signed out"); }
        var fresh = response.headers.get("X-CSRFToken");
        if (fresh) { token = fresh; }
        if (response.status === 304) { return meta.admitted_twice; }
        if (!response.ok) { throw new Error(String(response.status)); }
        var etag = (response.headers.get("ETag") || "").replace(/^W\//, "").replace(/"/g, "");
        return response.json().then(function (roster) {
          return store.saveRoster(roster, etag).then(function () {
            var mine = (roster.sessions || []).filter(function (s) { return s.id === sessionId; })[0];
            if (mine) { store.queued().then(function (q) { showFill(mine.attended + q.filter(function (s) { return s.session === sessionId; }).length); }); }
            return roster.admitted_twice;
          });
        });
      }).then(function (twice) {
        (twice || []).forEach(addTwice);
        if (offline) { goOnline(); }
        refreshStatus();
      });
    }).catch(function () { refreshStatus(); });
  }

  var twiceSeen = {};
  function addTwice(item) {
    var admissions = item.admissions || [];
    if (admissions.length < 2) { return; }
    var text = say(settings.twiceLine, {
      name: item.name, first_desk: admissions[0].desk || "—", first: clock(admissions[0].at),
      second_desk: admissions[1].desk || "—", second: clock(admissions[1].at)
    });
    if (twiceSeen[text]) { return; }
    twiceSeen[text] = true;
    var li = document.createElement("li");
    li.textContent = text;
    document.getElementById("twice-list").appendChild(li);
    document.getElementById("twice").hidden = false;
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = code.value;
    code.value = "";
    scan(text, override ? override.checked : false);
    code.focus();
  });

  // Focus returns to the field after any click elsewhere, so the scanner always types into it.
  document.addEventListener("click", function (event) {
    if (!event.target.closest("input, button, a, select, textarea, label")) { code.focus(); }
  });

  // Signing out leaves nothing of the roster or the queue on the device (the server's answer
  // also says so, with Clear-Site-Data); unsent scans are sent first, or the desk asks.
  var logout = document.querySelector("form.logout");
  if (logout) {
    logout.addEventListener("submit", function (event) {
      event.preventDefault();
      sendQueue().then(function () { return store.count(); }).then(function (waiting) {
        if (waiting && !window.confirm(say(settings.unsentWarning, { count: waiting }))) { return; }
        return store.clear().then(function () { logout.submit(); });
      }).catch(function () { logout.submit(); });
    });
  }

  window.addEventListener("online", function () { sendQueue(); });
  setInterval(function () { sendQueue(); }, Number(settings.syncSeconds) * 1000);
  setInterval(refreshRoster, Number(settings.rosterSeconds) * 1000);

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(settings.workerUrl, { scope: settings.scope }).catch(function () {});
  }
  if (!navigator.onLine) { offline = true; }
  refreshStatus();
  sendQueue().then(function () { return store.queued(); }).then(function (q) { if (!q.length) { return refreshRoster(); } });
  // Exposed for the tests and for a desk's console.
  window.eventdayDesk = { sendQueue: sendQueue, refreshRoster: refreshRoster, isOffline: function () { return offline; } };

  var cameraButton = document.getElementById("camera-button");
  var video = document.getElementById("camera");
  if (navigator.mediaDevices && navigator.mediaDevices.getUserMedia && window.jsQR) {
    cameraButton.hidden = false;
  }
  var lastCode = "", lastTime = 0;
  cameraButton.addEventListener("click", function () {
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }).then(function (stream) {
      video.srcObject = stream;
      video.hidden = false;
      video.play();
      var canvas = document.createElement("canvas");
      var context = canvas.getContext("2d", { willReadFrequently: true });
      (function frame() {
        if (video.readyState === video.HAVE_ENOUGH_DATA) {
          canvas.width = video.videoWidth;
          canvas.height = video.videoHeight;
          context.drawImage(video, 0, 0, canvas.width, canvas.height);
          var image = context.getImageData(0, 0, canvas.width, canvas.height);
          var found = window.jsQR(image.data, image.width, image.height, { inversionAttempts: "dontInvert" });
          var now = Date.now();
          if (found && found.data && (found.data !== lastCode || now - lastTime > 3000)) {
            lastCode = found.data;
            lastTime = now;
            scan(found.data, false);
          }
        }
        requestAnimationFrame(frame);
      })();
    }).catch(function () {
      show({ result: "invalid", message: settings.cameraError, attendee: null });
    });
  });
})();
