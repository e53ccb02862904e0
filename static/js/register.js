// Shows only the chosen stakeholder type's questions; the server checks them either way.
(function () {
  "use strict";
  var radios = document.querySelectorAll('input[name="stakeholder_type"]');
  var groups = document.querySelectorAll(".type-fields[data-type]");
  if (!radios.length) { return; }

  function show() {
    var checked = document.querySelector('input[name="stakeholder_type"]:checked');
    var chosen = checked ? checked.value : null;
    groups.forEach(function (group) {
      group.hidden = group.getAttribute("data-type") !== chosen;
    });
  }

  radios.forEach(function (radio) { radio.addEventListener("change", show); });
  show();
  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }
})();
