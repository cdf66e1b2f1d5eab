/* Adam's normalised step (chapter 6): the same shrinking, noisy gradient fed to SGD and to Adam;
 * step / lr over the first 50 steps and as 20-step means over all of them, the gradient's scale
 * beside it, and (checkbox) Adam's steps without bias correction, computed by optdocs from
 * Adam's own moments. A table gives single steps and 100-step means exactly.
 * Numbers: optdocs.demos.sgd_normalised_step / adam_normalised_step. Glue: core.js. */
(function () {
  "use strict";
  const COLORS = ["#0072B2", "#E69F00", "#CC79A7"]; // optdocs.plots.style.PALETTE[0, 1, 3]
  const COLS = [["sgd", "SGD"], ["adam", "Adam"], ["raw", "Adam, uncorrected"]];

  function rows(a) {
    return [["step_1", "step 1"], ["step_2", "step 2"], ["step_10", "step 10"],
            ["step_100", "step 100"],
            ["mean_mid", `mean, steps ${a.mid - a.window + 1}–${a.mid}`],
            ["mean_end", `mean, steps ${a.steps - a.window + 1}–${a.steps}`]];
  }

  function table(w, answers) {
    const t = document.createElement("table");
    t.className = "optdocs-widget__table";
    const cap = t.createCaption();
    cap.textContent = "Step ÷ learning rate";
    const head = t.createTHead().insertRow();
    for (const label of ["", ...COLS.map((c) => c[1])]) {
      const th = document.createElement("th");
      th.scope = "col";
      th.textContent = label;
      head.appendChild(th);
    }
    const body = t.createTBody();
    w.cells = {};
    w.rowLabels = {};
    for (const [row, label] of rows(answers)) {
      const tr = body.insertRow();
      const th = document.createElement("th");
      th.scope = "row";
      th.textContent = label;
      w.rowLabels[row] = th;
      tr.appendChild(th);
      for (const [col] of COLS) {
        const td = tr.insertCell();
        td.setAttribute("data-role", "readout");
        td.setAttribute("data-key", `${col}_${row}`);
        w.cells[`${col}_${row}`] = td;
      }
    }
    return t;
  }

  function cell(w, key, value) {
    const el = w.cells[key], text = value.toFixed(3);
    if (el.textContent !== text) el.textContent = text;
    el.setAttribute("data-value", String(value));
  }

  /** panel.scales, skipped when the domains and labels are those of the last draw (the axes are
   * the costliest part of a redraw). */
  function scales(panel, x, y) {
    const key = JSON.stringify([x, y]);
    if (panel.lastScales !== key) { panel.scales(x, y); panel.lastScales = key; }
    return panel;
  }

  /** Which line is which (the swatches are decoration; the panels are labelled). */
  function legend(w) {
    const p = document.createElement("p");
    p.className = "optdocs-widget__legend";
    const items = [["━━ ", COLORS[0], "SGD"], ["━━ ", COLORS[1], "Adam"],
                   ["╺╸╺╸ ", COLORS[2], "Adam without bias correction (checkbox)"],
                   ["┈┈ ", null, "the gradient's scale"]];
    items.forEach(([mark, color, name], i) => {
      const sw = document.createElement("span");
      sw.setAttribute("aria-hidden", "true");
      if (color) sw.style.color = color;
      sw.textContent = mark;
      p.append(sw, name, i < items.length - 1 ? "   " : "");
    });
    w.plot.appendChild(p);
  }

  window.optdocsWidgets.register("adam-step", {
    mount(w) {
      legend(w);
      w.first = w.panel("Step divided by the learning rate over the first 50 steps: SGD and Adam");
      w.blocks = w.panel("Step divided by the learning rate, 20-step means, and the gradient's "
                         + "scale, dotted");
      w.readout("scale_end", "the gradient's scale at the last step");
      w.readout("drawn", "Adam's steps drawn");
      const spec = w.spec.calls.sgd.kwargs;
      w.readoutsEl.before(table(w, { mid: spec.steps / 2, window: 100, steps: spec.steps }));
    },

    draw(w, a) {
      const sgd = a.sgd, adam = a.adam, raw = adam.uncorrected;
      const series = [["sgd", sgd], ["adam", adam]];
      if (w.values.uncorrected) series.push(["raw", raw]);
      const first = sgd.first.map((_, i) => i + 1);
      const topFirst = Math.max(1.5, ...series.flatMap(([, r]) => r.first));
      scales(w.first, { domain: [1, first.length], label: "step" },
                     { domain: [0, 1.05 * topFirst], label: "step ÷ lr" })
        .rule("one", 1, false);
      const topBlocks = Math.max(1.2, ...series.flatMap(([, r]) => r.blocks));
      scales(w.blocks, { domain: [0, sgd.steps], label: `step (${sgd.block}-step means)` },
                      { domain: [0, 1.05 * topBlocks], label: "step ÷ lr" })
        .rule("one", 1, false)
        .line("scale", sgd.block_end, sgd.scale_blocks,
              { className: "optdocs-widget__ink", dash: "1 3", width: 1.4 });
      for (const [k, i] of [["sgd", 0], ["adam", 1], ["raw", 2]]) {
        const r = { sgd, adam, raw }[k], shown = k !== "raw" || w.values.uncorrected;
        const style = { color: COLORS[i], width: 1.5, dash: i === 2 ? "5 3" : null };
        w.first.line(k, first, shown ? r.first : [], style);
        w.blocks.line(k, sgd.block_end, shown ? r.blocks : [], style);
      }
      w.set("scale_end", sgd.scale_end.toPrecision(3), sgd.scale_end);
      const both = w.values.uncorrected;
      w.set("drawn", both ? "with and without bias correction" : "with bias correction",
            both ? 1 : 0);
      for (const [row, label] of rows(sgd)) {
        w.rowLabels[row].textContent = label;
        cell(w, `sgd_${row}`, sgd[row]);
        cell(w, `adam_${row}`, adam[row]);
        cell(w, `raw_${row}`, raw[row]);
      }
    },
  });
})();
