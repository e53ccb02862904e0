// The check-in desk's own copy, in IndexedDB: the roster it decides from when the network is
// gone, and the queue of scans it made meanwhile. window.DeskStore, used by checkin.js.
//
// Stores: "attendees" (by the digest of a badge's code: name, profile, status, workshops,
// arrival, sessions attended), "queue" (scans not yet sent, in the order they were made)
// and "meta" (the roster's ETag and time, the sessions, the double admissions).
(function () {
  "use strict";
  var NAME = "eventday-desk";
  var opened = null;

  function open() {
    if (opened) { return opened; }
    opened = new Promise(function (resolve, reject) {
      var request = indexedDB.open(NAME, 1);
      request.onupgradeneeded = function () {
        var db = request.result;
        db.createObjectStore("attendees", { keyPath: "key" });
        db.createObjectStore("queue", { keyPath: "seq", autoIncrement: true });
        db.createObjectStore("meta");
      };
      request.onsuccess = function () {
        var db = request.result;
        // Another tab signing out (Clear-Site-Data) or a newer version: open again next time.
        db.onversionchange = function () { db.close(); opened = null; };
        db.onclose = function () { opened = null; };
        resolve(db);
      };
      request.onerror = function () { opened = null; reject(request.error); };
      request.onblocked = function () { opened = null; reject(new Error("blocked")); };
    });
    return opened;
  }

  // Runs `work(stores)` in one transaction; resolves with what it returned once committed.
  function run(names, mode, work) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var transaction = db.transaction(names, mode);
        var stores = {};
        names.forEach(function (name) { stores[name] = transaction.objectStore(name); });
        var result = work(stores);
        transaction.oncomplete = function () {
          Promise.resolve(result).then(function (value) {
            resolve(value && value.onsuccess !== undefined ? value.result : value);
          });
        };
        transaction.onerror = function () { reject(transaction.error); };
        transaction.onabort = function () { reject(transaction.error); };
      });
    });
  }

  function all(store) {
    return new Promise(function (resolve, reject) {
      var request = store.getAll();
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  // A queued scan is what this desk already decided: the roster the server sends does not
  // know it yet, so it is laid over again after each refresh.
  function applyScan(entry, scan) {
    if (!entry) { return; }
    if (scan.session) {
      if (entry.attended.indexOf(scan.session) === -1) { entry.attended.push(scan.session); }
    }
    if (!entry.checked_in_at) {
      entry.checked_in_at = scan.at;
      entry.checked_in_desk = scan.desk;
    }
  }

  window.DeskStore = {
    // Replace the roster with the server's, then lay the unsent scans over it.
    saveRoster: function (roster, etag) {
      return run(["attendees", "meta", "queue"], "readwrite", function (s) {
        s.attendees.clear();
        var byKey = {};
        roster.attendees.forEach(function (entry) { byKey[entry.key] = entry; });
        var cursor = s.queue.openCursor();
        cursor.onsuccess = function () {
          var found = cursor.result;
          if (found) {
            applyScan(byKey[found.value.key], found.value);
            found.continue();
            return;
          }
          roster.attendees.forEach(function (entry) { s.attendees.put(entry); });
        };
        s.meta.put(etag, "etag");
        s.meta.put(new Date().toISOString(), "updated_at");
        s.meta.put(roster.attendees.length, "size");
        s.meta.put(roster.edition, "edition");
        s.meta.put(roster.code_pattern, "code_pattern");
        s.meta.put(roster.sessions, "sessions");
        s.meta.put(roster.admitted_twice, "admitted_twice");
      });
    },
    meta: function () {
      return run(["meta"], "readonly", function (s) {
        var values = {};
        var cursor = s.meta.openCursor();
        cursor.onsuccess = function () {
          var found = cursor.result;
          if (found) { values[found.key] = found.value; found.continue(); }
        };
        return values;
      });
    },
    find: function (key) {
      return run(["attendees"], "readonly", function (s) { return s.attendees.get(key); });
    },
    // Record a scan decided here, and queue it, in one transaction.
    admit: function (scan) {
      return run(["attendees", "queue"], "readwrite", function (s) {
        var request = s.attendees.get(scan.key);
        request.onsuccess = function () {
          var entry = request.result;
          applyScan(entry, scan);
          if (entry) { s.attendees.put(entry); }
          s.queue.add(scan);
        };
      });
    },
    // What the server said about a scan made online: the copy follows it.
    learn: function (key, scan) {
      return run(["attendees"], "readwrite", function (s) {
        var request = s.attendees.get(key);
        request.onsuccess = function () {
          if (request.result) { applyScan(request.result, scan); s.attendees.put(request.result); }
        };
      });
    },
    queued: function () {
      return run(["queue"], "readonly", function (s) { return all(s.queue); });
    },
    count: function () {
      return run(["queue"], "readonly", function (s) { return s.queue.count(); });
    },
    forget: function (seqs) {
      return run(["queue"], "readwrite", function (s) {
        seqs.forEach(function (seq) { s.queue.delete(seq); });
      });
    },
    // Signing out: nothing of the roster or the queue stays on the device.
    clear: function () {
      return run(["attendees", "queue", "meta"], "readwrite", function (s) {
        s.attendees.clear();
        s.queue.clear();
        s.meta.clear();
      });
    }
  };
})();
