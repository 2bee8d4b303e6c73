// The Health model page: the active model's backtest month by month, the churn rate within 90 days of each
// status and of every scored account per month-end, from the page's json_script data (fractions). The table
// beside the chart holds the same numbers.
window.Keel.drawCharts("backtest-data", function (data) {
  "use strict";
  const K = window.Keel;
  const c = K.colors;
  const percent = (values) => values.map((value) => (value === null ? null : value * 100));
  const line = (label, values, color, dashed) => ({
    label: label,
    data: percent(values),
    borderColor: color,
    backgroundColor: color,
    borderDash: dashed ? [5, 4] : [],
    spanGaps: false,
  });
  K.chart("chart-backtest", {
    type: "line",
    data: {
      labels: data.days.map((day) => K.monthLabel(day.slice(0, 7))),
      datasets: [
        line("Green", data.green, c.green, false),
        line("Yellow", data.yellow, c.yellow, false),
        line("Red", data.red, c.red, false),
        line("All", data.overall, c.grey, true),
      ],
    },
    options: {
      scales: { y: { beginAtZero: true, ticks: { callback: (value) => value + "%" } } },
      plugins: {
        tooltip: {
          callbacks: {
            title: (items) => K.dayLabel(data.days[items[0].dataIndex]),
            label: (item) => `${item.dataset.label}: ${K.percent(item.parsed.y)}`,
          },
        },
      },
    },
  });
});
