/* Graduation statistics: draws the charts above the tables from the figures the page gives as JSON
   (json_script "graduation-statistics-data"). The tables stay the reference: without JavaScript or
   Chart.js the page shows them alone. No inline scripts (CSP). */
(function () {
  "use strict";

  var COLOURS = { alamiah: "#0d6efd", mandiri: "#198754", other: "#adb5bd", national: "#6c757d" };

  function ready(fn) {
    if (document.readyState !== "loading") {
      fn();
    } else {
      document.addEventListener("DOMContentLoaded", fn);
    }
  }

  function baseOptions() {
    var reduced = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    return {
      responsive: true,
      maintainAspectRatio: true,
      aspectRatio: window.innerWidth < 576 ? 1.2 : 2.2,
      animation: reduced ? false : { duration: 400 },
      plugins: { legend: { position: "bottom", labels: { boxWidth: 12 } } },
    };
  }

  function bars(label, values, colour, stack) {
    return { label: label, data: values, backgroundColor: colour, stack: stack };
  }

  function exitsChart(part, series) {
    var options = baseOptions();
    options.scales = {
      x: { stacked: true },
      y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } },
    };
    return {
      type: "bar",
      data: {
        labels: part.labels,
        datasets: [
          bars(series.alamiah, part.alamiah, COLOURS.alamiah, "graduations"),
          bars(series.mandiri, part.mandiri, COLOURS.mandiri, "graduations"),
          bars(series.other, part.other, COLOURS.other, "other"),
        ],
      },
      options: options,
    };
  }

  function shareChart(part, series) {
    var options = baseOptions();
    options.indexAxis = "y";
    options.aspectRatio = window.innerWidth < 576 ? 1.6 : 3.5;
    options.scales = {
      x: { stacked: true, min: 0, max: 100, ticks: { callback: function (value) { return value + "%"; } } },
      y: { stacked: true },
    };
    options.plugins.tooltip = {
      callbacks: {
        label: function (context) {
          return context.dataset.label + ": " + (context.parsed.x === null ? "–" : context.parsed.x + "%");
        },
      },
    };
    return {
      type: "bar",
      data: {
        labels: part.labels,
        datasets: [
          bars(series.alamiah, part.alamiah, COLOURS.alamiah, "share"),
          bars(series.mandiri, part.mandiri, COLOURS.mandiri, "share"),
        ],
      },
      options: options,
    };
  }

  function backgroundChart(part, series) {
    var options = baseOptions();
    options.scales = {
      y: { beginAtZero: true, position: "left", title: { display: true, text: series.per100 } },
      y1: {
        beginAtZero: true, max: 100, position: "right", grid: { drawOnChartArea: false },
        title: { display: true, text: series.mandiriShare },
        ticks: { callback: function (value) { return value + "%"; } },
      },
    };
    return {
      type: "bar",
      data: {
        labels: part.labels,
        datasets: [
          { label: series.per100, data: part.per100, backgroundColor: COLOURS.alamiah, yAxisID: "y" },
          { label: series.mandiriShare, data: part.mandiriShare, backgroundColor: COLOURS.mandiri, yAxisID: "y1" },
        ],
      },
      options: options,
    };
  }

  var BUILDERS = { months: exitsChart, years: exitsChart, share: shareChart, backgrounds: backgroundChart };

  ready(function () {
    var source = document.getElementById("graduation-statistics-data");
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
