/* P2K2 attendance screen: the reason box only for excused families, live counts, "everyone present".
   Without JavaScript every reason box stays visible and the form works the same. */
(function () {
  "use strict";

  function ready(fn) {
    if (document.readyState !== "loading") {
      fn();
    } else {
      document.addEventListener("DOMContentLoaded", fn);
    }
  }

  function checkedValue(row) {
    var checked = row.querySelector("input[type=radio]:checked");
    return checked ? checked.value : "present";
  }

  function initAttendance(form) {
    var rows = Array.prototype.slice.call(form.querySelectorAll("[data-attendance-row]"));

    function refreshRow(row) {
      var reason = row.querySelector("[data-reason]");
      if (!reason) {
        return;
      }
      var excused = checkedValue(row) === "excused";
      var input = reason.querySelector("input");
      // Keep a box visible when it holds an error or text, so nothing typed is hidden.
      reason.hidden = !excused && !(input && (input.value || input.classList.contains("is-invalid")));
      if (input) {
        input.required = excused;
      }
    }

    function refreshCounts() {
      var counts = { present: 0, absent: 0, excused: 0 };
      rows.forEach(function (row) {
        counts[checkedValue(row)] += 1;
      });
      Object.keys(counts).forEach(function (key) {
        form.querySelectorAll("[data-count='" + key + "']").forEach(function (el) {
          el.textContent = String(counts[key]);
        });
      });
    }

    rows.forEach(function (row) {
      row.querySelectorAll("input[type=radio]").forEach(function (radio) {
        radio.addEventListener("change", function () {
          refreshRow(row);
          refreshCounts();
          if (radio.value === "excused" && radio.checked) {
            var input = row.querySelector("[data-reason] input");
            if (input) {
              input.focus();
            }
          }
        });
      });
      refreshRow(row);
    });

    form.querySelectorAll("[data-mark-all]").forEach(function (button) {
      button.addEventListener("click", function () {
        var value = button.getAttribute("data-mark-all");
        rows.forEach(function (row) {
          var radio = row.querySelector("input[type=radio][value='" + value + "']");
          if (radio) {
            radio.checked = true;
          }
          refreshRow(row);
        });
        refreshCounts();
      });
    });

    refreshCounts();
  }

  ready(function () {
    document.querySelectorAll("form[data-attendance-form]").forEach(initAttendance);
  });
})();
