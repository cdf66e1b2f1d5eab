/* Learning-rate schedules (chapter 11): a schedule of optdocs.schedules picked from a list, its
 * rate over a short run, and the mean loss of noisy SGD runs on the flat-and-steep bowl with it,
 * against the constant rate at the same peak (dashed). Only the settings the chosen schedule uses
 * are shown (the list comes with the answer: optdocs.demos.SCHEDULE_PARAMETERS).
 * Numbers: optdocs.demos.schedule_run (the grid of the build, or live in the worker). */
(function () {
  "use strict";
  const BLUE = "#0072B2"; // optdocs.plots.style.PALETTE[0]
  const SHAPE = ["warmup", "decay", "interval"]; // the settings only some schedules use

  /** Show the settings the schedule uses, hide and disable the others. */
  function relevant(w, uses) {
    for (const name of SHAPE) {
      const { input } = w.inputs[name];
      const off = !uses.includes(name);
      input.disabled = off;
      input.parentElement.hidden = off;
    }
  }

  // Python's None arrives as null from the build's grid, as undefined from the worker
  const text = (v, digits) => (v == null ? "diverged" : v.toPrecision(digits));

  window.optdocsWidgets.register("schedules", {
    mount(w) {
      w.rate = w.panel("The learning rate at every step: the schedule, and the constant peak rate dashed");
      w.loss = w.panel("Mean loss of the noisy runs against step, log scale: the schedule, and the constant rate dashed");
      w.readout("schedule", "optdocs call");
      w.readout("first_lr", "rate at step 0");
      w.readout("peak", "highest rate (first step at it)");
      w.readout("final_lr", "rate at the last step");
      w.readout("final_loss", "mean loss at the end");
      w.readout("baseline_loss", "the same with the constant rate");
      relevant(w, w.nearest("run").value.uses); // before the first answer: the build's
    },

    draw(w, a) {
      const run = a.run, base = a.baseline;
      relevant(w, run.uses);
      const n = run.lr.length;
      const steps = run.lr.map((_, i) => i);
      const top = Math.max(...run.lr, ...base.lr);
      w.rate.scales({ domain: [0, n], label: "step" }, { domain: [0, 1.05 * top], label: "learning rate" })
        .line("constant", steps, base.lr, { className: "optdocs-widget__ink", dash: "5 3", width: 1.1 })
        .line("schedule", steps, run.lr, { color: BLUE, width: 1.8 });
      const finite = [...run.loss, ...base.loss].filter((v) => v != null && v > 0);
      const lo = Math.max(1e-4, 0.8 * Math.min(...finite));
      const hi = Math.min(1e4, Math.max(10, ...finite));
      const at = run.loss.map((_, i) => i);
      const clip = (ys) => ys.map((v) => (v == null ? NaN : Math.min(Math.max(v, lo), hi)));
      w.loss.scales({ domain: [0, n], label: "step" }, { domain: [lo, hi], log: true, label: "mean loss" })
        .line("constant", at, clip(base.loss), { className: "optdocs-widget__ink", dash: "5 3", width: 1.1 })
        .line("schedule", at, clip(run.loss), { color: BLUE, width: 1.8 });
      w.set("schedule", run.schedule);
      w.set("first_lr", run.first_lr.toPrecision(4), run.first_lr);
      w.set("peak", `${run.peak_lr.toPrecision(4)} (step ${run.peak_step})`, run.peak_lr);
      w.set("final_lr", run.final_lr.toPrecision(4), run.final_lr);
      w.set("final_loss", text(run.final_loss, 4), run.final_loss ?? null);
      w.set("baseline_loss", text(base.final_loss, 4), base.final_loss ?? null);
    },
  });
})();
