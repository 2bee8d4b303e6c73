// Company and CSM dashboards: the trend charts, from the page's json_script data. A click on a bar of the MRR
// bridge opens the accounts behind it (the bridge table below links the same lists without script).
window.Keel.drawCharts("dashboard-data", function (data) {
  "use strict";
  const K = window.Keel;
  const c = K.colors;
  const script = document.currentScript;
  const drillUrl = script ? script.dataset.drillUrl : "";
  const months = data.months;
  // The month still running is labelled so: its figures are to date, not the month's.
  const labels = months.map((month) => K.monthLabel(month) + (month === data.in_progress ? " (month to date)" : ""));

  const moneyAxis = { ticks: { callback: (value) => K.moneyCompact(value) } };
  const percentAxis = { ticks: { callback: (value) => value + "%" } };
  const tooltip = (format) => ({
    callbacks: { label: (item) => `${item.dataset.label}: ${format(item.parsed.y)}` },
  });

  // A line of a dataset, drawn and filled in its colour.
  const line = (label, values, color, extra = {}) => ({
    label: label,
    data: values,
    borderColor: color,
    backgroundColor: color,
    ...extra,
  });
  const percentLines = (id, datasets) =>
    K.chart(id, {
      type: "line",
      data: { labels: labels, datasets: datasets },
      options: { scales: { y: percentAxis }, plugins: { tooltip: tooltip(K.percent) } },
    });

  // The MRR bridge: gains stack above zero, losses below.
  const bridge = [
    ["new", "New", data.new_mrr, c.green],
    ["reactivation", "Reactivation", data.reactivation_mrr, c.purple],
    ["expansion", "Expansion", data.expansion_mrr, c.sky],
    ["contraction", "Contraction", data.contraction_mrr, c.orange],
    ["churned", "Churned", data.churned_mrr, c.red],
  ];
  K.chart("chart-bridge", {
    type: "bar",
    data: {
      labels: labels,
      datasets: bridge.map(([slug, label, values, color]) => ({
        label: label,
        slug: slug,
        data: values,
        backgroundColor: color,
        stack: "bridge",
      })),
    },
    options: {
      scales: { x: { stacked: true }, y: { stacked: true, ...moneyAxis } },
      plugins: { tooltip: tooltip(K.money) },
      onHover: (event, elements) => {
        event.native.target.style.cursor = elements.length ? "pointer" : "default";
      },
      onClick: (event, elements, chart) => {
        if (!elements.length || !drillUrl) return;
        const { datasetIndex, index } = elements[0];
        const slug = chart.data.datasets[datasetIndex].slug;
        window.location.href = drillUrl.replace("FIGURE", slug).replace("MONTH", months[index]);
      },
    },
  });

  K.chart("chart-mrr", {
    type: "line",
    data: {
      labels: labels,
      datasets: [
        line("MRR", data.mrr, c.accent, { yAxisID: "y" }),
        line("ARR", data.arr, c.sky, { yAxisID: "arr", borderDash: [5, 4] }),
      ],
    },
    options: {
      scales: {
        y: { ...moneyAxis, title: { display: true, text: "MRR" } },
        arr: { position: "right", grid: { drawOnChartArea: false }, ...moneyAxis, title: { display: true, text: "ARR" } },
      },
      plugins: { tooltip: tooltip(K.money) },
    },
  });

  percentLines("chart-retention", [
    line("NRR 12m", data.nrr_12m, c.accent),
    line("GRR 12m", data.grr_12m, c.teal),
  ]);
  percentLines("chart-churn", [
    line("Logo churn", data.logo_churn_rate, c.red),
    line("Gross MRR churn", data.gross_mrr_churn_rate, c.orange),
    line("Net MRR churn", data.net_mrr_churn_rate, c.purple),
  ]);

  K.chart("chart-voice", {
    type: "line",
    data: {
      labels: labels,
      datasets: [
        line("NPS 90d", data.nps_90d, c.accent),
        line("CSAT 90d", data.csat_90d, c.green),
      ],
    },
    options: {
      scales: { y: { suggestedMin: 0, suggestedMax: 100 } },
      plugins: { tooltip: tooltip((value) => (value === null ? "—" : value.toFixed(1))) },
    },
  });

  K.chart("chart-health", {
    type: "bar",
    data: {
      labels: labels,
      datasets: [
        { label: "Green", data: data.health_green, backgroundColor: c.green, stack: "health" },
        { label: "Yellow", data: data.health_yellow, backgroundColor: c.yellow, stack: "health" },
        { label: "Red", data: data.health_red, backgroundColor: c.red, stack: "health" },
      ],
    },
    options: {
      scales: { x: { stacked: true }, y: { stacked: true, ticks: { precision: 0 } } },
      plugins: { tooltip: tooltip(K.whole) },
    },
  });

  K.chart("chart-support", {
    type: "bar",
    data: {
      labels: labels,
      datasets: [
        { label: "Created", data: data.tickets_created, backgroundColor: c.sky, yAxisID: "y", order: 2 },
        { label: "Resolved", data: data.tickets_resolved, backgroundColor: c.grey, yAxisID: "y", order: 2 },
        {
          label: "Median hours to resolve",
          type: "line",
          data: data.median_resolution_hours,
          borderColor: c.orange,
          backgroundColor: c.orange,
          yAxisID: "hours",
          order: 1,
        },
      ],
    },
    options: {
      scales: {
        y: { ticks: { precision: 0 }, title: { display: true, text: "tickets" } },
        hours: { position: "right", grid: { drawOnChartArea: false }, title: { display: true, text: "hours" } },
      },
    },
  });
});
