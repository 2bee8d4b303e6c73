// Keel's shared page helpers, loaded on every page before its own script: Chart.js defaults, number formats,
// tables that sort when a header is clicked, following a background job. Pages work without them; only the
// charts need script.
(function () {
  "use strict";

  const colors = {
    accent: "#1d4e89",
    sky: "#5b9bd5",
    teal: "#2a9d8f",
    green: "#2f9e6b",
    lime: "#8cc084",
    yellow: "#e0a526",
    orange: "#e07b39",
    red: "#d0473e",
    purple: "#7b61b1",
    grey: "#8792a2",
  };

  const whole = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
  const compactFormat = new Intl.NumberFormat("en-US", { notation: "compact", maximumFractionDigits: 1 });
  const cents = new Intl.NumberFormat("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });

  function readJson(id) {
    const element = document.getElementById(id);
    return element ? JSON.parse(element.textContent) : null;
  }

  function setDefaults() {
    if (!window.Chart) return false;
    const defaults = window.Chart.defaults;
    defaults.animation = false; // drawn at once: the page is read, not watched
    defaults.responsive = true;
    defaults.maintainAspectRatio = false;
    defaults.font.family = getComputedStyle(document.body).fontFamily;
    defaults.font.size = 12;
    defaults.color = "#5d6878";
    defaults.borderColor = "#e1e6ed";
    defaults.plugins.legend.position = "bottom";
    defaults.plugins.legend.labels.boxWidth = 12;
    defaults.plugins.legend.labels.boxHeight = 12;
    defaults.plugins.legend.labels.sort = (a, b) => a.datasetIndex - b.datasetIndex;
    defaults.plugins.tooltip.mode = "index";
    defaults.plugins.tooltip.intersect = false;
    defaults.elements.line.borderWidth = 2;
    defaults.elements.point.radius = 2;
    defaults.elements.point.hoverRadius = 4;
    defaults.scale.ticks.maxRotation = 0;
    defaults.scale.ticks.autoSkipPadding = 12;
    return true;
  }

  const monthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  // "2025-12" → "Dec 2025": axis labels that need no rotation.
  function monthLabel(text) {
    const [year, month] = text.split("-");
    return `${monthNames[parseInt(month, 10) - 1]} ${year}`;
  }
  // "2025-03-31" → "31 Mar 2025", as the pages write a day (config/formats).
  function dayLabel(text) {
    const [year, month, day] = text.split("-");
    return `${parseInt(day, 10)} ${monthNames[parseInt(month, 10) - 1]} ${year}`;
  }
  // The currency's symbol (KEEL_CURRENCY, on the page's body): money reads like money in tooltips and axes too.
  const symbol = () => (document.body && document.body.dataset.currency) || "";
  const signed = (text, value) => (value < 0 ? "−" + symbol() + text.replace("-", "") : symbol() + text);

  // Calls draw(data) with the page's chart data (json_script `id`) once Chart.js is set up; a page without
  // either draws nothing.
  function drawCharts(id, draw) {
    const data = readJson(id);
    if (data && setDefaults()) draw(data);
  }

  function chart(id, config) {
    const canvas = document.getElementById(id);
    if (!canvas || !window.Chart) return null;
    return new window.Chart(canvas, config);
  }

  // Tables with data-sortable: a header with data-sort ("text" or "number") sorts by each cell's data-value
  // (or its text), ascending first, then descending; aria-sort says which.
  function sortable(table) {
    const headers = Array.from(table.querySelectorAll("thead th"));
    headers.forEach(function (header, index) {
      const kind = header.dataset.sort;
      if (!kind) return;
      const button = document.createElement("button");
      button.type = "button";
      button.className = "sort-button";
      while (header.firstChild) button.appendChild(header.firstChild);
      header.appendChild(button);
      button.addEventListener("click", function () {
        const ascending = header.getAttribute("aria-sort") !== "ascending";
        headers.forEach((other) => other.removeAttribute("aria-sort"));
        header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        const body = table.tBodies[0];
        const rows = Array.from(body.rows);
        const value = function (row) {
          const cell = row.cells[index];
          const raw = cell.dataset.value !== undefined ? cell.dataset.value : cell.textContent.trim();
          if (kind === "number") return raw === "" ? null : parseFloat(raw);
          return raw.toLowerCase();
        };
        rows.sort(function (a, b) {
          const x = value(a);
          const y = value(b);
          if (x === y) return 0;
          if (x === null) return 1; // blanks last either way
          if (y === null) return -1;
          return (x < y ? -1 : 1) * (ascending ? 1 : -1);
        });
        rows.forEach((row) => body.appendChild(row));
      });
    });
  }

  document.querySelectorAll("table[data-sortable]").forEach(sortable);

  // Bars drawn in HTML (the 360's subscription timeline, feature adoption) carry their size as data-left and
  // data-width (CSS lengths); the CSSOM sets them, which the Content-Security-Policy allows and style="" is not.
  document.querySelectorAll("[data-left], [data-width]").forEach(function (bar) {
    if (bar.dataset.left) bar.style.left = bar.dataset.left;
    if (bar.dataset.width) bar.style.width = bar.dataset.width;
  });

  // Follows a background job: fetches `url` as JSON 2 s from now and hands the answer to update(answer), again
  // while update returns true; a network error retries after 5 s, a refused request stops (the page's Refresh
  // link still shows the same numbers).
  function follow(url, update) {
    async function poll() {
      let answer;
      try {
        const response = await fetch(url, { headers: { Accept: "application/json" } });
        if (!response.ok) return;
        answer = await response.json();
      } catch (error) {
        setTimeout(poll, 5000);
        return;
      }
      if (update(answer)) setTimeout(poll, 2000);
    }
    setTimeout(poll, 2000);
  }

  window.Keel = {
    colors: colors,
    readJson: readJson,
    monthLabel: monthLabel,
    dayLabel: dayLabel,
    setDefaults: setDefaults,
    drawCharts: drawCharts,
    chart: chart,
    follow: follow,
    whole: (value) => (value === null || value === undefined ? "—" : whole.format(value)),
    compact: (value) => compactFormat.format(value),
    money: (value) => (value === null || value === undefined ? "—" : signed(cents.format(value), value)),
    moneyCompact: (value) => signed(compactFormat.format(value), value),
    percent: (value) => (value === null || value === undefined ? "—" : value.toFixed(1) + "%"),
  };
})();
