/* Coordinator dashboard: the bar chart of active families per facilitator, with the caseload norm's minimum
   and maximum as lines, from the figures the page gives as JSON (json_script "oversight-dashboard-data").
   A bar links to that facilitator's families. The table below stays the reference: without JavaScript or
   Chart.js the page shows it alone. No inline scripts (CSP). */
(function () {
  "use strict";

  var COLOURS = { within: "#0d6efd", over: "#dc3545", minimum: "#6c757d", maximum: "#dc3545" };

  function ready(fn) {
    if (document.readyState !== "loading") {
      fn();
    } else {
      document.addEventListener("DOMContentLoaded", fn);
    }
  }

  function normLine(label, value, count, colour, dash) {
    var values = [];
    for (var i = 0; i < count; i += 1) {
      values.push(value);
    }
    return {
      type: "line", label: label, data: values, borderColor: colour, backgroundColor: colour,
      borderWidth: 2, borderDash: dash, pointRadius: 0, pointHitRadius: 0, fill: false, order: 0,
    };
  }

  function caseloadChart(data) {
    var reduced = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    var count = data.labels.length;
    return {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: [
          {
            type: "bar", label: data.series.active, data: data.active, order: 1,
            backgroundColor: data.over.map(function (over) { return over ? COLOURS.over : COLOURS.within; }),
          },
          normLine(data.series.minimum, data.minimum, count, COLOURS.minimum, [6, 4]),
          normLine(data.series.maximum, data.maximum, count, COLOURS.maximum, []),
        ],
      },
      options: {
        responsive: true,
        maintainAspectRatio: true,
        aspectRatio: window.innerWidth < 576 ? 1.1 : 2.6,
        animation: reduced ? false : { duration: 400 },
        scales: { x: { ticks: { autoSkip: false } }, y: { beginAtZero: true, ticks: { precision: 0 } } },
        plugins: { legend: { position: "bottom", labels: { boxWidth: 12 } } },
        onHover: function (event, elements) {
          event.native.target.style.cursor = elements.length && elements[0].datasetIndex === 0 ? "pointer" : "default";
        },
        onClick: function (event, elements) {
          if (elements.length && elements[0].datasetIndex === 0 && data.urls[elements[0].index]) {
            window.location.href = data.urls[elements[0].index];
          }
        },
      },
    };
  }

  ready(function () {
    var source = document.getElementById("oversight-dashboard-data");
    var canvas = document.querySelector("canvas[data-chart='caseload']");
    if (!source || !canvas || typeof window.Chart === "undefined") {
      return; // the table carries every figure
    }
    new window.Chart(canvas, caseloadChart(JSON.parse(source.textContent)));
  });
})();
