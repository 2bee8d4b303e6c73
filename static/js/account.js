// Account page (account 360): health of the last 90 days, MRR at each month-end, usage; from json_script data.
window.Keel.drawCharts("account-data", function (data) {
  "use strict";
  const K = window.Keel;
  const c = K.colors;
  const days = data.days;
  const threshold = (value, color, label) => ({
    label: label,
    data: days.map(() => value),
    borderColor: color,
    borderDash: [4, 4],
    borderWidth: 1,
    pointRadius: 0,
    pointHoverRadius: 0,
  });

  const scoreSets = [
    {
      label: "Health score",
      data: data.score,
      borderColor: c.accent,
      backgroundColor: "rgba(29, 78, 137, 0.08)",
      fill: true,
      pointRadius: 0,
      spanGaps: false,
    },
  ];
  if (data.green_min !== null) scoreSets.push(threshold(data.green_min, c.green, "Green from"));
  if (data.yellow_min !== null) scoreSets.push(threshold(data.yellow_min, c.red, "Red below"));
  K.chart("chart-score", {
    type: "line",
    data: { labels: days.map(K.dayLabel), datasets: scoreSets },
    options: {
      scales: { y: { min: 0, max: 100 }, x: { ticks: { maxTicksLimit: 6 } } },
      plugins: { tooltip: { callbacks: { label: (item) => `${item.dataset.label}: ${item.parsed.y === null ? "—" : item.parsed.y.toFixed(1)}` } } },
    },
  });

  const movementColor = {
    new: c.green,
    reactivation: c.purple,
    expansion: c.sky,
    contraction: c.orange,
    churned: c.red,
  };
  K.chart("chart-account-mrr", {
    type: "bar",
    data: {
      labels: data.months.map(K.monthLabel),
      datasets: [
        {
          label: "MRR",
          data: data.mrr,
          backgroundColor: data.movements.map((movement) => movementColor[movement] || c.accent),
        },
      ],
    },
    options: {
      scales: { y: { beginAtZero: true, ticks: { callback: (value) => K.moneyCompact(value) } } },
      plugins: {
        legend: { display: false },
        tooltip: {
          callbacks: {
            label: (item) => {
              const movement = data.movements[item.dataIndex];
              return `MRR ${K.money(item.parsed.y)}${movement ? " (" + movement + ")" : ""}`;
            },
          },
        },
      },
    },
  });

  K.chart("chart-usage", {
    type: "bar",
    data: {
      labels: days.map(K.dayLabel),
      datasets: [
        { label: "DAU", data: data.dau, backgroundColor: c.sky, yAxisID: "y", order: 3 },
        { label: "MAU", type: "line", data: data.mau, borderColor: c.accent, backgroundColor: c.accent, pointRadius: 0, yAxisID: "y", order: 2 },
        {
          label: "Stickiness %",
          type: "line",
          data: data.stickiness,
          borderColor: c.orange,
          backgroundColor: c.orange,
          pointRadius: 0,
          yAxisID: "percent",
          order: 1,
        },
      ],
    },
    options: {
      scales: {
        x: { ticks: { maxTicksLimit: 6 } },
        y: { beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: "users" } },
        percent: { position: "right", min: 0, max: 100, grid: { drawOnChartArea: false }, ticks: { callback: (value) => value + "%" } },
      },
    },
  });
});
