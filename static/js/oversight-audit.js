/* Facilitator activity audit (city table): the chart of facilitators per activity class over six months,
   from json_script "oversight-audit-data". The table under the chart carries the same figures, so the page
   works without JavaScript or Chart.js. No inline scripts (CSP). */
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
    var source = document.getElementById("oversight-audit-data");
    var canvas = document.querySelector("canvas[data-chart='classes']");
    if (!source || !canvas || typeof window.Chart === "undefined") {
      return;
    }
    var data = JSON.parse(source.textContent);
    var reduced = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: data.datasets.map(function (set) {
          return { label: set.label, data: set.data, backgroundColor: set.colour, stack: "classes" };
        }),
      },
      options: {
        responsive: true,
        aspectRatio: window.innerWidth < 576 ? 1.4 : 3,
        animation: reduced ? false : { duration: 400 },
        plugins: { legend: { position: "bottom", labels: { boxWidth: 12 } } },
        scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } },
      },
    });
  });
})();
