// The dashboard's chart: messages per day from the json_script the page carries.
(function () {
  "use strict";
  function draw() {
    var el = document.getElementById("activity-chart");
    var data = document.getElementById("chart-data");
    if (!el || !data || !window.Chart) { return; }
    var chart = JSON.parse(data.textContent);
    var colours = { sent: "#2563eb", delivered: "#0e9384", read: "#7a5af8", replies: "#f79009", failed: "#d92d20" };
    var names = { sent: "Sent", delivered: "Delivered", read: "Read", replies: "Replies", failed: "Failed" };
    new window.Chart(el, {
      type: "line",
      data: {
        labels: chart.labels.map(function (d) { return d.slice(5); }),
        datasets: Object.keys(names).map(function (key) {
          return { label: names[key], data: chart.series[key], borderColor: colours[key],
                   backgroundColor: colours[key], cubicInterpolationMode: "monotone", pointRadius: 2, borderWidth: 2 };
        })
      },
      options: {
        responsive: true, maintainAspectRatio: false, animation: false,
        interaction: { mode: "index", intersect: false },
        scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
        plugins: { legend: { position: "bottom", labels: { boxWidth: 12 } } }
      }
    });
    el.dataset.ready = "true";
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
