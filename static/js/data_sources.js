// Data sources page: a small bar chart per source, records accepted (and refused, below the line) a day over the
// last 30 days; the numbers are in the table under "The numbers by day".
window.Keel.drawCharts("sources-data", function (data) {
  "use strict";
  const K = window.Keel;
  const c = K.colors;
  data.sources.forEach(function (source) {
    K.chart(`chart-${source.key}`, {
      type: "bar",
      data: {
        labels: data.days.map(K.dayLabel),
        datasets: [
          { label: "Accepted", data: source.accepted, backgroundColor: c.accent, stack: "s" },
          { label: "Refused", data: source.rejected.map((n) => -n), backgroundColor: c.red, stack: "s" },
        ],
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: { legend: { display: false }, tooltip: { callbacks: { label: (item) => `${item.dataset.label}: ${Math.abs(item.parsed.y)}` } } },
        scales: { x: { display: false, stacked: true }, y: { display: false, stacked: true } },
      },
    });
  });
});
