/* The race (chapter 9): the ticked optimizers from the same start on a 2D surface, one shared
 * learning rate. Click (or drag on) the contour plot to start elsewhere, or use the start sliders;
 * Play replays the race step by step, Step advances one step.
 * Numbers: optdocs.demos.race (every path, loss and step count) and optdocs.demos.race_surface
 * (the sampled surface and its contour levels). */
(function () {
  "use strict";
  // racer -> [control, colour, dash]: optdocs.plots.style.PALETTE in the order of RACERS
  const RACERS = [
    ["SGD", "sgd", "#0072B2", null], ["Momentum", "momentum", "#E69F00", "6 3"],
    ["RMSprop", "rmsprop", "#009E73", "2 2"], ["Adam", "adam", "#CC79A7", "8 3 2 3"],
    ["Nesterov", "nesterov", "#56B4E9", null], ["AdaGrad", "adagrad", "#D55E00", "6 3"],
    ["AdamW", "adamw", "#F0E442", "2 2"], ["RAdam", "radam", "#808080", "8 3 2 3"],
    ["Lion", "lion", "#0072B2", "1 3"],
  ];
  const PRESETS = [0.1, 0.45];
  const FRAME_MS = 80, FRAME_STEPS = 3;
  const F = () => window.optdocsWidgets.fmt;

  function play(w) {
    const T = w.controls.step.max;
    if (w.timer) { stop(w); return; }
    if (w.values.step >= T) w.update({ step: 0 });
    w.playButton.textContent = "Pause";
    w.playButton.setAttribute("aria-pressed", "true");
    w.timer = setInterval(() => {
      const next = Math.min(T, w.values.step + FRAME_STEPS);
      w.update({ step: next });
      if (next >= T || !w.root.isConnected) stop(w);
    }, FRAME_MS);
  }

  function stop(w) {
    clearInterval(w.timer);
    w.timer = null;
    w.playButton.textContent = "Play";
    w.playButton.setAttribute("aria-pressed", "false");
  }

  /** Set the start where the pointer is on the contour plot (snapped to the sliders' steps). */
  function startAt(w, event, surface) {
    const [px, py] = window.d3.pointer(event, w.map.g.node());
    const snap = (v, c) => Math.max(c.min, Math.min(c.max, Math.round(v / c.step) * c.step));
    const dx = snap(w.map.x.invert(px) - surface.start[0], w.controls.dx);
    const dy = snap(w.map.y.invert(py) - surface.start[1], w.controls.dy);
    w.update({ dx: Number(dx.toFixed(2)), dy: Number(dy.toFixed(2)), step: w.controls.step.max });
  }

  window.optdocsWidgets.register("race", {
    mount(w) {
      for (const lr of PRESETS) {
        w.button(`lr-${lr}`, `lr ${lr.toFixed(2)}`, () => w.update({ lr }));
      }
      w.playButton = w.button("play", "Play", () => play(w));
      w.playButton.setAttribute("aria-pressed", "false");
      w.button("step", "Step", () => {
        stop(w);
        const T = w.controls.step.max;
        w.update({ step: w.values.step >= T ? 1 : w.values.step + 1 });
      });
      w.map = w.panel("Contour lines of the surface with each racer's path; click to set the start");
      w.curves = w.panel("Loss above the minimum against step, log scale, one line per racer");
      w.map.svg.style("cursor", "crosshair");
      let dragging = false;
      w.map.svg.on("pointerdown", (e) => {
        if (!w.surface) return;
        dragging = true;
        w.map.svg.node().setPointerCapture(e.pointerId);
        startAt(w, e, w.surface);
      }).on("pointermove", (e) => { if (dragging && w.surface) startAt(w, e, w.surface); })
        .on("pointerup pointercancel", () => { dragging = false; });
      w.readout("step", "step");
      w.readout("start_x", "start x");
      w.readout("start_y", "start y");
      for (const [name, key] of RACERS) {
        w.readout(`${key}_loss`, `${name}: loss at this step`);
        w.readout(`${key}_settled`, `${name}: within 0.01 of a minimum from step`);
      }
    },

    changed(w, name) {
      if (name !== "step") stop(w);
    },

    draw(w, a) {
      const s = a.surface, r = a.race, T = w.controls.step.max;
      const n = Math.min(w.values.step, r.steps);
      if (w.surface !== s) { // the contours change with the surface only
        w.surface = s;
        w.map.scales({ domain: s.bounds[0], label: "x" }, { domain: s.bounds[1], label: "y" })
          .contours("contours", s)
          .dots("minima", s.minima.map((p) => p[0]), s.minima.map((p) => p[1]),
                { color: "#808080", fill: "none", r: 4 });
      }
      const running = RACERS.filter(([name]) => r.runs[name]);
      // the loss axis holds the whole race, so that it stays still while the race plays
      const gaps = running.flatMap(([name]) => r.runs[name].loss.map((v) => v - r.min_loss));
      const highest = Math.max(10 * (r.start_loss - r.min_loss), ...gaps.filter(Number.isFinite));
      const top = Math.min(1e12, Math.max(1e-6, 2 * highest));
      const low = Math.max(1e-12, Math.min(...gaps.filter((v) => v > 0), top / 1e3));
      w.curves.scales({ domain: [0, T], label: "step" },
                      { domain: [low, top], log: true, label: "loss − minimum" });
      const steps = [...Array(n + 1).keys()];
      for (const [name, key, color, dash] of RACERS) {
        const run = r.runs[name];
        const on = !!run;
        const xs = on ? run.x.slice(0, n + 1) : [], ys = on ? run.y.slice(0, n + 1) : [];
        w.map.line(`path-${key}`, xs, ys, { color, dash, width: 1.6 })
          .dots(`at-${key}`, on ? [run.x[n]] : [], on ? [run.y[n]] : [], { color, r: 4 });
        const clampGap = (v) => Math.min(top, Math.max(low, v - r.min_loss));
        w.curves.line(`loss-${key}`, on ? steps : [], on ? run.loss.slice(0, n + 1).map(clampGap) : [],
                      { color, dash, width: 1.4 });
        if (on) {
          // at the last step the exact scalar (the grid rounds long lists, not scalars)
          const loss = n === r.steps ? run.final_loss : run.loss[n];
          w.set(`${key}_loss`, F().num(loss, 4), loss);
          const k = run.steps_to_converge;
          w.set(`${key}_settled`, k >= 0 ? `step ${k}` : `not within ${r.steps} steps`, k);
        } else {
          const why = w.values[key] ? "computing in Python…" : "not racing";
          w.set(`${key}_loss`, why, "");
          w.set(`${key}_settled`, why, "");
        }
      }
      w.map.dots("start", [r.start[0]], [r.start[1]], { color: "#808080", r: 5 });
      w.set("step", `${n} of ${r.steps}`, n);
      w.set("start_x", F().signed(r.start[0], 2), r.start[0]);
      w.set("start_y", F().signed(r.start[1], 2), r.start[1]);
    },
  });
})();
