/* One facilitator's activity page: the six-month trend (visits, families visited, P2K2 sessions; each month's
   bar coloured by its activity class) from json_script "oversight-facilitator-data". The table below the
   chart has every figure. No inline scripts (CSP). */
(function () {
  "use strict";

  function ready(fn) {
    if (document.readyState !== "loading") {
      fn();
    } else {
      document.addEventListener("DOMContentLoaded", fn);
    }
  }

  ready(function () {
    var source = document.getElementById("oversight-facilitator-data");
    var canvas = document.querySelector("canvas[data-chart='trend']");
    if (!source || !canvas || typeof window.Chart === "undefined") {
      return;
    }
    var data = JSON.parse(source.textContent);
    var reduced = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: [
          { type: "bar", label: data.series.visits, data: data.visits, backgroundColor: data.colours, order: 2 },
          { type: "line", label: data.series.visited, data: data.visited, borderColor: "#0d6efd",
            backgroundColor: "#0d6efd", spanGaps: true, order: 1 },
          { type: "line", label: data.series.sessions, data: data.sessions, borderColor: "#6f42c1",
            backgroundColor: "#6f42c1", spanGaps: true, order: 1 },
        ],
      },
      options: {
        responsive: true,
        aspectRatio: window.innerWidth < 576 ? 1.4 : 3,
        animation: reduced ? false : { duration: 400 },
        plugins: {
          legend: { position: "bottom", labels: { boxWidth: 12 } },
          tooltip: {
            callbacks: {
              afterTitle: function (items) {
                return items.length ? data.classes[items[0].dataIndex] : "";
              },
            },
          },
        },
        scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
      },
    });
  });
})();
