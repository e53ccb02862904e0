// Marks the sessions happening now, on the day itself; refreshes every minute.
(function () {
  "use strict";
  var label = document.body.getAttribute("data-now-label") || "Now";

  function mark() {
    var now = Date.now();
    document.querySelectorAll("[data-start][data-end]").forEach(function (el) {
      var start = Date.parse(el.getAttribute("data-start"));
      var end = Date.parse(el.getAttribute("data-end"));
      var current = start <= now && now < end && !el.classList.contains("is-cancelled");
      var badge = el.querySelector(".now-badge");
      el.classList.toggle("is-now", current);
      if (current && !badge) {
        badge = document.createElement("p");
        badge.className = "now-badge";
        badge.textContent = label;
        el.insertBefore(badge, el.firstChild);
      } else if (!current && badge) {
        badge.remove();
      }
    });
  }

  mark();
  window.setInterval(mark, 60 * 1000);
})();
