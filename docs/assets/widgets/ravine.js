/* The ravine (chapter 4): SGD, heavy-ball momentum and Nesterov momentum from the same start with
 * the same learning rate; beta = 0 turns both momentum runs into plain SGD (the paths coincide).
 * Beside it, momentum's steps to converge over (learning rate, beta), the current setting circled;
 * clicking the map picks that setting.
 * Numbers: optdocs.demos.ravine_race, ravine_heatmap, race_surface("ravine"). */
(function () {
  "use strict";
  const RUNS = [["SGD", "sgd", "#0072B2", null], ["Momentum", "momentum", "#E69F00", "6 3"],
                ["Nesterov", "nesterov", "#009E73", "2 2"]];

  function nearestIndex(axis, v) {
    let best = 0;
    for (let i = 1; i < axis.length; i++) if (Math.abs(axis[i] - v) < Math.abs(axis[best] - v)) best = i;
    return best;
  }

  function same(a, b) {
    return a.x.length === b.x.length && a.x.every((v, i) => v === b.x[i] && a.y[i] === b.y[i]);
  }

  /** One rectangle per (lr, beta), colour = steps to converge on a log scale, blank = never. */
  function drawHeat(w, h) {
    const d3 = window.d3, dl = h.lr[1] - h.lr[0], db = h.beta[1] - h.beta[0];
    w.heatAxes = h;
    w.heat.scales({ domain: [h.lr[0] - dl / 2, h.lr[h.lr.length - 1] + dl / 2], label: "learning rate η" },
                  { domain: [h.beta[0] - db / 2, h.beta[h.beta.length - 1] + db / 2], label: "momentum β" });
    const all = h.steps_to_converge.flat().filter((v) => v > 0);
    const colour = d3.scaleLog().domain([Math.min(...all), h.steps])
      .range(["#F0E442", "#0072B2"]).interpolate(d3.interpolateLab);
    const cells = [];
    h.steps_to_converge.forEach((row, j) => row.forEach((v, i) => { if (v > 0) cells.push([h.lr[i], h.beta[j], v]); }));
    const X = w.heat.x, Y = w.heat.y;
    w.heat.layer.selectAll("rect[data-key=cell]").data(cells).join("rect").attr("data-key", "cell")
      .attr("x", (c) => X(c[0] - dl / 2)).attr("width", X(dl) - X(0) + 0.5)
      .attr("y", (c) => Y(c[1] + db / 2)).attr("height", Y(0) - Y(db) + 0.5)
      .attr("fill", (c) => colour(c[2])).lower();
  }

  window.optdocsWidgets.register("ravine", {
    mount(w) {
      w.map = w.panel("Contour lines of the ravine with the paths of SGD, momentum and Nesterov");
      w.heat = w.panel("Momentum's steps to converge over learning rate and beta; click to choose");
      w.heat.svg.style("cursor", "crosshair");
      w.heat.svg.on("pointerdown", (e) => {
        if (!w.heatAxes) return;
        const [px, py] = window.d3.pointer(e, w.heat.g.node());
        const c = w.controls;
        const snap = (v, k) => Number(Math.max(k.min, Math.min(k.max, Math.round(v / k.step) * k.step)).toFixed(2));
        w.update({ lr: snap(w.heat.x.invert(px), c.lr), beta: snap(w.heat.y.invert(py), c.beta) });
      });
      for (const [name, key] of RUNS) w.readout(`${key}_steps`, `${name}: steps to converge`);
      w.readout("same_path", "momentum's path is SGD's");
      w.readout("heat_cell", "map cell nearest to this setting");
      w.readout("heat_steps", "momentum there: steps to converge");
    },

    draw(w, a) {
      const s = a.surface, r = a.paths, h = a.heat;
      if (w.surface !== s) { // drawn once: the surface does not change
        w.surface = s;
        w.map.scales({ domain: s.bounds[0], label: "w1 (flat)" }, { domain: s.bounds[1], label: "w2 (steep)" })
          .contours("contours", s)
          .dots("minimum", [0], [0], { color: "#808080", fill: "none", r: 4 })
          .dots("start", [s.start[0]], [s.start[1]], { color: "#808080", r: 5 });
      }
      for (const [name, key, color, dash] of RUNS) {
        const run = r.runs[name];
        w.map.line(`path-${key}`, run.x, run.y, { color, dash, width: name === "SGD" ? 2.4 : 1.4 });
        const k = run.steps_to_converge;
        w.set(`${key}_steps`, k >= 0 ? String(k) : `not within ${r.steps}`, k);
      }
      w.set("same_path", same(r.runs.SGD, r.runs.Momentum) ? "yes" : "no");
      if (w.heatAxes !== h) drawHeat(w, h); // redrawn only when its answer changes
      w.heat.dots("setting", [w.values.lr], [w.values.beta], { color: "#D55E00", fill: "none", r: 6 });
      const i = nearestIndex(h.lr, w.values.lr), j = nearestIndex(h.beta, w.values.beta);
      const v = h.steps_to_converge[j][i];
      w.set("heat_cell", `η ${h.lr[i].toFixed(2)}, β ${h.beta[j].toFixed(2)}`, `${h.lr[i]},${h.beta[j]}`);
      w.set("heat_steps", v >= 0 ? String(v) : `not within ${h.steps}`, v);
    },
  });
})();
