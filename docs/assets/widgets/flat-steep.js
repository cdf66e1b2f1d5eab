/* Flat w1, steep w2 (chapter 5): SGD, RMSprop and AdaGrad on the flat-steep bowl
 * f(w) = (h1 w1² + h2 w2²) / 2. The paths, every step's size in each coordinate, SGD's factor per
 * step against its learning rate (with 2/h2, where it diverges in w2, marked there and on the
 * SGD slider), and a table of each coordinate's rate and step at the step t chosen.
 * Numbers: optdocs.demos.flat_steep_surface / _limits / _path / _step. Glue: core.js. */
(function () {
  "use strict";
  const COLORS = ["#0072B2", "#E69F00", "#009E73"]; // optdocs.plots.style.PALETTE[0:3]
  const RUNS = [["sgd", "SGD"], ["rmsprop", "RMSprop"], ["adagrad", "AdaGrad"]];
  const ROWS = [
    ["rate_w1", "rate of w1"], ["rate_w2", "rate of w2"],
    ["step_w1", "step |Δw1|"], ["step_w2", "step |Δw2|"], ["ratio", "|Δw1| ÷ |Δw2|"],
    ["factor_w1", "w1 times"], ["factor_w2", "w2 times"],
  ];

  function num(v) {
    if (v === null || v === undefined) return "overflow";
    const a = Math.abs(v);
    return a !== 0 && (a >= 1e4 || a < 1e-3) ? v.toExponential(2) : v.toPrecision(3);
  }

  /** The table of readouts at step t: a row per quantity, a column per optimizer. */
  function table(w) {
    const t = document.createElement("table");
    t.className = "optdocs-widget__table";
    const cap = t.createCaption();
    const head = t.createTHead().insertRow();
    const corner = document.createElement("th");
    corner.scope = "col";
    corner.textContent = "at step t";
    head.appendChild(corner);
    for (const [, label] of RUNS) {
      const th = document.createElement("th");
      th.scope = "col";
      th.textContent = label;
      head.appendChild(th);
    }
    const body = t.createTBody();
    w.cells = {};
    for (const [row, label] of ROWS) {
      const tr = body.insertRow();
      const th = document.createElement("th");
      th.scope = "row";
      th.textContent = label;
      tr.appendChild(th);
      for (const [run] of RUNS) {
        const td = tr.insertCell();
        td.setAttribute("data-role", "readout");
        td.setAttribute("data-key", `${run}_${row}`);
        w.cells[`${run}_${row}`] = td;
      }
    }
    w.caption = cap;
    return t;
  }

  /** Like w.set, for a cell of the table. */
  function cell(w, key, text, value) {
    const el = w.cells[key];
    if (el.textContent !== text) el.textContent = text;
    el.setAttribute("data-value", String(value));
  }

  function contours(panel, s) {
    const d3 = window.d3;
    const n = s.w1.length;
    const dx = (s.w1[n - 1] - s.w1[0]) / (n - 1), dy = (s.w2[n - 1] - s.w2[0]) / (n - 1);
    // d3.contours puts sample (i, j) at (i + 0.5, j + 0.5) of its grid
    const x = (gx) => panel.x(s.w1[0] + (gx - 0.5) * dx);
    const y = (gy) => panel.y(s.w2[0] + (gy - 0.5) * dy);
    // a polygon that reaches the edge of the grid runs along it: leave those edge runs out, so
    // that only the contour lines themselves are drawn
    const inside = (p) => p[0] > 0.5 && p[0] < n - 0.5 && p[1] > 0.5 && p[1] < n - 0.5;
    const line = d3.line().defined(inside).x((p) => x(p[0])).y((p) => y(p[1]));
    const rings = [];
    for (const c of d3.contours().size([n, n]).thresholds(s.levels)(s.loss)) {
      for (const polygon of c.coordinates) {
        for (const ring of polygon) {
          const d = line(ring);
          if (d) rings.push(d + (ring.every(inside) ? "Z" : ""));
        }
      }
    }
    panel.layer.selectAll("path[data-key=contour]").data(rings).join("path")
      .attr("data-key", "contour").attr("class", "optdocs-widget__ink").attr("fill", "none")
      .attr("stroke-width", 0.6).attr("stroke-opacity", 0.6).attr("d", (d) => d);
  }

  /** panel.scales, skipped when the domains and labels are those of the last draw (the axes are
   * the costliest part of a redraw). */
  function scales(panel, x, y) {
    const key = JSON.stringify([x, y]);
    if (panel.lastScales !== key) { panel.scales(x, y); panel.lastScales = key; }
    return panel;
  }

  /** Which colour is which optimizer (the swatches are decoration; the panels are labelled). */
  function legend(w) {
    const p = document.createElement("p");
    p.className = "optdocs-widget__legend";
    RUNS.forEach(([, name], i) => {
      const sw = document.createElement("span");
      sw.setAttribute("aria-hidden", "true");
      sw.style.color = COLORS[i];
      sw.textContent = "━━ ";
      p.append(sw, name, i < RUNS.length - 1 ? "   " : "");
    });
    w.plot.appendChild(p);
  }

  function label(panel, key, x, y, text) {
    panel.layer.selectAll(`text[data-key="${key}"]`).data([text]).join("text")
      .attr("data-key", key).attr("class", "optdocs-widget__label")
      .attr("x", panel.x(x) + 3).attr("y", panel.y(y) + 12).text((d) => d);
  }

  /** What does not depend on the settings: the axes, the bowl's contour lines, SGD's factor
   * curves and its limit 2/h2. Drawn when the widget is mounted (into the hidden figure, from the
   * build's data), so that the first touch only draws the runs; redrawn only if it changes. */
  function prepare(w, s, lim, steps) {
    const n = s.w1.length;
    scales(w.paths, { domain: [s.w1[0], s.w1[n - 1]], label: "w1 (flat)" },
                    { domain: [s.w2[0], s.w2[n - 1]], label: "w2 (steep)" });
    if (!w.contoured) {                                   // the bowl never changes
      contours(w.paths, s);
      w.paths.dots("start", [s.start[0]], [s.start[1]],
                   { color: "currentColor", fill: "none", r: 5 });
      w.contoured = true;
    }
    scales(w.dist, { domain: [0, steps], label: "step" },
                   { domain: [1e-4, 10], log: true, label: "|w1| solid, |w2| dashed" });
    scales(w.sizes, { domain: [1, steps], label: "step" },
                    { domain: [1e-5, 5], log: true, label: "step size |Δw|" });
    const top = Math.max(1.5, ...lim.factor_w2);
    const key = JSON.stringify([lim.diverge_lr, top]);
    if (w.factorsKey !== key) {
      scales(w.factors, { domain: [0, lim.lr[lim.lr.length - 1]], label: "SGD learning rate η" },
                        { domain: [0, top], label: "|factor| per step" })
        .line("w1", lim.lr, lim.factor_w1, { color: COLORS[0], width: 1.5 })
        .line("w2", lim.lr, lim.factor_w2, { color: COLORS[0], width: 1.1, dash: "4 3" })
        .rule("one", 1, false)
        .rule("limit", lim.diverge_lr, true, { dash: "none" });
      label(w.factors, "limit", lim.diverge_lr, top, "2/h₂");
      w.limitOption.value = String(lim.diverge_lr);
      w.factorsKey = key;
    }
  }

  window.optdocsWidgets.register("flat-steep", {
    mount(w) {
      // SGD's limit 2/h2 as a tick on the SGD slider (its value comes with the answers)
      const slider = w.inputs.sgd_lr.input;
      const list = document.createElement("datalist");
      list.id = `${slider.id}-limit`;
      w.limitOption = new Option("2/h₂");
      list.appendChild(w.limitOption);
      slider.after(list);
      slider.setAttribute("list", list.id);
      legend(w);
      w.paths = w.panel("The flat-steep bowl: contour lines and the paths of SGD, RMSprop and "
                        + "AdaGrad");
      w.dist = w.panel("Distance of each coordinate from the minimum against step, log scale: "
                       + "solid w1, dashed w2");
      w.sizes = w.panel("Step size in each coordinate against step, log scale: solid w1, "
                        + "dashed w2");
      w.factors = w.panel("SGD: what one step multiplies each coordinate by, against the "
                          + "learning rate");
      w.readout("diverge_lr", "SGD diverges in w2 above η = 2/h₂ =");
      w.readout("w1_factor_at_limit", "there one step multiplies w1 by");
      for (const [k, name] of RUNS) {
        w.readout(`${k}_final_w1`, `${name}: |w1| after 100 steps`);
        w.readout(`${k}_arrived`, `${name}: within 0.01 of the minimum`);
      }
      w.readoutsEl.before(table(w));
      prepare(w, w.nearest("surface").value, w.nearest("limits").value,
              w.nearest("sgd").value.step_w1.length);
    },

    draw(w, a) {
      const F = window.optdocsWidgets.fmt;
      const lim = a.limits, t = w.values.step;
      prepare(w, a.surface, lim, a.sgd.step_w1.length);
      const steps = a.sgd.step_w1.map((_, i) => i + 1), ts = [0, ...steps];
      w.dist.rule("t", t, true);
      w.sizes.rule("t", t, true);
      RUNS.forEach(([k], i) => {
        const p = a[k], c = COLORS[i];
        w.paths.line(k, p.w1, p.w2, { color: c, width: 1.3 })
          .dots(`${k}_t`, [p.w1[t]], [p.w2[t]], { color: c, r: 4 });
        w.dist.line(`${k}_w1`, ts, p.w1.map(Math.abs), { color: c, width: 1.5 })
          .line(`${k}_w2`, ts, p.w2.map(Math.abs), { color: c, width: 1.1, dash: "4 3" });
        w.sizes.line(`${k}_w1`, steps, p.step_w1, { color: c, width: 1.5 })
          .line(`${k}_w2`, steps, p.step_w2, { color: c, width: 1.1, dash: "4 3" });
      });
      w.factors.rule("lr", w.values.sgd_lr, true, { dash: "1 3" })
        .dots("now", [w.values.sgd_lr, w.values.sgd_lr],
              [Math.abs(a.sgd_at.factor_w1), Math.abs(a.sgd_at.factor_w2)],
              { color: COLORS[0], r: 4 });
      w.set("diverge_lr", lim.diverge_lr.toFixed(3), lim.diverge_lr);
      w.set("w1_factor_at_limit", lim.w1_factor_at_limit.toFixed(3), lim.w1_factor_at_limit);
      w.caption.textContent = `Each coordinate at step t = ${t}`;
      for (const [k] of RUNS) {
        const p = a[k], at = a[`${k}_at`];
        w.set(`${k}_final_w1`, F.num(p.final_w1, 4), p.final_w1);
        const arrived = p.arrived >= 0 ? `at step ${p.arrived}` : "not by step 100";
        w.set(`${k}_arrived`, arrived, p.arrived);
        for (const [row] of ROWS) {
          const v = at[row];
          const text = row.startsWith("factor") && v !== null ? `×${F.signed(v, 3)}` : num(v);
          cell(w, `${k}_${row}`, text, v);
        }
      }
    },
  });
})();
