/* optdocs interactive figures (widgets): the shared part.
 *
 * hooks/widgets.py turns a marker in the Markdown into
 *   figure.optdocs-widget[data-optdocs-widget=NAME][data-state=static][data-renders=0][data-spec=JSON]
 *     img[data-role=static]  (the build-time figure)   figcaption (title, invitation)
 * and data-spec holds the widget's description: its controls (name, label, kind, range, default,
 * grid), its calls (fn and kwargs, {"$": control} standing for a control's value), the code of
 * "Show the code", and the grid: every call's answer at every combination of its controls' grid
 * values, computed at build time by optdocs.demos.
 *
 * On a page with a widget this module loads the d3 bundle, widgets.css and the widget's module
 * (docs/assets/widgets/NAME.js, which calls optdocsWidgets.register(NAME, {mount, draw, ...})),
 * builds the controls, and then:
 *  - static: the build-time figure is shown; nothing of Python is requested;
 *  - first touch of any control (pointer, key, click): the live figure (d3, drawn by the widget's
 *    module) replaces the static one at once, answered from the grid (nearest point, said so),
 *    and the Python runtime is started through the runner (window.optdocsRunner.call, the
 *    documented "call" protocol of docs/assets/runner/worker.js); state "loading", with the
 *    runtime's progress shown as the runnable cells show it;
 *  - live: every change calls the optdocs functions in the worker at once, each call of each
 *    figure on a channel of its own, so that the worker drops (or, for a chunked statistic, stops)
 *    the request of the previous settings: only the newest settings are computed (a result for
 *    settings no longer current is kept in a small cache but not drawn). Heavy calls ("slow" in
 *    the spec, chunked in Python) are sent once the controls rest SLOW_DELAY_MS, and the fast ones
 *    are answered between their chunks. If a live answer takes more than FALLBACK_MS (Python
 *    busy with a long cell, or restarting after a cell's Stop), the nearest grid answer is drawn
 *    meanwhile, marked as such (and the status says why); a call lost to a restart is sent again.
 *
 * Testing contract: data-state (static | loading | live | error), data-renders (+1 per completed
 * redraw), data-pending (calls for the current settings still answered from the grid;
 * data-pending-fast: the same, leaving out the heavy statistics), native
 * labelled controls, readouts [data-role=readout][data-key] (text; data-value: the exact number).
 * URL: the settings that differ from the defaults are kept in the query string as
 * NAME.control=value (history.replaceState; the hash of heading anchors is left alone).
 */
(function () {
  "use strict";
  if (window.optdocsWidgets) return;
  const MANIFEST = window.OPTDOCS_WIDGETS || { modules: {} };
  const BASE = new URL(".", (document.currentScript && document.currentScript.src) || location.href);
  const abs = (u) => new URL(u, BASE).href;
  const FALLBACK_MS = 60; // longest wait for a live answer before the grid answers (+ drawing < 100 ms)
  const SLOW_DELAY_MS = 250; // heavy calls (many runs) wait until the controls rest this long
  const CACHE_SIZE = 64; // live answers kept per call
  const POLL_MS = 150;

  const modules = {}; // name -> widget module
  const loaded = {}; // url -> Promise
  let mounted = [];
  let instances = 0;

  function loadScript(rel) {
    const url = abs(rel);
    if (!loaded[url]) {
      loaded[url] = new Promise((resolve, reject) => {
        const s = document.createElement("script");
        s.src = url;
        s.async = false;
        s.onload = resolve;
        s.onerror = () => { delete loaded[url]; reject(new Error(`could not load ${rel}`)); };
        document.head.appendChild(s);
      });
    }
    return loaded[url];
  }

  /** Add the stylesheet to the page's head, again if it has left it: Material's instant
   * navigation replaces the head's links with the new page's, which do not list this one. */
  const sheets = {};
  function loadCss(rel) {
    const url = abs(rel);
    if (sheets[url] && sheets[url].isConnected) return;
    const l = document.createElement("link");
    l.rel = "stylesheet";
    l.href = url;
    document.head.appendChild(l);
    sheets[url] = l;
  }

  // -------------------------------------------------------------------------------------------
  // Small helpers shared by the widget modules

  /** The value as Python writes it (the "Show the code" snippet): floats keep a decimal point. */
  function pyRepr(value, control) {
    if (typeof value === "string") return JSON.stringify(value);
    if (typeof value === "boolean") return value ? "True" : "False";
    if (control && (control.kind === "state" || control.integer)) return String(value);
    if (Number.isInteger(value)) return value.toFixed(1);
    return String(value);
  }

  const fmt = {
    signed: (v, d) => (v >= 0 ? "+" : "") + v.toFixed(d),
    pct: (v) => (100 * v).toFixed(1) + "%",
    num: (v, d) => (Math.abs(v) >= 1e5 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(2) : v.toFixed(d)),
  };

  // -------------------------------------------------------------------------------------------
  // Drawing: a panel is one SVG (viewBox, scales with the page width) with axes drawn by d3.

  const W = 320, H = 220, M = { top: 12, right: 12, bottom: 38, left: 52 };

  /** Pixel points [x, y] of a line, cut to the box `band` = {x: [lo, hi], y: [lo, hi]}: a
   * segment that crosses the box's edge ends (or starts) at the crossing, points outside are
   * dropped, and null marks a gap (for d3.line().defined). Inside the box the line is unchanged. */
  function cutToBand(pts, band) {
    const inside = (p) => p[0] >= band.x[0] && p[0] <= band.x[1] && p[1] >= band.y[0] && p[1] <= band.y[1];
    // Liang-Barsky: the part of segment a-b inside the box, or null. A crossing point takes the
    // edge's own value for the coordinate that crosses it (a + t * d would lose it to rounding
    // when a coordinate is near 1e117) and interpolates the other one.
    const clip = (a, b) => {
      const d = [b[0] - a[0], b[1] - a[1]];
      let enter = { t: 0, k: -1 }, leave = { t: 1, k: -1 };
      for (const [k, lo, hi] of [[0, ...band.x], [1, ...band.y]]) {
        for (const [q, r, edge] of [[-d[k], a[k] - lo, lo], [d[k], hi - a[k], hi]]) {
          if (q === 0) { if (r < 0) return null; continue; }
          const t = r / q;
          if (q < 0 && t > enter.t) enter = { t, k, edge };
          if (q > 0 && t < leave.t) leave = { t, k, edge };
        }
      }
      if (enter.t > leave.t) return null;
      const at = (c, end) => {
        if (c.k < 0) return end;
        const o = 1 - c.k, p = [0, 0];
        p[c.k] = c.edge;
        p[o] = a[o] + ((c.edge - a[c.k]) / d[c.k]) * d[o];
        return p;
      };
      return [at(enter, a), at(leave, b)];
    };
    const out = [];
    if (pts.length && inside(pts[0])) out.push(pts[0]);
    for (let i = 1; i < pts.length; i++) {
      const a = pts[i - 1], b = pts[i];
      if (inside(a) && inside(b)) { out.push(b); continue; }
      const seg = clip(a, b);
      if (seg === null) continue;
      if (!inside(a)) { if (out.length && out[out.length - 1] !== null) out.push(null); out.push(seg[0]); }
      out.push(seg[1]);
      if (!inside(b)) out.push(null);
    }
    return out;
  }

  class Panel {
    constructor(parent, label) {
      const d3 = window.d3;
      this.svg = d3.select(parent).append("svg")
        .attr("viewBox", `0 0 ${W} ${H}`).attr("class", "optdocs-widget__panel")
        .attr("role", "img").attr("aria-label", label);
      this.inner = { w: W - M.left - M.right, h: H - M.top - M.bottom };
      this.g = this.svg.append("g").attr("transform", `translate(${M.left},${M.top})`);
      this.xAxis = this.g.append("g").attr("class", "optdocs-widget__axis")
        .attr("transform", `translate(0,${this.inner.h})`);
      this.yAxis = this.g.append("g").attr("class", "optdocs-widget__axis");
      this.xLabel = this.g.append("text").attr("class", "optdocs-widget__label")
        .attr("x", this.inner.w / 2).attr("y", this.inner.h + 32).attr("text-anchor", "middle");
      this.yLabel = this.g.append("text").attr("class", "optdocs-widget__label")
        .attr("transform", `translate(-40,${this.inner.h / 2}) rotate(-90)`).attr("text-anchor", "middle");
      this.layer = this.g.append("g");
      this.clipId = `optdocs-clip-${Math.random().toString(36).slice(2)}`;
      this.svg.append("defs").append("clipPath").attr("id", this.clipId).append("rect")
        .attr("width", this.inner.w).attr("height", this.inner.h);
      this.layer.attr("clip-path", `url(#${this.clipId})`);
    }

    /** Set the scales: x/y = {domain, log?, label}. */
    scales(x, y) {
      const d3 = window.d3;
      const make = (s, range) => (s.log ? d3.scaleLog() : d3.scaleLinear()).domain(s.domain).range(range);
      this.x = make(x, [0, this.inner.w]);
      this.y = make(y, [this.inner.h, 0]);
      if (!y.log) this.y.nice();
      this.xAxis.call(d3.axisBottom(this.x).ticks(5));
      this.yAxis.call(y.log ? d3.axisLeft(this.y).ticks(4, "~e") : d3.axisLeft(this.y).ticks(5));
      this.xLabel.text(x.label || "");
      this.yLabel.text(y.label || "");
      return this;
    }

    /** A line through (xs[i], ys[i]) under `key`, replaced on every call. A run that diverges
     * (values like 1e117) is cut where it leaves a band one plot-size wide around the plot, which
     * the clip hides anyway: no coordinate in the page is astronomically large (such a path's
     * bounding box makes axe-core's contrast check loop for minutes). */
    line(key, xs, ys, style) {
      const d3 = window.d3;
      const pts = xs.map((x, i) => [this.x(x), this.y(ys[i])])
        .filter((p) => Number.isFinite(p[0]) && Number.isFinite(p[1]));
      const band = { x: [-this.inner.w, 2 * this.inner.w], y: [-this.inner.h, 2 * this.inner.h] };
      const path = d3.line().defined((p) => p !== null).x((p) => p[0]).y((p) => p[1]);
      this.layer.selectAll(`path[data-key="${key}"]`).data([cutToBand(pts, band)]).join("path")
        .attr("data-key", key).attr("class", style.className || "optdocs-widget__line")
        .attr("fill", "none").attr("stroke", style.color || "currentColor")
        .attr("stroke-width", style.width || 1.6).attr("stroke-dasharray", style.dash || null)
        .attr("d", path);
      return this;
    }

    /** Dots at (xs[i], ys[i]) under `key`. */
    dots(key, xs, ys, style) {
      const pts = xs.map((x, i) => [x, ys[i]]).filter((p) => Number.isFinite(this.x(p[0])) && Number.isFinite(this.y(p[1])));
      this.layer.selectAll(`circle[data-key="${key}"]`).data(pts).join("circle")
        .attr("data-key", key).attr("r", style.r || 3).attr("fill", style.fill || style.color)
        .attr("stroke", style.color).attr("stroke-width", 1.5)
        .attr("cx", (p) => this.x(p[0])).attr("cy", (p) => this.y(p[1]));
      return this;
    }

    /** Contour lines under `key` of a sampled surface s = {x, y, loss, levels} (optdocs.demos.
     * race_surface: loss[i + j * x.length] at (x[i], y[j])), drawn with d3-contour. */
    contours(key, s) {
      const d3 = window.d3, n = s.x.length, m = s.y.length;
      // d3-contour puts sample i at i + 0.5 in its grid coordinates
      const gx = (c) => s.x[0] + (c - 0.5) * (s.x[n - 1] - s.x[0]) / (n - 1);
      const gy = (c) => s.y[0] + (c - 0.5) * (s.y[m - 1] - s.y[0]) / (m - 1);
      const line = d3.line().x((p) => this.x(gx(p[0]))).y((p) => this.y(gy(p[1])));
      const d = (mp) => mp.coordinates.map((poly) => poly.map((ring) => line(ring) + "Z").join("")).join("");
      const polys = d3.contours().size([n, m]).thresholds(s.levels)(s.loss);
      this.layer.selectAll(`path[data-key="${key}"]`).data(polys).join("path").attr("data-key", key)
        .attr("class", "optdocs-widget__ink").attr("fill", "none").attr("stroke-width", 0.7)
        .attr("stroke-opacity", 0.55).attr("d", d).lower(); // beneath the paths
      return this;
    }

    /** A horizontal or vertical rule at `value` under `key`. */
    rule(key, value, vertical, style) {
      const d = vertical ? { x1: this.x(value), x2: this.x(value), y1: 0, y2: this.inner.h }
        : { x1: 0, x2: this.inner.w, y1: this.y(value), y2: this.y(value) };
      this.layer.selectAll(`line[data-key="${key}"]`).data([d]).join("line").attr("data-key", key)
        .attr("class", "optdocs-widget__rule").attr("stroke-dasharray", (style && style.dash) || "3 3")
        .attr("x1", d.x1).attr("x2", d.x2).attr("y1", d.y1).attr("y2", d.y2);
      return this;
    }
  }

  // -------------------------------------------------------------------------------------------
  // A widget

  class Widget {
    constructor(root, mod) {
      this.root = root;
      this.mod = mod;
      this.name = root.getAttribute("data-optdocs-widget");
      this.spec = JSON.parse(root.getAttribute("data-spec"));
      this.controls = {};
      for (const c of this.spec.controls) this.controls[c.name] = c;
      this.values = this.defaults();
      this.readUrl();
      this.renders = 0;
      this.touched = false;
      this.cache = {}; // call -> Map(key -> answer), least recently stored first
      this.generation = 0; // settings changes so far (a prefetch of older settings stops)
      this.prefetchOn = true; // benchmarks/widgets_bench.py turns it off to compare
      this.inflight = {}; // call -> key of the newest request sent
      this.channelPrefix = `widget-${++instances}-${this.name}:`;
      this.failures = 0;
      for (const name of Object.keys(this.spec.calls)) this.cache[name] = new Map();
      this.build();
    }

    defaults() {
      const v = {};
      for (const c of this.spec.controls) v[c.name] = c.default;
      return v;
    }

    // ---- URL state

    param(name) { return `${this.name}.${name}`; }

    valid(c, value) {
      if (c.kind === "select") return this.option(c, value);
      if (c.kind === "checkbox") return value === "1" ? true : value === "0" ? false : undefined;
      const v = Number(value);
      if (value === "" || !Number.isFinite(v) || v < c.min || v > c.max) return undefined;
      if (c.kind === "state" && !Number.isInteger(v)) return undefined;
      return v;
    }

    /** The value of the option of select `c` written `text` (options may have numeric values). */
    option(c, text) {
      const o = c.options.find((x) => String(x.value) === text);
      return o ? o.value : undefined;
    }

    readUrl() {
      const q = new URLSearchParams(location.search);
      for (const c of this.spec.controls) {
        if (!q.has(this.param(c.name))) continue;
        const v = this.valid(c, q.get(this.param(c.name)));
        if (v !== undefined) this.values[c.name] = v;
      }
    }

    writeUrl() {
      const url = new URL(location.href);
      for (const c of this.spec.controls) {
        const v = this.values[c.name];
        if (v === c.default) url.searchParams.delete(this.param(c.name));
        else url.searchParams.set(this.param(c.name), c.kind === "checkbox" ? (v ? "1" : "0") : String(v));
      }
      if (url.href !== location.href) history.replaceState(history.state, "", url.href);
    }

    // ---- the page elements

    build() {
      const root = this.root;
      this.staticImg = root.querySelector("[data-role=static]");
      this.plot = document.createElement("div");
      this.plot.className = "optdocs-widget__plot";
      this.plot.hidden = true;
      this.staticImg.after(this.plot);
      this.controlsEl = document.createElement("div");
      this.controlsEl.className = "optdocs-widget__controls";
      this.controlsEl.setAttribute("role", "group");
      this.controlsEl.setAttribute("aria-label", `${this.spec.title}: settings`);
      this.inputs = {};
      for (const c of this.spec.controls) if (c.kind !== "state") this.addControl(c);
      this.buttonsEl = document.createElement("div");
      this.buttonsEl.className = "optdocs-widget__buttons";
      this.controlsEl.appendChild(this.buttonsEl);
      this.readoutsEl = document.createElement("dl");
      this.readoutsEl.className = "optdocs-widget__readouts";
      this.status = document.createElement("p");
      this.status.className = "optdocs-widget__status";
      this.status.setAttribute("data-role", "status");
      this.statusLive = document.createElement("span");
      this.statusLive.className = "optdocs-widget__sr-only";
      this.statusLive.setAttribute("role", "status");
      // controls above the figure: swapping the static figure for the live one on the first
      // touch (pointerdown) must not move the control under the pointer before its click
      this.staticImg.before(this.controlsEl, this.status, this.statusLive);
      root.querySelector("figcaption").before(this.readoutsEl);
      // any touch of a control is the first touch (pointer, keyboard, or a click from anything)
      const first = (e) => { if (e.target.closest("input, select, button")) this.touch(); };
      for (const type of ["pointerdown", "keydown", "input", "change", "click", "touchstart"]) {
        this.controlsEl.addEventListener(type, first, { capture: true, passive: true });
      }
      if (this.mod.mount) this.mod.mount(this);
      this.codeButton = this.button("code", "Show the code", () => this.showCode());
      this.setState("static");
    }

    addControl(c) {
      const id = `w-${this.name}-${c.name}`;
      const wrap = document.createElement("div");
      wrap.className = "optdocs-widget__control";
      const label = document.createElement("label");
      label.htmlFor = id;
      label.textContent = c.label;
      let input;
      if (c.kind === "select") {
        input = document.createElement("select");
        for (const o of c.options) input.add(new Option(o.label, o.value));
        input.value = this.values[c.name];
      } else if (c.kind === "checkbox") {
        input = document.createElement("input");
        input.type = "checkbox";
        input.checked = !!this.values[c.name];
      } else {
        input = document.createElement("input");
        input.type = "range";
        input.min = c.min;
        input.max = c.max;
        input.step = c.step;
        input.value = this.values[c.name];
      }
      input.id = id;
      input.name = c.name;
      const out = document.createElement("output");
      out.htmlFor = id;
      out.className = "optdocs-widget__value";
      const show = () => { out.textContent = c.kind === "range" ? String(this.values[c.name]) : ""; };
      show();
      input.addEventListener(c.kind === "range" ? "input" : "change", () => {
        const v = c.kind === "checkbox" ? input.checked : c.kind === "select" ? this.option(c, input.value) : Number(input.value);
        this.lastUp = !(c.kind === "range" && v < this.values[c.name]);
        this.values[c.name] = v;
        this.lastMoved = c.kind === "range" ? c.name : null;
        show();
        if (this.mod.changed) this.mod.changed(this, c.name);
        this.changed();
      });
      wrap.append(label, input, out);
      this.controlsEl.appendChild(wrap);
      this.inputs[c.name] = { input, show };
    }

    /** A native button in the widget's button row; `onClick` runs after the first-touch logic. */
    button(action, label, onClick) {
      const b = document.createElement("button");
      b.type = "button";
      b.className = "optdocs-widget__button md-button";
      b.setAttribute("data-action", action);
      b.textContent = label;
      b.addEventListener("click", () => onClick());
      this.buttonsEl.appendChild(b);
      return b;
    }

    /** A readout (text): <dt>label</dt><dd data-role=readout data-key=key>. */
    readout(key, label) {
      const dt = document.createElement("dt");
      dt.textContent = label;
      const dd = document.createElement("dd");
      dd.setAttribute("data-role", "readout");
      dd.setAttribute("data-key", key);
      this.readoutsEl.append(dt, dd);
      return dd;
    }

    /** Show `text` in readout `key`; `value` (the number behind it, exact) goes to data-value. */
    set(key, text, value) {
      const el = this.readoutsEl.querySelector(`[data-key="${key}"]`);
      if (!el) return;
      if (el.textContent !== text) el.textContent = text;
      el.setAttribute("data-value", String(value === undefined ? text : value));
    }

    panel(label) { return new Panel(this.plot, label); }

    setState(state) {
      this.state = state;
      this.root.setAttribute("data-state", state);
    }

    setStatus(text, announce) {
      if (this.status.textContent !== text) this.status.textContent = text;
      if (announce && this.statusLive.textContent !== announce) this.statusLive.textContent = announce;
    }

    /** Change settings from a widget module (buttons), then recompute. */
    update(values) {
      Object.assign(this.values, values);
      for (const [name, { input, show }] of Object.entries(this.inputs)) {
        if (input.type === "checkbox") input.checked = !!this.values[name];
        else input.value = this.values[name];
        show();
      }
      this.changed();
    }

    // ---- answers

    args(callName, values = this.values) {
      const kw = {};
      for (const [k, v] of Object.entries(this.spec.calls[callName].kwargs)) {
        kw[k] = v && typeof v === "object" && "$" in v ? values[v.$] : v;
      }
      return kw;
    }

    key(callName) { return JSON.stringify(this.args(callName)); }

    /** The grid answer nearest to the current settings: {value, exact, at: {control: value}}. */
    nearest(callName) {
      const g = this.spec.grid[callName];
      const idx = [], at = {};
      let exact = true;
      for (const a of g.axes) {
        const grid = this.controls[a].grid, v = this.values[a];
        let best = 0;
        // numbers: the closest; anything else (a select's names): the same, else the first
        const dist = (g) => (typeof g === "number" && typeof v === "number" ? Math.abs(g - v) : g === v ? 0 : Infinity);
        for (let i = 1; i < grid.length; i++) if (dist(grid[i]) < dist(grid[best])) best = i;
        idx.push(best);
        at[a] = grid[best];
        if (grid[best] !== v) exact = false;
      }
      return { value: g.answers[idx.join(",")], exact, at };
    }

    answers() {
      const out = {}, approx = {};
      let pending = 0, pendingFast = 0;
      for (const name of Object.keys(this.spec.calls)) {
        const live = this.cache[name].get(this.key(name));
        if (live !== undefined) { out[name] = live; continue; }
        const n = this.nearest(name);
        out[name] = n.value;
        if (this.touched && this.state !== "error") {
          pending++;
          if (!this.spec.calls[name].slow) pendingFast++;
        }
        if (!n.exact) approx[name] = n.at;
      }
      return { answers: out, approx, pending, pendingFast };
    }

    render() {
      clearTimeout(this.fallbackTimer);
      this.fallbackTimer = null;
      const { answers, approx, pending, pendingFast } = this.answers();
      this.mod.draw(this, answers, { approx, pending, live: this.state === "live" });
      this.root.setAttribute("data-pending", String(pending));
      this.root.setAttribute("data-pending-fast", String(pendingFast));
      this.root.setAttribute("data-source", pending ? "grid" : "live");
      this.explain(approx, pending);
      this.renders++;
      this.root.setAttribute("data-renders", String(this.renders));
      if (!pending && this.state === "live" && this.prefetchOn) this.prefetchSoon();
    }

    /** Once the settings have rested SLOW_DELAY_MS with every answer in, compute the fast answers
     * one slider step either side of the control moved last, one call at a time (a move meanwhile
     * waits for at most that call), so the reader's next step is drawn from the cache, exact. */
    prefetchSoon() {
      clearTimeout(this.prefetchTimer);
      const at = this.generation;
      this.prefetchTimer = setTimeout(() => this.prefetchNext(at), SLOW_DELAY_MS);
    }

    prefetchNext(at) {
      if (at !== this.generation || this.state !== "live" || !this.root.isConnected) return;
      const next = this.neighbours().find(([name, key]) => !this.cache[name].has(key));
      if (!next) return;
      const [name, key, args] = next;
      const opts = { channel: `${this.channelPrefix}prefetch` };
      window.optdocsRunner.call(this.spec.calls[name].fn, [], args, opts).then((value) => {
        if (!this.prefetchOn) return;
        this.remember(name, key, value);
        if (key === this.key(name)) this.drawWhenAnswered(); // the reader got there meanwhile
        this.prefetchNext(at);
      }, () => {}); // superseded, stopped or failed: the next move asks again anyway
    }

    /** [call, key, args] of every fast call that depends on the range control moved last, at
     * that control's values one step either side (as the browser steps the slider), the side
     * of the last move first. */
    neighbours() {
      const c = this.lastMoved && this.controls[this.lastMoved];
      if (!c) return [];
      const probe = document.createElement("input");
      Object.assign(probe, { type: "range", min: c.min, max: c.max, step: c.step });
      const out = [];
      for (const up of [this.lastUp, !this.lastUp]) {
        probe.value = String(this.values[c.name]);
        if (up) probe.stepUp(); else probe.stepDown();
        const values = { ...this.values, [c.name]: Number(probe.value) };
        if (values[c.name] === this.values[c.name]) continue;
        for (const [name, call] of Object.entries(this.spec.calls)) {
          if (call.slow) continue;
          const args = this.args(name, values), key = JSON.stringify(args);
          if (key !== this.key(name)) out.push([name, key, args]);
        }
      }
      return out;
    }

    remember(name, key, value) {
      const cache = this.cache[name];
      cache.delete(key);
      cache.set(key, value);
      if (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value);
    }

    explain(approx, pending) {
      const at = Object.assign({}, ...Object.values(approx));
      const where = Object.keys(at).length
        ? ` (nearest grid point: ${Object.entries(at).map(([k, v]) => `${this.controls[k].label} ${v}`).join(", ")})`
        : "";
      const rt = window.optdocsRunner && window.optdocsRunner.runtime;
      if (this.state === "static") return;
      if (this.state === "error") {
        this.setStatus(`Python could not be started here, so the figure shows numbers from the site build${where}.`, "Error");
      } else if (this.state === "loading") {
        const progress = (rt && rt.progress) || "Starting Python";
        this.setStatus(`Numbers from the site build${where}. ${progress}…`, "Loading Python");
      } else if (pending && rt && rt.cellRunning && rt.cellRunning()) {
        this.setStatus(`Python is busy running a cell: meanwhile numbers from the site build${where}.`, "");
      } else if (pending) {
        this.setStatus(`Computing in Python… meanwhile numbers from the site build${where}.`, "");
      } else {
        this.setStatus("Live: computed by optdocs in your browser.", "Live");
      }
    }

    /** Settings changed: redraw now from what is known, ask Python for the rest. */
    changed() {
      this.generation++;
      clearTimeout(this.prefetchTimer);
      this.writeUrl();
      if (!this.touched) { this.touch(); return; }
      this.drawWhenAnswered();
      this.requestLive(true);
    }

    /** Redraw once Python has answered every fast call of the current settings (one redraw per
     * move, not one per answer: each costs the page a layout, which delays the next answer's
     * message), and at the latest FALLBACK_MS after the first wait, with the grid's answers. */
    drawWhenAnswered() {
      const { pending, pendingFast } = this.answers();
      if (pendingFast && this.state === "live") {
        // not redrawn yet, but data-pending already counts the calls the new settings wait for
        this.root.setAttribute("data-pending", String(pending));
        this.root.setAttribute("data-pending-fast", String(pendingFast));
        if (!this.fallbackTimer) this.fallbackTimer = setTimeout(() => this.render(), FALLBACK_MS);
      } else {
        this.render();
      }
    }

    touch() {
      if (this.touched) return;
      this.touched = true;
      this.staticImg.hidden = true;
      this.plot.hidden = false;
      const rt = window.optdocsRunner;
      this.setState(rt && rt.runtime.ready ? "live" : rt ? "loading" : "error");
      this.render();
      // start Python in a later task, so that this redraw reaches the screen first
      setTimeout(() => this.requestLive(), 0);
      this.poll = setInterval(() => this.watch(), POLL_MS);
    }

    /** Follow the runtime: loading progress, a restart after a cell's Stop, readiness, a cell
     * running while an answer waits. */
    watch() {
      if (!this.root.isConnected) { clearInterval(this.poll); return; }
      const rt = window.optdocsRunner && window.optdocsRunner.runtime;
      if (!rt || this.state === "error") return;
      if (!rt.ready && this.state === "live") { this.setState("loading"); this.render(); }
      else if (this.state === "loading") this.explain(this.answers().approx, 1);
      else {  // waiting for Python: the status follows a cell that starts or ends meanwhile
        const { approx, pending } = this.answers();
        if (pending) this.explain(approx, pending);
      }
      this.requestLive();
    }

    /** Ask Python for every call whose answer for the current settings is missing. Heavy calls
     * wait until the settings have rested SLOW_DELAY_MS after a change (`fromChange`). */
    requestLive(fromChange) {
      if (!this.touched || this.state === "error" || !window.optdocsRunner) return;
      const calls = Object.entries(this.spec.calls);
      for (const [name, call] of calls) if (!call.slow) this.send(name);
      if (fromChange) {
        clearTimeout(this.slowTimer);
        this.slowTimer = setTimeout(() => { this.slowTimer = null; this.requestLive(false); }, SLOW_DELAY_MS);
      } else if (!this.slowTimer) {
        for (const [name, call] of calls) if (call.slow) this.send(name);
      }
    }

    /** Ask for call `name` at the current settings, unless it is known or already asked: the
     * request supersedes the one of earlier settings (same channel), which the worker drops. */
    send(name) {
      const key = this.key(name);
      if (this.cache[name].has(key) || this.inflight[name] === key) return;
      this.inflight[name] = key;
      const call = this.spec.calls[name];
      const opts = { channel: this.channelPrefix + name };
      window.optdocsRunner.call(call.fn, [], this.args(name), opts).then((value) => {
        if (this.inflight[name] === key) delete this.inflight[name];
        this.failures = 0;
        this.remember(name, key, value);
        if (this.state === "loading") this.setState("live");
        if (key === this.key(name)) this.drawWhenAnswered(); // stale answers are not drawn
      }, (err) => {
        if (this.inflight[name] !== key) return; // a newer request took its place
        delete this.inflight[name];
        const msg = String((err && err.message) || err);
        if (/Traceback|Error:/.test(msg) && !/Stopped|restarted|page changed/.test(msg)) {
          this.fail(msg);
          return;
        }
        // the worker was restarted (a cell's Stop) or could not start: try again, a few times
        if (++this.failures > 20) { this.fail(msg); return; }
        setTimeout(() => this.send(name), 200 * Math.min(this.failures, 5));
      });
    }

    fail(message) {
      this.setState("error");
      this.root.setAttribute("data-error", message.slice(-500));
      this.render();
    }

    // ---- "Show the code"

    codeText() {
      const reprs = {};
      for (const c of this.spec.controls) reprs[c.name] = pyRepr(this.values[c.name], c);
      return this.spec.code.replace(/\{\{|\}\}|\{([a-z_][a-z0-9_]*)\}/g, (m, name) =>
        m === "{{" ? "{" : m === "}}" ? "}" : reprs[name]);
    }

    showCode() {
      const details = this.root.nextElementSibling;
      if (!details || !details.matches("details.optdocs-widget-code")) return;
      details.open = true;
      const cellEl = details.querySelector(".optdocs-cell");
      const code = this.codeText();
      if (cellEl && cellEl.getAttribute("data-optdocs-source") !== code) {
        cellEl.setAttribute("data-optdocs-source", code);
        const codeEl = cellEl.querySelector(".highlight code");
        if (codeEl) codeEl.textContent = code;
        const cell = cellEl.optdocsCell;
        if (cell) {
          if (cell.editor) cell.editor.setValue(code);
          else cell.original = code;
          const out = cellEl.querySelector("[data-role=output]");
          if (out) {
            out.replaceChildren();
            const p = document.createElement("p");
            p.className = "optdocs-cell__note";
            p.textContent = "The code at the figure's current settings: press Run to see its output.";
            out.appendChild(p);
          }
        }
      }
      const run = details.querySelector("[data-action=run]");
      details.scrollIntoView({ block: "nearest" });
      if (run) run.focus();
    }
  }

  // -------------------------------------------------------------------------------------------
  // Wiring

  function register(name, mod) {
    modules[name] = mod;
  }

  function init() {
    mounted = mounted.filter((w) => w.root.isConnected);
    const roots = [...document.querySelectorAll("[data-optdocs-widget]")].filter((r) => !r.optdocsWidget);
    if (!roots.length) return;
    loadCss(MANIFEST.css);
    const names = [...new Set(roots.map((r) => r.getAttribute("data-optdocs-widget")))];
    loadScript(MANIFEST.d3)
      .then(() => Promise.all(names.map((n) => loadScript(MANIFEST.modules[n]))))
      .then(() => {
        for (const root of roots) {
          if (root.optdocsWidget || !root.isConnected) continue;
          const mod = modules[root.getAttribute("data-optdocs-widget")];
          if (!mod) continue;
          root.optdocsWidget = new Widget(root, mod);
          mounted.push(root.optdocsWidget);
        }
      })
      .catch((err) => { for (const r of roots) { r.setAttribute("data-state", "error"); r.setAttribute("data-error", String(err)); } });
  }

  window.optdocsWidgets = { register, widgets: () => mounted.slice(), fmt, pyRepr };

  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(init);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
