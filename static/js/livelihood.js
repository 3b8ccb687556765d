/* Livelihood pages: rupiah inputs, the net-income preview, and the referral forms. No inline scripts (CSP). */
(function () {
  "use strict";

  function ready(fn) {
    if (document.readyState !== "loading") {
      fn();
    } else {
      document.addEventListener("DOMContentLoaded", fn);
    }
  }

  /* "1.500.000", "Rp 1500000" -> 1500000; null when it is not a whole amount. */
  function parseRupiah(text) {
    var cleaned = String(text || "").replace(/^\s*rp\s*/i, "").replace(/\s/g, "");
    if (/^\d{1,3}(\.\d{3})+$/.test(cleaned)) {
      cleaned = cleaned.replace(/\./g, "");
    }
    return /^\d+$/.test(cleaned) ? parseInt(cleaned, 10) : null;
  }

  function formatRupiah(amount) {
    var sign = amount < 0 ? "-" : "";
    return sign + "Rp" + String(Math.abs(amount)).replace(/\B(?=(\d{3})+(?!\d))/g, ".");
  }

  /* <input data-rupiah>: show thousands separators once the user leaves the field (the server accepts both). */
  function initRupiahInputs(root) {
    root.querySelectorAll("input[data-rupiah]").forEach(function (input) {
      input.addEventListener("blur", function () {
        var amount = parseRupiah(input.value);
        if (amount !== null) {
          input.value = formatRupiah(amount).replace("Rp", "");
        }
      });
    });
  }

  /* <form data-entry-form>: revenue − expenses, shown while typing. */
  function initNetPreview(root) {
    root.querySelectorAll("form[data-entry-form]").forEach(function (form) {
      var revenue = form.querySelector("input[name=revenue]");
      var expenses = form.querySelector("input[name=expenses]");
      var preview = form.querySelector("[data-net-preview]");
      if (!revenue || !expenses || !preview) {
        return;
      }
      function refresh() {
        var a = parseRupiah(revenue.value);
        var b = parseRupiah(expenses.value);
        if (a === null || b === null) {
          preview.textContent = "";
          return;
        }
        var net = a - b;
        preview.textContent = preview.getAttribute("data-label-net") + " " + formatRupiah(net);
        preview.classList.toggle("text-danger", net < 0);
        preview.classList.toggle("fw-semibold", true);
      }
      revenue.addEventListener("input", refresh);
      expenses.addEventListener("input", refresh);
      refresh();
    });
  }

  /* <form data-referral-form data-below-minimum="3,5">: warn as soon as a program the business is too young for is chosen. */
  function initReferralWarning(root) {
    root.querySelectorAll("form[data-referral-form]").forEach(function (form) {
      var select = form.querySelector("select[name=program]");
      var warning = form.querySelector("[data-below-minimum-warning]");
      var young = (form.getAttribute("data-below-minimum") || "").split(",").filter(Boolean);
      if (!select || !warning) {
        return;
      }
      var shownByServer = !warning.classList.contains("d-none");
      function refresh() {
        var show = shownByServer || young.indexOf(select.value) !== -1;
        warning.classList.toggle("d-none", !show);
      }
      select.addEventListener("change", function () {
        shownByServer = false;
        refresh();
      });
      refresh();
    });
  }

  /* [data-referral-status]: the loan amount only matters for an approval. */
  function initReferralStatus(root) {
    root.querySelectorAll("[data-referral-status]").forEach(function (box) {
      var approved = box.getAttribute("data-approved");
      var amount = box.querySelector("#div_id_loan_amount");
      var radios = box.querySelectorAll("input[name=status]");
      if (!amount || !radios.length) {
        return;
      }
      function refresh() {
        var chosen = box.querySelector("input[name=status]:checked");
        var hasError = amount.querySelector(".is-invalid") !== null;
        amount.classList.toggle("d-none", !hasError && (!chosen || chosen.value !== approved));
      }
      radios.forEach(function (radio) {
        radio.addEventListener("change", refresh);
      });
      refresh();
    });
  }

  ready(function () {
    initRupiahInputs(document);
    initNetPreview(document);
    initReferralWarning(document);
    initReferralStatus(document);
  });
})();
