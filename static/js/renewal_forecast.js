// The renewal forecast: ARR due per month stacked by health status, and the likelihood-weighted ARR as a line,
// from the page's json_script data. The table under the chart holds the same numbers.
window.Keel.drawCharts("forecast-data", function (data) {
  "use strict";
  const K = window.Keel;
  const c = K.colors;
  const colorOf = { green: c.green, yellow: c.yellow, red: c.red, "": c.grey };
  const amount = (text) => (text === null ? null : Number(text));
  K.chart("chart-forecast", {
    type: "bar",
    data: {
      labels: data.months.map(K.monthLabel),
      datasets: [
        {
          label: "Likely to renew",
          type: "line",
          data: data.weighted.map(amount),
          borderColor: c.accent,
          backgroundColor: c.accent,
          order: 0,
        },
        ...data.statuses.map((row, index) => ({
          label: row.label,
          data: row.arr.map(amount),
          backgroundColor: colorOf[row.status],
          stack: "due",
          order: index + 1,
        })),
      ],
    },
    options: {
      scales: {
        x: { stacked: true },
        y: { stacked: true, beginAtZero: true, ticks: { callback: (value) => K.moneyCompact(value) } },
      },
      plugins: { tooltip: { callbacks: { label: (item) => `${item.dataset.label}: ${K.money(item.parsed.y)}` } } },
    },
  });
});
