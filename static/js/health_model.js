// Health model page: follow a recompute's progress in its status block while it runs (the page works without
// this: its Refresh link shows the same numbers).
(function () {
  "use strict";
  const block = document.getElementById("recompute");
  if (!block) return;
  const running = (state) => state === "queued" || state === "running";
  if (!running(block.dataset.state)) return;
  const part = (name) => block.querySelector(`[data-job="${name}"]`);
  const badges = { done: "badge--success", failed: "badge--danger" };

  window.Keel.follow(block.dataset.jobUrl, function (job) {
    const badge = part("state");
    badge.textContent = job.state_label;
    badge.className = `badge ${badges[job.state] || "badge--accent"}`;
    part("steps").textContent = `${job.steps_done} of ${job.steps_total} steps`;
    const bar = part("progress");
    bar.max = job.steps_total || 1;
    bar.value = job.steps_done;
    part("error").textContent = job.error;
    if (running(job.state)) return true;
    if (job.state === "done") part("steps").textContent += " · refresh the page for the recomputed preview";
    return false;
  });
})();
