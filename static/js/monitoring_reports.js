/* Monthly transaction-monitoring report: draws the charts (credited vs expected, withdrawal share by
   kecamatan, flags by type) from the figures the page gives as JSON (json_script "monitoring-report-data").
   The tables stay the reference: without JavaScript or Chart.js the page shows them alone. No inline
   scripts (CSP). */
(function () {
  "use strict";

  var COLOURS = { credited: "#0d6efd", expected: "#adb5bd", share: "#198754", flags: "#fd7e14" };

  function ready(fn) {
    if (document.readyState !== "loading") {
      fn();
    } else {
      document.addEventListener("DOMContentLoaded", fn);
    }
  }

  function rupiah(value) {
    return "Rp" + Number(value).toLocaleString("id-ID");
  }

  function baseOptions() {
    var reduced = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    return {
      responsive: true,
      maintainAspectRatio: true,
      aspectRatio: window.innerWidth < 576 ? 1.2 : 1.5,
      animation: reduced ? false : { duration: 400 },
      plugins: { legend: { position: "bottom", labels: { boxWidth: 12 } } },
    };
  }

  function moneyChart(part, series) {
    var options = baseOptions();
    options.scales = { y: { beginAtZero: true, ticks: { callback: function (value) { return rupiah(value); } } } };
    options.plugins.tooltip = {
      callbacks: { label: function (context) { return context.dataset.label + ": " + rupiah(context.parsed.y); } },
    };
    return {
      type: "bar",
      data: {
        labels: part.labels,
        datasets: [
          { label: series.credited, data: part.credited, backgroundColor: COLOURS.credited },
          { label: series.expected, data: part.expected, backgroundColor: COLOURS.expected },
        ],
      },
      options: options,
    };
  }

  function withdrawalChart(part, series) {
    var options = baseOptions();
    options.indexAxis = "y";
    options.scales = {
      x: { min: 0, max: 100, ticks: { callback: function (value) { return value + "%"; } } },
      y: { ticks: { callback: shortLabel } },
    };
    options.plugins.legend = { display: false };
    options.plugins.tooltip = {
      callbacks: {
        label: function (context) {
          return series.share + ": " + (context.parsed.x === null ? "–" : context.parsed.x + "%");
        },
      },
    };
    return {
      type: "bar",
      data: { labels: part.labels, datasets: [{ label: series.share, data: part.share, backgroundColor: COLOURS.share }] },
      options: options,
    };
  }

  function shortLabel(value) {
    var label = this.getLabelForValue(value);
    var room = window.innerWidth < 576 ? 22 : 40;
    return label.length > room ? label.slice(0, room - 1) + "\u2026" : label;
  }

  function flagsChart(part, series) {
    var options = baseOptions();
    options.indexAxis = "y";
    options.scales = { x: { beginAtZero: true, ticks: { precision: 0 } }, y: { ticks: { callback: shortLabel } } };
    options.plugins.legend = { display: false };
    return {
      type: "bar",
      data: { labels: part.labels, datasets: [{ label: series.flags, data: part.counts, backgroundColor: COLOURS.flags }] },
      options: options,
    };
  }

  var BUILDERS = { money: moneyChart, withdrawal: withdrawalChart, flags: flagsChart };

  ready(function () {
    var source = document.getElementById("monitoring-report-data");
    if (!source || typeof window.Chart === "undefined") {
      return; // the tables carry every figure
    }
    var data = JSON.parse(source.textContent);
    document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      var key = canvas.getAttribute("data-chart");
      if (BUILDERS[key] && data[key]) {
        new window.Chart(canvas, BUILDERS[key](data[key], data.series));
      }
    });
  });
})();
