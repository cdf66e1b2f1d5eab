/* The training playground (training chapter): the 2-8-1 network on the circle data, trained epoch
 * by epoch. Play asks for epoch 1, 2, 3, ... in turn (Python keeps the run, so each answer costs
 * one epoch; once live, the next epoch is asked only after the current one is drawn); Step adds
 * one epoch; Reset goes back to epoch 0. Changing a setting starts the run again from epoch 0 and
 * plays it. The decision boundary is the network's output on the build's grid of points, drawn
 * as filled contour bands (d3-contour) under the data points.
 * Numbers: optdocs.demos.playground and optdocs.demos.circle_points. */
(function () {
  "use strict";
  const BLUE = "#0072B2", ORANGE = "#E69F00", GREEN = "#009E73"; // optdocs.plots.style.PALETTE
  const TICK_MS = 70; // at most ~14 epochs (URL updates) a second
  const BANDS = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];

  function setPlaying(w, on) {
    w.playing = on;
    w.playButton.textContent = on ? "Pause" : "Play";
    w.playButton.setAttribute("aria-pressed", String(on));
    clearTimeout(w.timer);
    w.timer = on ? setTimeout(() => tick(w), 0) : null;
  }

  function tick(w) {
    w.timer = null;
    if (!w.playing) return;
    const e = w.values.epoch, max = w.controls.epoch.max;
    if (e >= max) { setPlaying(w, false); return; }
    if (w.state === "live" && w.answers().pendingFast) {
      w.timer = setTimeout(() => tick(w), 15); // Python has not answered this epoch yet: no queue
      return;
    }
    w.update({ epoch: e + 1 });
    w.timer = setTimeout(() => tick(w), TICK_MS);
  }

  /** Filled contour bands of the probability grid `b` ({x, p}) and the 0.5 line, into group `g`
   * of panel `P`. */
  function boundary(P, g, b) {
    const d3 = window.d3, n = b.x.length, step = b.x[1] - b.x[0];
    const gx = (u) => P.x(b.x[0] + (u - 0.5) * step); // d3-contour: value i sits at i + 0.5
    const gy = (v) => P.y(b.x[0] + (v - 0.5) * step);
    const ring = d3.line().x((p) => gx(p[0])).y((p) => gy(p[1])).curve(d3.curveLinearClosed);
    const path = (mp) => mp.coordinates.map((poly) => poly.map(ring).join("")).join("");
    const shapes = d3.contours().size([n, n]).thresholds(BANDS)(b.p);
    g.selectAll("rect[data-key=outside]").data([0]).join("rect").attr("data-key", "outside")
      .attr("x", P.x(-2)).attr("y", P.y(2)).attr("width", P.x(2) - P.x(-2)).attr("height", P.y(-2) - P.y(2))
      .attr("fill", ORANGE).attr("fill-opacity", 0.2);
    g.selectAll("path[data-key=band]").data(shapes).join("path").attr("data-key", "band")
      .attr("d", path).attr("fill", BLUE).attr("fill-opacity", 0.09).attr("stroke", "none");
    g.selectAll("path[data-key=edge]").data(shapes.filter((s) => s.value === 0.5)).join("path")
      .attr("data-key", "edge").attr("class", "optdocs-widget__ink").attr("d", path)
      .attr("fill", "none").attr("stroke-width", 1.8);
  }

  window.optdocsWidgets.register("playground", {
    mount(w) {
      w.playing = false;
      w.playButton = w.button("play", "Play", () => {
        if (!w.playing && w.values.epoch >= w.controls.epoch.max) w.update({ epoch: 0 });
        setPlaying(w, !w.playing);
      });
      w.playButton.setAttribute("aria-pressed", "false");
      w.button("step", "Step (one epoch)", () => {
        setPlaying(w, false);
        const e = w.values.epoch, max = w.controls.epoch.max;
        w.update({ epoch: e >= max ? 1 : e + 1 });
      });
      w.button("reset", "Reset", () => { setPlaying(w, false); w.update({ epoch: 0 }); });
      w.field = w.panel("The data (circles: inside, label 1; triangles: outside, label 0) over the network's output, blue where it answers inside; the line is probability 0.5");
      w.field.scales({ domain: [-3, 3], label: "x1" }, { domain: [-2, 2], label: "x2" });
      w.heat = w.field.layer.append("g"); // the boundary under the points
      w.points = w.field.layer.append("g");
      w.curves = w.panel("Loss (solid) and accuracy (dashed) on the 200 points against epoch");
      w.readout("epoch", "epoch");
      w.readout("loss", "loss");
      w.readout("accuracy", "accuracy");
      w.readout("epochs_to_90", "first epoch at 90% accuracy");
      w.readout("lr", "learning rate of the last step");
      w.readout("steps", "optimizer steps");
    },

    /** A setting changed: train again from the first epoch, and show it. */
    changed(w) {
      w.values.epoch = 0;
      setPlaying(w, true);
    },

    draw(w, a) {
      const r = a.run, d = a.data, max = w.controls.epoch.max;
      boundary(w.field, w.heat, r.boundary);
      if (w.drawnData !== d) { // the points do not move: drawn once per answer of "data"
        w.drawnData = d;
        const X = w.field.x, Y = w.field.y, at = (i) => `translate(${X(d.x1[i])},${Y(d.x2[i])})`;
        const d3 = window.d3, dot = d3.symbol(d3.symbolCircle, 20)(), tri = d3.symbol(d3.symbolTriangle, 22)();
        w.points.selectAll("path").data(d.label.map((l, i) => [l, i])).join("path")
          .attr("data-key", ([l]) => (l ? "inside" : "outside"))
          .attr("d", ([l]) => (l ? dot : tri))
          .attr("fill", ([l]) => (l ? BLUE : "none")).attr("stroke", ([l]) => (l ? BLUE : ORANGE))
          .attr("stroke-width", 1.2).attr("transform", ([, i]) => at(i));
      }
      const epochs = r.loss.map((_, i) => i);
      const finite = r.loss.filter((v) => v != null); // Python's None: null (build), undefined (live)
      const top = Math.min(5, Math.max(1, ...finite));
      w.curves.scales({ domain: [0, max], label: "epoch" }, { domain: [0, top], label: "loss, accuracy" })
        .rule("target", 0.9, false)
        .line("loss", epochs, r.loss.map((v) => (v == null ? NaN : Math.min(v, top))), { color: BLUE, width: 1.6 })
        .line("accuracy", epochs, r.accuracy, { color: GREEN, dash: "5 3", width: 1.6 });
      const F = window.optdocsWidgets.fmt;
      const stopped = r.diverged ? ` (diverged at epoch ${r.stopped_at})` : "";
      w.set("epoch", `${r.epoch} of ${max}${stopped}`, r.epoch);
      w.set("loss", r.final_loss == null ? "not finite" : r.final_loss.toFixed(4), r.final_loss ?? null);
      w.set("accuracy", F.pct(r.final_accuracy), r.final_accuracy);
      w.set("epochs_to_90", r.epochs_to_90 == null ? "not reached" : `epoch ${r.epochs_to_90}`, r.epochs_to_90 ?? null);
      w.set("lr", F.num(r.lr, 4), r.lr);
      w.set("steps", String(r.steps), r.steps);
    },
  });
})();
