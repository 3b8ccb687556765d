/* pkh-case front-end behaviour. No inline scripts (CSP script-src 'self'): everything hangs on data attributes. */
(function () {
  "use strict";

  document.documentElement.classList.add("js");

  function ready(fn) {
    if (document.readyState !== "loading") {
      fn();
    } else {
      document.addEventListener("DOMContentLoaded", fn);
    }
  }

  function clampPercent(value) {
    var n = parseInt(value, 10);
    if (isNaN(n)) {
      return 0;
    }
    return Math.max(0, Math.min(100, n));
  }

  /* <div class="progress-bar" data-width="40">: CSP forbids style="", so widths are set here. */
  function initWidths(root) {
    root.querySelectorAll("[data-width]").forEach(function (el) {
      el.style.width = clampPercent(el.getAttribute("data-width")) + "%";
    });
  }

  /* <select data-autosubmit>: submit the form when the choice changes. */
  function initAutosubmit(root) {
    root.querySelectorAll("[data-autosubmit]").forEach(function (el) {
      el.addEventListener("change", function () {
        if (el.form) {
          if (el.form.requestSubmit) {
            el.form.requestSubmit();
          } else {
            el.form.submit();
          }
        }
      });
    });
  }

  /* <form data-confirm="Are you sure?">: ask before submitting. */
  function initConfirm(root) {
    root.querySelectorAll("form[data-confirm]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (!window.confirm(form.getAttribute("data-confirm"))) {
          event.preventDefault();
        }
      });
    });
  }

  /* <input type="checkbox" data-select-all="households">: (un)ticks every checkbox of that name in the form. */
  function initSelectAll(root) {
    root.querySelectorAll("input[type=checkbox][data-select-all]").forEach(function (master) {
      var name = master.getAttribute("data-select-all");
      var scope = master.form || document;
      var counter = document.querySelector("[data-selected-count='" + name + "']");

      function boxes() {
        return Array.prototype.filter.call(
          scope.querySelectorAll("input[type=checkbox]"),
          function (box) { return box.name === name && !box.disabled; }
        );
      }

      function refresh() {
        var all = boxes();
        var ticked = all.filter(function (box) { return box.checked; }).length;
        master.checked = all.length > 0 && ticked === all.length;
        master.indeterminate = ticked > 0 && ticked < all.length;
        if (counter) {
          counter.textContent = String(ticked);
        }
      }

      master.addEventListener("change", function () {
        boxes().forEach(function (box) { box.checked = master.checked; });
        refresh();
      });
      boxes().forEach(function (box) { box.addEventListener("change", refresh); });
      refresh();
    });
  }

  /* The progress page of a background job: poll the status URL every second until the job ends,
     then reload once so the page shows the final result, counts and report link. */
  function initJobProgress(root) {
    var panel = root.querySelector("[data-job-status-url]");
    if (!panel) {
      return;
    }
    var url = panel.getAttribute("data-job-status-url");
    var bar = panel.querySelector("[data-job-bar]");
    var progress = panel.querySelector("[data-job-progress]");

    function setField(name, value) {
      panel.querySelectorAll("[data-job-field='" + name + "']").forEach(function (el) {
        el.textContent = value === null || value === undefined ? "" : String(value);
        var wrapper = el.closest("[data-job-optional]");
        if (wrapper) {
          wrapper.hidden = el.textContent === "";
        }
      });
    }

    function show(data) {
      var percent = clampPercent(data.percent);
      if (bar) {
        bar.style.width = percent + "%";
        bar.textContent = percent + "%";
      }
      if (progress) {
        progress.setAttribute("aria-valuenow", String(percent));
      }
      setField("status_label", data.status_label);
      setField("stage", data.stage);
      setField("message", data.message);
      setField("done", data.done);
      setField("total", data.total || "");
    }

    if (panel.getAttribute("data-job-finished") === "true") {
      return;
    }

    var failures = 0;

    function poll() {
      fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" }, cache: "no-store" })
        .then(function (response) {
          if (!response.ok) {
            throw new Error("HTTP " + response.status);
          }
          return response.json();
        })
        .then(function (data) {
          failures = 0;
          show(data);
          if (data.finished) {
            window.location.reload();
          } else {
            window.setTimeout(poll, 1000);
          }
        })
        .catch(function () {
          // A dropped mobile connection: keep trying, more slowly.
          failures += 1;
          window.setTimeout(poll, Math.min(1000 * (failures + 1), 10000));
        });
    }

    window.setTimeout(poll, 1000);
  }

  ready(function () {
    initWidths(document);
    initAutosubmit(document);
    initConfirm(document);
    initSelectAll(document);
    initJobProgress(document);
  });
})();
