// The check-in desk: a handheld scanner types the code and Enter into the focused field;
// a phone can read the code with its camera. Each scan is sent once with a nonce, retried
// with the same nonce after a network error, and the answer is shown big; focus comes back.
(function () {
  "use strict";
  var body = document.body;
  var form = document.getElementById("scan-form");
  var code = document.getElementById("code");
  var desk = document.getElementById("desk");
  var answer = document.getElementById("answer");
  var count = document.querySelector("#desk-count strong");
  var token = document.querySelector('meta[name="csrf-token"]').getAttribute("content");
  var scanUrl = body.getAttribute("data-scan-url");
  var autoPrint = document.getElementById("auto-print");
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

  function line(className, text) {
    var p = document.createElement("p");
    p.className = className;
    p.textContent = text;
    return p;
  }

  function show(result) {
    answer.className = "answer answer-" + result.result;
    answer.replaceChildren(line("answer-result", result.message));
    if (result.attendee) {
      var a = result.attendee;
      answer.appendChild(line("answer-name", a.first_name + " " + a.last_name));
      answer.appendChild(line("answer-facts", a.stakeholder_label + (a.organisation ? " · " + a.organisation : "")));
      if (a.workshops && a.workshops.length) { answer.appendChild(line("answer-facts", a.workshops.join(" · "))); }
    }
    if (result.result === "ok" && count) { count.textContent = String(Number(count.textContent) + 1); }
    if (result.result !== "ok" || !result.attendee) { return; }
    var actions = document.createElement("div");
    actions.className = "answer-actions";
    if (result.attendee.badge_url) {
      var link = document.createElement("a");
      link.href = result.attendee.badge_url;
      link.target = "_blank";
      link.rel = "noopener";
      link.className = "button";
      link.textContent = body.getAttribute("data-print-label");
      actions.appendChild(link);
      if (autoPrint && autoPrint.checked) { window.open(result.attendee.badge_url, "_blank", "noopener"); }
    }
    if (result.attendee.undo_url) { actions.appendChild(undoForm(result)); }
    answer.appendChild(actions);
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
    button.textContent = body.getAttribute("data-undo-label");
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

  function send(text, id, attempt) {
    return fetch(scanUrl, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRFToken": token },
      body: JSON.stringify({ code: text, desk: desk.value, nonce: id }),
      credentials: "same-origin"
    }).then(function (response) {
      if (!response.ok) { throw new Error(String(response.status)); }
      return response.json();
    }).catch(function (error) {
      if (attempt < 3) {
        return new Promise(function (resolve) { setTimeout(resolve, 400 * attempt); })
          .then(function () { return send(text, id, attempt + 1); });
      }
      throw error;
    });
  }

  function scan(text) {
    text = text.trim();
    if (!text) { return; }
    send(text, nonce(), 1).then(show).catch(function () {
      show({ result: "invalid", message: body.getAttribute("data-network-error"), attendee: null });
    }).finally(function () { code.focus(); });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = code.value;
    code.value = "";
    scan(text);
    code.focus();
  });

  // Focus returns to the field after any click elsewhere, so the scanner always types into it.
  document.addEventListener("click", function (event) {
    if (!event.target.closest("input, button, a, select, textarea, label")) { code.focus(); }
  });

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
            scan(found.data);
          }
        }
        requestAnimationFrame(frame);
      })();
    }).catch(function () {
      show({ result: "invalid", message: body.getAttribute("data-camera-error"), attendee: null });
    });
  });
})();
