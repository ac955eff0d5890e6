// Keyboard review on the draft page. Keys act only when no field has the focus (Escape leaves a
// field), so typing a correction never triggers a decision. Each key is listed on the page.
(function () {
  "use strict";
  var desk = document.getElementById("review-desk");
  if (!desk) return;
  var form = document.getElementById("deal_form");

  function submitWith(name) {
    var button = document.querySelector("button[name='" + name + "'][form='deal_form'], input[name='" + name + "']");
    if (button) { button.click(); }
  }
  function go(id) {
    var link = document.getElementById(id);
    if (link && link.href) { window.location.href = link.href; }
  }
  function firstField() {
    return form && form.querySelector("input:not([type=hidden]):not([type=checkbox]):not([readonly]), select, textarea");
  }
  var keys = {
    a: function () { submitWith("_approve"); },
    r: function () { var f = document.getElementById("id_decision-reason"); if (f) f.focus(); },
    s: function () { submitWith("_continue"); },
    e: function () { var f = firstField(); if (f) f.focus(); },
    j: function () { go("review-next"); },
    k: function () { go("review-previous"); }
  };

  document.addEventListener("keydown", function (event) {
    var target = event.target;
    var typing = target.matches && target.matches("input, textarea, select, [contenteditable]");
    if (typing) {
      if (event.key === "Escape") { target.blur(); event.preventDefault(); }
      // In the rejection reason, Ctrl+Enter rejects with it.
      else if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && target.id === "id_decision-reason") {
        submitWith("_reject"); event.preventDefault();
      }
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    var action = keys[event.key];
    if (action) { event.preventDefault(); action(); }
  });
})();
