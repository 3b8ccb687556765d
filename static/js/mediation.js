/* Opening a case: the due date follows the category (its usual number of days, from the server) until
   the user picks a date themselves, and the KKS question shows only for KKS cases. Without JavaScript the
   form still works: an empty due date gets the category's default on the server. */
(function () {
  "use strict";

  function addDays(isoDate, days) {
    var parts = isoDate.split("-");
    var date = new Date(Date.UTC(parseInt(parts[0], 10), parseInt(parts[1], 10) - 1, parseInt(parts[2], 10)));
    date.setUTCDate(date.getUTCDate() + days);
    return date.toISOString().slice(0, 10);
  }

  function init() {
    var select = document.querySelector("select[data-due-days]");
    if (!select) {
      return;
    }
    var dueDays = {};
    try {
      dueDays = JSON.parse(select.getAttribute("data-due-days")) || {};
    } catch (error) {
      dueDays = {};
    }
    var today = select.getAttribute("data-today");
    var dueInput = document.getElementById(select.getAttribute("data-due-target"));
    var kksField = document.getElementById(select.getAttribute("data-kks-target"));
    var kksInput = kksField ? kksField.querySelector("select") : null;
    var suggested = "";

    if (dueInput) {
      dueInput.addEventListener("input", function () {
        suggested = "";
      });
    }

    function refresh() {
      var category = select.value;
      if (dueInput && today && Object.prototype.hasOwnProperty.call(dueDays, category)) {
        // Only replace a date we suggested (or an empty one), never one the user typed.
        if (dueInput.value === "" || dueInput.value === suggested) {
          suggested = addDays(today, parseInt(dueDays[category], 10) || 0);
          dueInput.value = suggested;
        }
      }
      if (kksField) {
        var isKks = category === "KKS";
        kksField.hidden = !isKks && !kksField.querySelector(".is-invalid");
        if (!isKks && kksInput && kksInput.value !== "" && !kksField.querySelector(".is-invalid")) {
          kksInput.value = "";
        }
      }
    }

    select.addEventListener("change", refresh);
    refresh();
  }

  if (document.readyState !== "loading") {
    init();
  } else {
    document.addEventListener("DOMContentLoaded", init);
  }
})();
