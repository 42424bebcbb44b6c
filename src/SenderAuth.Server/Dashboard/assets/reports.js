// The reports page's two charts, drawn with the vendored Chart.js from the page's JSON data block. The same numbers
// are in the table under the charts (the accessible alternative: a canvas is one image to a screen reader).
"use strict";
(function () {
  var block = document.getElementById("report-data");
  if (!block || typeof Chart === "undefined") { return; }
  var data = JSON.parse(block.textContent);
  var fail = data.messages.map(function (m, i) { return m - data.pass[i]; });
  // Colours with at least 3:1 contrast on white (WCAG non-text contrast); no animation, which also respects reduced motion.
  Chart.defaults.animation = false;
  Chart.defaults.color = "#1b1f24";
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.maintainAspectRatio = false;
  new Chart(document.getElementById("volume-chart"), {
    type: "bar",
    data: {
      labels: data.labels,
      datasets: [
        { label: "DMARC pass", data: data.pass, backgroundColor: "#1a7f37" },
        { label: "DMARC fail", data: fail, backgroundColor: "#cf222e" },
      ],
    },
    options: { scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, title: { display: true, text: "messages" } } } },
  });
  new Chart(document.getElementById("rate-chart"), {
    type: "line",
    data: {
      labels: data.labels,
      datasets: [{ label: "DMARC pass rate (%)", data: data.passRate, borderColor: "#0a58ca", backgroundColor: "#0a58ca", spanGaps: true }],
    },
    options: { scales: { y: { min: 0, max: 100, title: { display: true, text: "% passing" } } } },
  });
})();
