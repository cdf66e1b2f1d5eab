/* Escaping a local minimum (chapter 3): two runs of SGD from the shallow minimum of the double
 * well, a small and a large learning rate fed the same noisy gradients (same seed). Step reveals
 * the trial one step at a time; Reset starts a new trial (the next seed). The tally counts the
 * finished trials; beside it, the outcome of 1,000 seeded runs for each rate.
 * Numbers: optdocs.demos.double_well_path / double_well_outcomes / double_well_curve. */
(function () {
  "use strict";
  const COLORS = ["#0072B2", "#E69F00"]; // optdocs.plots.style.PALETTE[0:2]

  function where(p, n) {
    if (p.diverged_at >= 0 && n >= p.diverged_at) return "diverged";
    return p.x[n] >= 0 ? "deep well" : "shallow well";
  }

  window.optdocsWidgets.register("escape", {
    mount(w) {
      const T = w.controls.step.max;
      w.tally = { key: "", trials: new Set(), small: 0, large: 0 };
      w.button("step", "Step", () => {
        const v = w.values;
        w.update(v.step >= T ? { trial: v.trial + 1, step: 1 } : { step: v.step + 1 });
      });
      w.button("step10", "Step ×10", () => {
        const v = w.values;
        w.update(v.step >= T ? { trial: v.trial + 1, step: 10 } : { step: Math.min(T, v.step + 10) });
      });
      w.button("reset", "Reset (new trial)", () => w.update({ trial: w.values.trial + 1, step: 0 }));
      w.well = w.panel("The double well with both runs at the current step");
      w.time = w.panel("Position against step for both runs");
      w.readout("step", "step");
      w.readout("trial", "trial (noise seed)");
      w.readout("small_x", "small rate: x");
      w.readout("small_where", "small rate: in the");
      w.readout("large_x", "large rate: x");
      w.readout("large_where", "large rate: in the");
      w.readout("tally", "finished trials ending in the deep well (small, large)");
      w.readout("small_escaped", "small rate: 1,000 runs × 1,000 steps end in the deep well");
      w.readout("large_escaped", "large rate: 1,000 runs × 1,000 steps end in the deep well");
    },

    draw(w, a, meta) {
      const v = w.values, T = w.controls.step.max, n = v.step;
      const c = a.curve;
      const paths = [a.small, a.large];
      w.well.scales({ domain: [c.x[0], c.x[c.x.length - 1]], label: "x" }, { domain: [-0.6, 1.5], label: "loss" })
        .line("curve", c.x, c.loss, { className: "optdocs-widget__ink" })
        .rule("barrier", c.barrier.x, true);
      paths.forEach((p, i) => w.well.dots(`dot${i}`, [p.x[n]], [p.loss[n]], { color: COLORS[i], r: 6 }));
      const steps = [...Array(n + 1).keys()];
      w.time.scales({ domain: [0, T], label: "step" }, { domain: [-3, 3], label: "position x" })
        .rule("barrier", 0, false);
      paths.forEach((p, i) => w.time.line(`path${i}`, steps, p.x.slice(0, n + 1),
                                          { color: COLORS[i], dash: i ? "5 3" : null, width: 1.3 }));
      w.set("step", `${n} of ${T}`, n);
      w.set("trial", String(v.trial), v.trial);
      for (const [k, p] of [["small", a.small], ["large", a.large]]) {
        w.set(`${k}_x`, window.optdocsWidgets.fmt.signed(p.x[n], 2), p.x[n]);
        w.set(`${k}_where`, where(p, n));
      }
      // the tally counts a trial once it is finished, from exact answers only
      const key = `${v.small},${v.large}`;
      if (w.tally.key !== key) w.tally = { key, trials: new Set(), small: 0, large: 0 };
      if (n === T && !w.tally.trials.has(v.trial) && !meta.approx.small && !meta.approx.large) {
        w.tally.trials.add(v.trial);
        w.tally.small += a.small.basin === "deep" ? 1 : 0;
        w.tally.large += a.large.basin === "deep" ? 1 : 0;
      }
      const k = w.tally.trials.size;
      w.set("tally", `${w.tally.small} of ${k}, ${w.tally.large} of ${k}`);
      const F = window.optdocsWidgets.fmt;
      w.set("small_escaped", F.pct(a.small_runs.escaped), a.small_runs.escaped);
      w.set("large_escaped", F.pct(a.large_runs.escaped), a.large_runs.escaped);
    },
  });
})();
