/* The assessment form: income per person and the housing score while typing, and rupiah inputs shown with
   thousands separators. No inline scripts (CSP): everything hangs on data attributes. */
(function () {
  "use strict";

  var INCOME_FIELDS = ["income_work", "income_business", "income_transfers", "income_other"];
  var HOUSING_LEVELS = [[8, "high"], [4, "medium"], [0, "low"]];  /* graduation.classifier.housing_level */

  function ready(fn) {
    if (document.readyState !== "loading") {
      fn();
    } else {
      document.addEventListener("DOMContentLoaded", fn);
    }
  }

  /* "1.500.000", "Rp 1500000", "" -> 1500000, 1500000, 0; null when it is not a whole amount. */
  function parseRupiah(text) {
    var cleaned = String(text || "").replace(/^\s*rp\s*/i, "").replace(/\s/g, "");
    if (cleaned === "") {
      return 0;
    }
    if (/^\d{1,3}(\.\d{3})+$/.test(cleaned)) {
      cleaned = cleaned.replace(/\./g, "");
    }
    return /^\d+$/.test(cleaned) ? parseInt(cleaned, 10) : null;
  }

  function formatRupiah(amount) {
    var sign = amount < 0 ? "-" : "";
    return sign + "Rp" + String(Math.abs(amount)).replace(/\B(?=(\d{3})+(?!\d))/g, ".");
  }

  function initRupiahInputs(form) {
    form.querySelectorAll("input[data-rupiah]").forEach(function (input) {
      input.addEventListener("blur", function () {
        var text = input.value.trim();
        var negative = /^[-\u2212]/.test(text);
        var amount = parseRupiah(negative ? text.slice(1) : text);
        if (amount !== null && text !== "") {
          input.value = (negative ? "-" : "") + formatRupiah(amount).replace("Rp", "");
        }
      });
    });
  }

  function show(el, visible) {
    if (el) {
      el.classList.toggle("d-none", !visible);
    }
  }

  function initIncomePreview(form) {
    var box = form.querySelector("[data-income-preview]");
    var size = form.querySelector("input[name=household_size]");
    if (!box || !size) {
      return;
    }
    var inputs = INCOME_FIELDS.map(function (name) { return form.querySelector("input[name=" + name + "]"); });
    var needed = parseInt(form.getAttribute("data-income-needed"), 10);
    var total = box.querySelector("[data-total]");
    var perCapita = box.querySelector("[data-per-capita]");
    var ok = box.querySelector("[data-income-ok]");
    var short = box.querySelector("[data-income-short]");
    var shortfall = box.querySelector("[data-shortfall]");

    function refresh() {
      var sum = 0;
      var valid = true;
      inputs.forEach(function (input) {
        var amount = input ? parseRupiah(input.value) : 0;
        if (amount === null) {
          valid = false;
        } else {
          sum += amount;
        }
      });
      var people = parseInt(size.value, 10);
      if (!valid) {
        total.textContent = perCapita.textContent = "—";
        show(ok, false);
        show(short, false);
        return;
      }
      total.textContent = formatRupiah(sum);
      if (!(people >= 1)) {
        perCapita.textContent = "—";
        show(ok, false);
        show(short, false);
        return;
      }
      var each = Math.floor(sum / people);  /* whole rupiah, as the server computes it */
      perCapita.textContent = formatRupiah(each);
      if (!isNaN(needed)) {
        show(ok, each >= needed);
        show(short, each < needed);
        if (shortfall) {
          shortfall.textContent = formatRupiah(Math.max(needed - each, 0));
        }
      }
    }

    inputs.concat([size]).forEach(function (input) {
      if (input) {
        input.addEventListener("input", refresh);
      }
    });
    refresh();
  }

  function initHousingPreview(form) {
    var box = form.querySelector("[data-housing-preview]");
    var points;
    try {
      points = JSON.parse(form.getAttribute("data-housing-points") || "{}");
    } catch (error) {
      return;
    }
    if (!box) {
      return;
    }
    var score = box.querySelector("[data-housing-score]");
    var level = box.querySelector("[data-housing-level]");
    var selects = Object.keys(points).map(function (name) { return form.querySelector("select[name=" + name + "]"); });

    function refresh() {
      var sum = 0;
      var complete = true;
      Object.keys(points).forEach(function (name, index) {
        var select = selects[index];
        var value = select ? select.value : "";
        if (!value || !(value in points[name])) {
          complete = false;
        } else {
          sum += points[name][value];
        }
      });
      if (!complete) {
        score.textContent = level.textContent = "—";
        return;
      }
      score.textContent = String(sum);
      for (var i = 0; i < HOUSING_LEVELS.length; i++) {
        if (sum >= HOUSING_LEVELS[i][0]) {
          level.textContent = box.getAttribute("data-label-" + HOUSING_LEVELS[i][1]);
          break;
        }
      }
    }

    selects.forEach(function (select) {
      if (select) {
        select.addEventListener("change", refresh);
      }
    });
    refresh();
  }

  ready(function () {
    document.querySelectorAll("form[data-assessment-form]").forEach(function (form) {
      initRupiahInputs(form);
      initIncomePreview(form);
      initHousingPreview(form);
    });
  });
})();
