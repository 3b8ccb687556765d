/* Commitment verification entry screens. No inline scripts (CSP script-src 'self'). */
(function () {
  "use strict";

  function hasValue(field) {
    if (field.type === "checkbox") {
      return false;
    }
    return field.value !== "";
  }

  /* A row not linked to the facility yet: typing a value ticks "Goes to <facility>" (the server links
     such rows anyway; the tick shows the user what will happen). */
  function initLinkBoxes(root) {
    root.querySelectorAll("[data-row]").forEach(function (row) {
      var box = row.querySelector("input[data-link-box]");
      if (!box) {
        return;
      }
      row.querySelectorAll("input, select, textarea").forEach(function (field) {
        if (field === box) {
          return;
        }
        var tick = function () {
          if (hasValue(field)) {
            box.checked = true;
          }
        };
        field.addEventListener("input", tick);
        field.addEventListener("change", tick);
      });
    });
  }

  /* Warn before leaving a bulk screen with unsaved values. */
  function initUnsavedWarning(root) {
    var form = root.querySelector("form[data-unsaved-warning]");
    if (!form) {
      return;
    }
    var dirty = false;
    form.addEventListener("change", function () { dirty = true; });
    form.addEventListener("submit", function () { dirty = false; });
    window.addEventListener("beforeunload", function (event) {
      if (dirty) {
        event.preventDefault();
        event.returnValue = "";
      }
    });
  }

  function ready(fn) {
    if (document.readyState !== "loading") {
      fn();
    } else {
      document.addEventListener("DOMContentLoaded", fn);
    }
  }

  ready(function () {
    initLinkBoxes(document);
    initUnsavedWarning(document);
  });
})();
