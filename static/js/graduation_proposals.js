/* Graduation proposals: the print button of the family's statement, and the proposal form's hint that a
   justification is needed when the chosen type differs from today's classifier result. */
(function () {
  "use strict";

  function ready(fn) {
    if (document.readyState !== "loading") {
      fn();
    } else {
      document.addEventListener("DOMContentLoaded", fn);
    }
  }

  /* <button data-print>: open the browser's print dialog. */
  function initPrint() {
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.addEventListener("click", function () {
        window.print();
      });
    });
  }

  /* <form data-proposal-form data-disagreeing-kinds="alamiah mandiri">: show [data-justification-hint]
     while a listed type is chosen. The server checks again on the effective date. */
  function initJustificationHint() {
    document.querySelectorAll("form[data-proposal-form]").forEach(function (form) {
      var kinds = (form.getAttribute("data-disagreeing-kinds") || "").split(" ").filter(Boolean);
      var hint = form.querySelector("[data-justification-hint]");
      if (!hint) {
        return;
      }

      function refresh() {
        var chosen = form.querySelector("input[name=kind]:checked");
        hint.hidden = !(chosen && kinds.indexOf(chosen.value) !== -1);
      }

      form.querySelectorAll("input[name=kind]").forEach(function (radio) {
        radio.addEventListener("change", refresh);
      });
      refresh();
    });
  }

  ready(function () {
    initPrint();
    initJustificationHint();
  });
})();
