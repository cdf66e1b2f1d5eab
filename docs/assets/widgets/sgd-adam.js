/* SGD against Adam on the double well (chapter 8): one run each from the shallow minimum, fed the
 * same noise, and the outcome of 1,000 runs of 1,000 steps for each.
 * Numbers: optdocs.demos.double_well_path / double_well_outcomes. */
(function () {
  "use strict";
  const COLORS = ["#0072B2", "#E69F00"]; // optdocs.plots.style.PALETTE[0:2]
  const NAMES = [["sgd", "SGD"], ["adam", "Adam"]];

  window.optdocsWidgets.register("sgd-adam", {
    mount(w) {
      w.pos = w.panel("Position against step, SGD solid, Adam dashed");
      w.loss = w.panel("Loss against step, SGD solid, Adam dashed");
      for (const [k, label] of NAMES) {
        w.readout(`${k}_end`, `${label}: run 0 ends`);
        w.readout(`${k}_escaped`, `${label}: of 1,000 runs, escaped`);
        w.readout(`${k}_stayed`, `${label}: stayed`);
        w.readout(`${k}_diverged`, `${label}: diverged`);
      }
    },

    draw(w, a) {
      const steps = a.sgd.x.map((_, i) => i);
      w.pos.scales({ domain: [0, steps.length - 1], label: "step" }, { domain: [-3.3, 3.3], label: "position x" })
        .rule("barrier", 0, false).rule("shallow", -1, false, { dash: "1 4" }).rule("deep", 1.5, false, { dash: "1 4" });
      w.loss.scales({ domain: [0, steps.length - 1], label: "step" }, { domain: [-0.6, 1.5], label: "loss" });
      const F = window.optdocsWidgets.fmt;
      NAMES.forEach(([k], i) => {
        const p = a[k], r = a[`${k}_runs`];
        const style = { color: COLORS[i], dash: i ? "5 3" : null, width: i ? 1.6 : 1.1 };
        const end = p.diverged_at >= 0 ? p.diverged_at : p.x.length;
        w.pos.line(k, steps.slice(0, end), p.x.slice(0, end), style);
        w.loss.line(k, steps.slice(0, end), p.loss.slice(0, end), style);
        w.set(`${k}_end`, p.basin === "diverged" ? `diverged at step ${p.diverged_at}`
          : `in the ${p.basin} well, x = ${F.signed(p.final_x, 3)}`, p.final_x);
        w.set(`${k}_escaped`, F.pct(r.escaped), r.escaped);
        w.set(`${k}_stayed`, F.pct(r.stayed), r.stayed);
        w.set(`${k}_diverged`, F.pct(r.diverged), r.diverged);
      });
    },
  });
})();
