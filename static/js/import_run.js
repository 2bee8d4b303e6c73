// Import run page: follow a queued or running import in its progress block, and show the report once it is
// finished (the page works without this: its Refresh link shows the same numbers).
(function () {
  "use strict";
  const block = document.getElementById("import-progress");
  if (!block) return;
  const part = (name) => block.querySelector(`[data-progress="${name}"]`);

  window.Keel.follow(block.dataset.progressUrl, function (run) {
    if (run.state === "finished") {
      window.location.reload(); // the report is rendered by the page
      return false;
    }
    part("state").textContent = run.state_label;
    if (run.file) {
      part("reading").textContent = `${run.file}: ${run.rows.toLocaleString("en-US")} rows read`;
    }
    return true;
  });
})();
