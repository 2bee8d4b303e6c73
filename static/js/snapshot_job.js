// A snapshot job's status block (templates/metrics/_job.html): follow its progress while it runs (the page works
// without this: its Refresh link shows the same numbers).
(function () {
  "use strict";
  const block = document.getElementById("snapshot-job");
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
    if (job.state === "done" && block.dataset.done) part("steps").textContent += ` · ${block.dataset.done}`;
    return false;
  });
})();
