// Shows only the chosen stakeholder type's questions, and greys out the workshops at the
// same time as one already ticked, saying why; the server checks both either way.
(function () {
  "use strict";

  function showChosenType() {
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
  }

  function greyOutClashingWorkshops() {
    var fieldset = document.querySelector("fieldset.workshops[data-clash-reason]");
    if (!fieldset) { return; }
    var reason = fieldset.getAttribute("data-clash-reason");
    var workshops = Array.prototype.map.call(
      fieldset.querySelectorAll('input[type="checkbox"][name="workshops"]'),
      function (box) {
        return {
          box: box,
          starts: Date.parse(box.getAttribute("data-starts")),
          ends: Date.parse(box.getAttribute("data-ends")),
          title: document.querySelector('label[for="' + box.id + '"]').textContent.trim(),
          full: box.disabled  // the server's "full": never ours to undo
        };
      }
    );

    function overlap(a, b) { return a.starts < b.ends && b.starts < a.ends; }

    function explain(workshop, text) {
      var id = workshop.box.id + "-clash";
      var note = document.getElementById(id);
      var described = (workshop.box.getAttribute("aria-describedby") || "").split(" ")
        .filter(function (part) { return part && part !== id; });
      if (text) {
        if (!note) {
          note = document.createElement("span");
          note.id = id;
          note.className = "workshop-clash";
          workshop.box.parentNode.appendChild(note);
        }
        note.textContent = text;
        described.push(id);
      } else if (note) {
        note.remove();
      }
      workshop.box.setAttribute("aria-describedby", described.join(" "));
    }

    function update() {
      workshops.forEach(function (workshop) {
        if (workshop.full) { return; }
        // A ticked workshop stays as it is, even beside another ticked one (the server
        // says so): greying it out would drop it from the form unseen.
        var clash = workshop.box.checked ? null : workshops.filter(function (other) {
          return other !== workshop && other.box.checked && overlap(workshop, other);
        })[0];
        workshop.box.disabled = Boolean(clash);
        workshop.box.closest("li").classList.toggle("is-clashing", Boolean(clash));
        explain(workshop, clash ? reason.replace("{title}", clash.title) : "");
      });
    }

    workshops.forEach(function (workshop) { workshop.box.addEventListener("change", update); });
    update();
  }

  showChosenType();
  greyOutClashingWorkshops();
  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }
})();
