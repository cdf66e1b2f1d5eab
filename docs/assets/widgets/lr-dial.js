/* The learning-rate dial (chapter 2): gradient descent on the bowl f(x) = c/2 x^2.
 * Numbers: optdocs.demos.lr_dial (the grid of the build, or live in the worker). Glue: core.js. */
(function () {
  "use strict";
  const BLUE = "#0072B2"; // optdocs.plots.style.PALETTE[0]

  window.optdocsWidgets.register("lr-dial", {
    mount(w) {
      w.bowl = w.panel("The bowl f(x) = c/2 x² and the iterates of gradient descent");
      w.curve = w.panel("Loss against step, log scale");
      w.readout("regime", "regime");
      w.readout("factor", "factor 1 − ηc per step");
      w.readout("overshoot", "overshoots above η =");
      w.readout("diverge", "diverges above η =");
      w.readout("final_x", "x after 20 steps");
      w.readout("final_loss", "loss after 20 steps");
    },

    draw(w, a) {
      const d = a.dial;
      const top = Math.max(...d.curve.loss);
      w.bowl.scales({ domain: [d.curve.x[0], d.curve.x[d.curve.x.length - 1]], label: "x" },
                    { domain: [-0.05 * top, top], label: "f(x)" })
        .line("curve", d.curve.x, d.curve.loss, { className: "optdocs-widget__ink" })
        .line("path", d.x, d.loss, { color: BLUE, width: 1.2 })
        .dots("iterates", d.x, d.loss, { color: BLUE, r: 3 })
        .dots("start", [d.x[0]], [d.loss[0]], { color: BLUE, fill: "none", r: 5 });
      const steps = d.loss.map((_, i) => i);
      const pos = d.loss.filter((v) => v > 0);
      const lo = Math.max(1e-16, Math.min(...pos, 1));
      const hi = Math.max(10, ...pos);
      w.curve.scales({ domain: [0, steps.length - 1], label: "step" }, { domain: [lo, hi], log: true, label: "loss" })
        .line("loss", steps, d.loss.map((v) => Math.max(v, lo)), { color: BLUE });
      const F = window.optdocsWidgets.fmt;
      w.set("regime", d.regime, d.regime);
      w.set("factor", F.signed(d.factor, 3), d.factor);
      w.set("overshoot", d.thresholds.overshoot.toFixed(3), d.thresholds.overshoot);
      w.set("diverge", d.thresholds.diverge.toFixed(3), d.thresholds.diverge);
      w.set("final_x", d.final_x.toPrecision(4), d.final_x);
      w.set("final_loss", d.final_loss.toPrecision(4), d.final_loss);
    },
  });
})();
