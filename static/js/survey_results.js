// A survey's results: its score by month (with the answers behind each month) and the score distribution, from
// the page's json_script data. The tables under the charts hold the same numbers.
window.Keel.drawCharts("survey-results-data", function (data) {
  "use strict";
  const K = window.Keel;
  const c = K.colors;
  const label = data.kind.toUpperCase();
  // The colours of METRICS.md's groups: detractors / promoters for NPS, low / satisfied CSAT, hard / easy CES.
  const bands = { nps: [6, 9], csat: [2, 4], ces: [3, 5] }[data.kind];
  const colorOf = (score) => (score <= bands[0] ? c.red : score >= bands[1] ? c.green : c.yellow);
  const scoreAxis = {
    nps: { min: -100, max: 100, ticks: { stepSize: 50 } },
    csat: { min: 0, max: 100, ticks: { stepSize: 25 } },
    ces: { min: 1, max: 7, ticks: { stepSize: 1 } },
  }[data.kind];
  const oneDecimal = (value) => (value === null || value === undefined ? "—" : value.toFixed(1));

  K.chart("chart-months", {
    type: "bar",
    data: {
      labels: data.months.map(K.monthLabel),
      datasets: [
        {
          label: label,
          type: "line",
          data: data.score,
          borderColor: c.accent,
          backgroundColor: c.accent,
          yAxisID: "y",
          spanGaps: true,
          order: 1,
        },
        {
          label: "Answers",
          data: data.responses,
          backgroundColor: "rgba(91, 155, 213, 0.35)",
          yAxisID: "answers",
          order: 2,
        },
      ],
    },
    options: {
      scales: {
        y: { ...scoreAxis, title: { display: true, text: label } },
        answers: {
          position: "right",
          beginAtZero: true,
          grid: { drawOnChartArea: false },
          ticks: { precision: 0 },
          title: { display: true, text: "answers" },
        },
      },
      plugins: {
        tooltip: {
          callbacks: {
            label: (item) =>
              `${item.dataset.label}: ${item.dataset.yAxisID === "y" ? oneDecimal(item.parsed.y) : K.whole(item.parsed.y)}`,
          },
        },
      },
    },
  });

  K.chart("chart-distribution", {
    type: "bar",
    data: {
      labels: data.scores.map(String),
      datasets: [{ label: "Answers", data: data.answers, backgroundColor: data.scores.map(colorOf) }],
    },
    options: {
      scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
      plugins: { legend: { display: false }, tooltip: { callbacks: { title: (items) => `Score ${items[0].label}` } } },
    },
  });
});
