/* optdocs runnable cells: page side.
 *
 * Consumes the cell HTML emitted by hooks/cells.py:
 *   div.optdocs-cell[data-optdocs-cell][data-state][data-optdocs-source]
 *     div.highlight (pygments)   div[data-role=output] (build-time output)
 * (the raw code may also come in a <template> or <script>: see cellSource below)
 * and adds a toolbar (Run / Stop / Edit / Reset, buttons with data-action) to every cell on each
 * page Material for MkDocs shows (document$, so instant navigation works).
 *
 * The Python runtime (Pyodide, worker.js) is not requested before the first Run, or before the
 * reader starts typing in a cell's editor. The code editor (CodeMirror 5) is loaded on the first
 * Edit. window.OPTDOCS_RUNNER (assets/runner/config.js, written by hooks/pyodide.py) says where
 * everything is. The page <-> worker protocol is documented at the top of worker.js.
 *
 * For scripts, widgets and tests: window.optdocsRunner = {runtime, cells(), call(fn, args, kwargs,
 * options), loadEditor}. call() resolves with the function's result (converted as the "result"
 * message of worker.js says) and rejects with an Error whose `code` is the worker's error code
 * (or "stopped"). options, all optional:
 *   onOutput(stream, text)  what the function prints, as it comes ("stdout" or "stderr")
 *   owner                   an element: if it has left the document when the page changes, the
 *                           call is dropped (rejected with code "stopped") as a cell's run is
 *   channel                 a string: a newer call with the same channel supersedes this one,
 *                           which the worker then drops if it has not started, or stops at its
 *                           next pause if it is chunked (rejected with code "superseded"; see
 *                           CALLS in worker.js). Widgets use one channel per figure and call.
 * runtime.cellRunning() says whether a cell's run has started and not finished (calls wait for it).
 *
 * Instant navigation (document$): the cells of the page left are dropped. Their queued runs are
 * cancelled (the runtime keeps booting); if one of them had started, the worker is restarted,
 * since a running cell cannot be interrupted otherwise; their figures' blob URLs are revoked.
 */
(function () {
  "use strict";
  const CFG = window.OPTDOCS_RUNNER;
  if (!CFG || window.optdocsRunner) return;
  const BASE = new URL(".", (document.currentScript && document.currentScript.src) || location.href);
  const abs = (u) => new URL(u, BASE).href;

  const MB = (n) => (n / 1e6).toFixed(1);

  // Workers start from a blob: URL that only imports worker.js: a blob: worker runs under this
  // page's Content-Security-Policy (hooks/csp.py), while one started from worker.js's own URL
  // would get the policy of that file's HTTP headers, none on GitHub Pages. One URL per page.
  let workerBootstrap = null;
  function newWorker() {
    if (!workerBootstrap) {
      const source = `importScripts(${JSON.stringify(abs(CFG.worker))});\n`;
      workerBootstrap = URL.createObjectURL(new Blob([source], { type: "text/javascript" }));
    }
    return new Worker(workerBootstrap);
  }

  const CACHE_IDLE_MS = 1500;

  // ---------------------------------------------------------------------------------------------
  // The runtime: one worker shared by every cell of every page.

  const runtime = {
    worker: null,
    ready: false,
    nextId: 1,
    jobs: new Map(), // id -> job
    cancelled: new Map(), // id -> kind ("run" or "call") of queued jobs dropped by Stop
    progress: "",
    restarts: 0,
    timings: null,

    workerConfig() {
      const c = JSON.parse(JSON.stringify(CFG));
      if (window.OPTDOCS_BOOT_CACHE === false) c.bootCache = null; // scripts and benchmarks
      else if (c.bootCache) c.bootCache = abs(c.bootCache);
      c.indexURL = abs(c.indexURL);
      if (!c.indexURL.endsWith("/")) c.indexURL += "/";
      if (c.wheel) c.wheel.url = abs(c.wheel.url);
      for (const m of c.modules) m.url = abs(m.url);
      if (c.pycs) c.pycs.url = abs(c.pycs.url);
      return c;
    },

    start() {
      if (this.worker) return;
      this.ready = false;
      this.progress = "Starting Python";
      let worker;
      try {
        worker = newWorker();
      } catch (err) {
        this.fail("worker", String(err));
        return;
      }
      this.worker = worker;
      worker.onmessage = (e) => { if (this.worker === worker) this.onMessage(e.data); };
      worker.onerror = (e) => {
        if (this.worker !== worker) return;
        e.preventDefault();
        this.fail("worker", e.message || "the worker failed");
      };
      worker.postMessage({ type: "init", config: this.workerConfig() });
      for (const job of this.jobs.values()) this.send(job);
    },

    send(job) {
      if (job.kind === "run") this.worker.postMessage({ type: "run", id: job.id, code: job.code });
      else {
        this.worker.postMessage({
          type: "call", id: job.id, fn: job.fn, args: job.args, kwargs: job.kwargs, channel: job.channel,
        });
      }
    },

    submit(job) {
      job.id = this.nextId++;
      this.jobs.set(job.id, job);
      if (this.worker) this.send(job);
      else this.start();
      return job;
    },

    /** Drop a job that has not started yet: the worker skips it (and keeps booting if it is).
     * A started call is dropped too: the worker stops it at its next pause if it is chunked,
     * and its answer is ignored otherwise. `reason` goes to the job's owner. */
    cancel(job, reason) {
      if (!this.jobs.has(job.id)) return;
      this.jobs.delete(job.id);
      if (this.worker) {
        this.cancelled.set(job.id, job.kind);
        this.worker.postMessage({ type: "cancel", id: job.id });
      }
      job.on("stopped", { reason: reason || "Cancelled before it started." });
    },

    /** After an instant navigation: drop the jobs whose cell (or call owner) left the document.
     * Queued ones are cancelled; a started one can only be stopped by restarting the worker. */
    dropGone() {
      const gone = [...this.jobs.values()].filter((job) => {
        const el = job.cell ? job.cell.el : job.owner;
        return el && !el.isConnected;
      });
      let running = null;
      for (const job of gone) {
        if (job.started) running = job;
        else this.cancel(job, "Stopped because the page changed.");
      }
      if (running) this.restart("Stopped because the page changed.", running);
    },

    /** Kill the worker (a running cell cannot be interrupted otherwise); the next job starts a new one. */
    restart(reason, stopping) {
      if (this.worker) this.worker.terminate();
      this.worker = null;
      this.ready = false;
      this.restarts++;
      this.cancelled.clear(); // ids the old worker was told to skip
      const jobs = [...this.jobs.values()];
      this.jobs.clear();
      for (const job of jobs) {
        if (job.started || job === stopping) job.on("stopped", { reason });
        else this.submit(job); // queued jobs run in the new worker
      }
    },

    /** The runtime could not be loaded: `code` is an ERROR CODE of worker.js ("integrity",
     * "network", "boot") or "worker" (the worker script did not start). */
    fail(code, message) {
      if (this.worker) this.worker.terminate();
      this.worker = null;
      this.ready = false;
      this.cancelled.clear();
      const jobs = [...this.jobs.values()];
      this.jobs.clear();
      for (const job of jobs) job.on("fatal", { code, message });
    },

    onMessage(msg) {
      switch (msg.type) {
        case "progress": {
          const total = Math.max(msg.totalBytes, msg.bytes);
          this.progress = `${this.ready ? "Downloading" : "Loading Python:"} ${msg.file} ` +
                          `(${MB(msg.bytes)} of ${MB(total)} MB)`;
          this.broadcast();
          return;
        }
        case "status":
          this.progress = msg.text;
          this.broadcast();
          return;
        case "ready":
          this.ready = true;
          this.timings = msg.timings;
          this.fromSnapshot = !!msg.snapshot;
          this.progress = "";
          this.broadcast();
          return;
        case "fatal":
          this.fail(msg.code || "boot", msg.message);
          return;
        case "cancelled": {
          this.cancelled.delete(msg.id);
          const job = this.jobs.get(msg.id); // still here: the worker gave it up (superseded)
          if (job) { this.jobs.delete(msg.id); job.on("cancelled", msg); }
          return;
        }
        case "cache-wanted":
          this.wantCache(msg);
          return;
      }
      if (msg.type === "started" && this.cancelled.has(msg.id)) {
        // It started before the cancel arrived: stopping a run means restarting the worker; a
        // call ends soon (or stops at its next pause if chunked), its answer is not wanted.
        if (this.cancelled.get(msg.id) === "run") {
          this.restart("Stopped. The Python runtime was restarted; the next Run starts it again.");
        } else {
          this.cancelled.delete(msg.id);
        }
        return;
      }
      const job = this.jobs.get(msg.id);
      if (!job) return;
      if (msg.type === "started") job.started = true;
      if (msg.type === "done" || msg.type === "error" || msg.type === "result") this.jobs.delete(msg.id);
      job.on(msg.type, msg);
    },

    // The boot cache (bootcache.js): after a Run, the worker says what the next visit could reuse
    // (a snapshot of the started interpreter, .pyc files); a second, short-lived worker builds it
    // once the page has been idle for CACHE_IDLE_MS, so it never slows a reader's Run.
    cache: { state: "none", request: null, timer: null, worker: null, snapshotSent: false, sent: new Set() },

    wantCache(msg) {
      const c = this.cache;
      const snapshot = msg.snapshot && !c.snapshotSent;
      if (!snapshot && msg.files.every((f) => c.sent.has(f))) return;
      c.request = { snapshot, files: msg.files, packages: msg.packages };
      if (!c.worker) this.scheduleCache();
    },

    scheduleCache() {
      const c = this.cache;
      clearTimeout(c.timer);
      c.state = "wanted";
      c.timer = setTimeout(() => this.buildCache(), CACHE_IDLE_MS);
    },

    buildCache() {
      const c = this.cache;
      if (c.worker || !c.request) return;
      if (this.jobs.size) { this.scheduleCache(); return; } // a cell is busy: wait for quiet
      const req = c.request;
      c.request = null;
      let worker;
      try {
        worker = newWorker();
      } catch (err) {
        c.state = "failed";
        return;
      }
      if (req.snapshot) c.snapshotSent = true;
      for (const f of req.files) c.sent.add(f);
      c.worker = worker;
      c.state = "building";
      const finish = (state, detail) => {
        clearTimeout(guard);
        worker.terminate();
        c.worker = null;
        c.state = state;
        c.detail = detail;
        if (c.request) this.scheduleCache();
      };
      const guard = setTimeout(() => finish("failed", { message: "took too long" }), 120000);
      worker.onmessage = (e) => {
        const m = e.data;
        if (m.type === "cache-built") finish("built", m);
        else if (m.type === "cache-failed" || m.type === "fatal") finish("failed", m);
      };
      worker.onerror = (e) => { e.preventDefault(); finish("failed", { message: e.message }); };
      worker.postMessage({ type: "build-cache", config: this.workerConfig(), ...req });
    },

    cellRunning() {
      for (const job of this.jobs.values()) if (job.kind === "run" && job.started) return true;
      return false;
    },

    broadcast() {
      for (const job of this.jobs.values()) job.on("progress", { text: this.progress });
    },

    /** Call a Python function by dotted name; resolves with its (converted) result. `options`:
     * {onOutput(stream, text), owner} (see the top of this file). */
    call(fn, args, kwargs, options) {
      const opts = options || {};
      return new Promise((resolve, reject) => {
        const fail = (code, text) => {
          const err = new Error(text);
          err.code = code;
          reject(err);
        };
        this.submit({
          kind: "call", fn, args: args || [], kwargs: kwargs || {}, owner: opts.owner || null,
          channel: opts.channel == null ? undefined : String(opts.channel),
          on(type, msg) {
            if (type === "result") resolve(msg.value);
            else if ((type === "stdout" || type === "stderr") && opts.onOutput) {
              try { opts.onOutput(type, msg.text); } catch (err) { setTimeout(() => { throw err; }); }
            } else if (type === "error") fail(msg.code || "exception", msg.traceback);
            else if (type === "stopped") fail("stopped", msg.reason);
            else if (type === "cancelled" && msg.reason === "superseded") {
              fail("superseded", "Superseded by a newer call of its channel.");
            } else if (type === "cancelled") fail("cancelled", "Cancelled.");
            else if (type === "fatal") fail(msg.code, msg.message);
          },
        });
      });
    },
  };

  // ---------------------------------------------------------------------------------------------
  // The code editor (CodeMirror 5, served with the site), loaded on first use.

  let editorPromise = null;
  function loadEditor() {
    if (editorPromise) return editorPromise;
    const load = (item, tag) => new Promise((resolve, reject) => {
      const el = document.createElement(tag);
      if (tag === "link") { el.rel = "stylesheet"; el.href = abs(item.url); }
      else { el.src = abs(item.url); el.async = false; }
      el.integrity = item.integrity;
      el.onload = resolve;
      el.onerror = () => reject(new Error(`could not load ${item.url}`));
      document.head.appendChild(el);
    });
    editorPromise = Promise.all(CFG.editor.css.map((c) => load(c, "link")))
      .then(() => CFG.editor.js.reduce((p, j) => p.then(() => load(j, "script")), Promise.resolve()))
      .then(() => window.CodeMirror);
    editorPromise.catch(() => { editorPromise = null; });
    return editorPromise;
  }

  // ---------------------------------------------------------------------------------------------
  // Cells

  // What a cell says when the runtime could not be loaded, by the ERROR CODE of worker.js.
  const BUILD_OUTPUT = "the output shown is the one from when the site was built.";
  const FATAL_NOTES = {
    integrity: "The Python runtime could not be verified (a file does not have the expected hash), " +
               "so it was not run; " + BUILD_OUTPUT,
    network: "The Python runtime could not be loaded (are you offline?), so " + BUILD_OUTPUT,
    boot: "The Python runtime could not be loaded (it failed while starting), so " + BUILD_OUTPUT,
    worker: "The Python runtime could not be loaded (this browser could not start it), so " + BUILD_OUTPUT,
  };

  const BUTTONS = [
    ["run", "Run", "Run this code (Shift+Enter)"],
    ["stop", "Stop", "Stop the running code"],
    ["edit", "Edit", "Edit this code"],
    ["reset", "Reset", "Restore the original code and output"],
  ];

  /** The raw code of a cell, from its data-optdocs-source attribute (written by hooks/cells.py:
   * never executed, never indexed by search, kept by Material's instant navigation). */
  function cellSource(el) {
    return el.getAttribute("data-optdocs-source") || "";
  }

  class Cell {
    constructor(el) {
      this.el = el;
      this.name = el.getAttribute("data-optdocs-cell") || "";
      this.original = cellSource(el);
      this.highlight = el.querySelector(".highlight");
      this.output = el.querySelector("[data-role=output]");
      if (!this.output) {
        this.output = document.createElement("div");
        this.output.className = "optdocs-cell__output";
        this.output.setAttribute("data-role", "output");
        el.appendChild(this.output);
      }
      this.savedOutput = [...this.output.childNodes].map((n) => n.cloneNode(true));
      this.editor = null;
      this.job = null;
      this.urls = [];
      this.changed = false;
      this.listening = new AbortController(); // removes the cell's listeners when it is disposed
      this.buildToolbar();
      el.addEventListener("keydown", (e) => {
        if (e.key === "Enter" && e.shiftKey && !e.altKey && !e.ctrlKey && !e.metaKey && !this.editor &&
            !(e.target instanceof HTMLButtonElement)) {
          e.preventDefault();
          this.run();
        }
      }, { signal: this.listening.signal });
      this.setState("idle");
    }

    buildToolbar() {
      const bar = document.createElement("div");
      bar.className = "optdocs-cell__toolbar";
      bar.setAttribute("role", "group");
      bar.setAttribute("aria-label", "Python cell");
      this.buttons = {};
      for (const [action, label, title] of BUTTONS) {
        const b = document.createElement("button");
        b.type = "button";
        b.className = `optdocs-cell__button optdocs-cell__button--${action}`;
        b.setAttribute("data-action", action);
        b.title = title;
        b.textContent = label;
        const signal = this.listening.signal;
        b.addEventListener("click", () => this[action](), { signal });
        // Pressing Run is the intent to run: start the runtime on pointerdown, before the click.
        if (action === "run") b.addEventListener("pointerdown", () => runtime.start(), { passive: true, signal });
        bar.appendChild(b);
        this.buttons[action] = b;
      }
      // The visible status changes often while Python downloads; screen readers get the state
      // changes only, through a separate polite live region.
      this.status = document.createElement("span");
      this.status.className = "optdocs-cell__status";
      this.status.setAttribute("aria-hidden", "true");
      bar.appendChild(this.status);
      this.live = document.createElement("span");
      this.live.className = "optdocs-cell__sr-only";
      this.live.setAttribute("role", "status");
      bar.appendChild(this.live);
      this.el.insertBefore(bar, this.output);
    }

    code() { return this.editor ? this.editor.getValue() : this.original; }

    setState(state) {
      if (state !== this.state && this.live) {
        const words = { loading: "Loading Python", running: "Running", done: "Done", error: "Error" };
        this.live.textContent = words[state] || "";
      }
      this.state = state;
      this.el.setAttribute("data-state", state);
      const busy = state === "loading" || state === "running";
      // aria-disabled (not disabled) keeps keyboard focus on a button whose action is unavailable
      this.buttons.run.setAttribute("aria-disabled", String(busy));
      this.buttons.stop.setAttribute("aria-disabled", String(!busy));
      this.buttons.reset.setAttribute("aria-disabled", String(busy || !this.changed));
      this.el.setAttribute("aria-busy", String(busy));
    }

    setStatus(text) { if (this.status.textContent !== text) this.status.textContent = text; }

    clearOutput() {
      for (const u of this.urls) URL.revokeObjectURL(u);
      this.urls = [];
      this.output.replaceChildren();
      this.textPre = null;
    }

    note(text, kind) {
      const p = document.createElement("p");
      p.className = "optdocs-cell__note" + (kind ? ` optdocs-cell__note--${kind}` : "");
      p.textContent = text;
      this.output.appendChild(p);
    }

    appendText(stream, text) {
      if (!this.textPre) {
        this.textPre = document.createElement("pre");
        this.textPre.className = "optdocs-cell__stdout";
        this.output.insertBefore(this.textPre, this.output.querySelector(".optdocs-cell__figure"));
      }
      const last = this.textPre.lastChild;
      if (stream === "stderr") {
        if (last && last.nodeType === 1) last.firstChild.appendData(text);
        else {
          const span = document.createElement("span");
          span.className = "optdocs-cell__stderr";
          span.textContent = text;
          this.textPre.appendChild(span);
        }
      } else if (last && last.nodeType === 3) last.appendData(text);
      else this.textPre.appendChild(document.createTextNode(text));
    }

    run() {
      if (this.state === "loading" || this.state === "running") return;
      this.changed = true;
      this.clearOutput();
      const started = performance.now();
      const queued = [...runtime.jobs.values()].some((j) => j.kind === "run");
      this.setState(runtime.ready ? "running" : "loading");
      this.setStatus(queued ? "Waiting for another cell to finish…"
                            : runtime.ready ? "Running…" : runtime.progress || "Starting Python");
      const cell = this;
      this.job = runtime.submit({
        kind: "run", code: this.code(), cell: this,
        on(type, msg) { cell.onJob(this, type, msg, started); },
      });
    }

    onJob(job, type, msg, started) {
      if (job !== this.job) return;
      switch (type) {
        case "progress":
          if (this.state === "loading" || (this.state === "running" && msg.text)) this.setStatus(msg.text || "Running…");
          return;
        case "started":
          this.setState("running");
          this.setStatus(runtime.ready ? "Running…" : runtime.progress);
          return;
        case "stdout":
        case "stderr":
          this.appendText(type, msg.text);
          return;
        case "figure": {
          const url = URL.createObjectURL(new Blob([msg.png], { type: "image/png" }));
          this.urls.push(url);
          const img = document.createElement("img");
          img.className = "optdocs-cell__figure";
          img.src = url;
          img.alt = msg.alt || "Figure produced by this code";
          if (msg.width) img.width = msg.width;
          this.output.appendChild(img);
          return;
        }
        case "truncated":
          this.note(`Output truncated: ${msg.dropped.toLocaleString("en")} more characters were not shown ` +
                    `(limit ${Math.round((CFG.outputLimit || 200000) / 1000)} KB).`, "warning");
          return;
        case "done":
          this.job = null;
          this.setState("done");
          this.setStatus(`Done in ${((performance.now() - started) / 1000).toFixed(2)} s`);
          return;
        case "error": {
          this.job = null;
          const pre = document.createElement("pre");
          pre.className = "optdocs-cell__traceback";
          pre.textContent = msg.traceback;
          this.output.appendChild(pre);
          this.setState("error");
          this.setStatus("Error");
          return;
        }
        case "stopped":
          this.job = null;
          this.note(msg.reason || "Stopped. The Python runtime was restarted; the next Run starts it again.", "warning");
          this.setState("idle");
          this.setStatus("Stopped");
          return;
        case "fatal":
          this.job = null;
          this.clearOutput();
          for (const n of this.savedOutput) this.output.appendChild(n.cloneNode(true));
          this.note(FATAL_NOTES[msg.code] || FATAL_NOTES.boot, "warning");
          this.output.lastChild.title = msg.message;
          this.output.lastChild.setAttribute("data-code", msg.code);
          this.setState("error");
          this.setStatus("");
          return;
      }
    }

    stop() {
      if (this.state !== "loading" && this.state !== "running") return;
      // Not started (queued, or the runtime is still loading): the worker skips it and keeps booting.
      if (this.job && !this.job.started) { runtime.cancel(this.job); return; }
      runtime.restart("Stopped. The Python runtime was restarted; the next Run starts it again.", this.job);
    }

    /** The cell left the document (instant navigation): free its figures' blob URLs, and let
     * go of everything else it holds (its editor, its output, its listeners): a detached page
     * may stay referenced by the theme for a while, and should keep as little as possible. Its
     * job, if any, is dropped by runtime.dropGone(). */
    dispose() {
      this.job = null;
      this.listening.abort();
      this.clearOutput();
      this.savedOutput = [];
      if (this.editor) this.editor.getWrapperElement().parentNode.remove();
      this.editor = null;
      delete this.el.optdocsCell;
    }

    edit() {
      if (this.editor) { this.editor.focus(); return; }
      if (this.editorLoading) return;
      this.editorLoading = true;
      this.setStatus("Loading the editor…");
      loadEditor().then((CodeMirror) => {
        this.editorLoading = false;
        this.setStatus("");
        if (!this.el.isConnected || this.editor) return;
        const wrap = document.createElement("div");
        wrap.className = "optdocs-cell__editor";
        this.highlight.after(wrap);
        const run = () => this.run();
        this.editor = CodeMirror(wrap, {
          value: this.code(),
          mode: "python",
          indentUnit: 4,
          tabSize: 4,
          indentWithTabs: false,
          lineWrapping: false,
          viewportMargin: Infinity,
          matchBrackets: true,
          inputStyle: "contenteditable",
          screenReaderLabel: "Python code (Shift+Enter runs, Escape leaves the editor)",
          extraKeys: {
            "Shift-Enter": run,
            "Ctrl-Enter": run,
            "Cmd-Enter": run,
            Tab: (cm) => (cm.somethingSelected() ? cm.indentSelection("add") : cm.execCommand("insertSoftTab")),
            "Shift-Tab": (cm) => cm.indentSelection("subtract"),
            Esc: () => this.buttons.run.focus(),
          },
        });
        this.editor.on("change", () => {
          if (!this.changed) { this.changed = true; this.setState(this.state); }
          runtime.start(); // typing is a clear intent to run: start loading Python meanwhile
        });
        this.highlight.hidden = true;
        this.el.classList.add("optdocs-cell--editing");
        this.buttons.edit.setAttribute("aria-pressed", "true");
        this.editor.focus();
        this.editor.setCursor(this.editor.lineCount(), 0);
      }).catch((err) => {
        this.editorLoading = false;
        this.setStatus(`The editor could not be loaded (${err.message}).`);
      });
    }

    reset() {
      if (this.state === "loading" || this.state === "running") return;
      if (this.editor) {
        this.editor.getWrapperElement().parentNode.remove();
        this.editor = null;
        this.highlight.hidden = false;
        this.el.classList.remove("optdocs-cell--editing");
        this.buttons.edit.removeAttribute("aria-pressed");
      }
      this.clearOutput();
      for (const n of this.savedOutput) this.output.appendChild(n.cloneNode(true));
      this.changed = false;
      this.setState("idle");
      this.setStatus("");
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Wiring

  let cells = [];

  function init() {
    // After an instant navigation the cells of the page left are gone: their queued runs are
    // dropped, a running one restarts the worker (it would block the shared interpreter), and
    // their figures are freed.
    for (const c of cells) if (!c.el.isConnected) c.dispose(); // first: nothing more is written to them
    runtime.dropGone();
    cells = cells.filter((c) => c.el.isConnected);
    for (const el of document.querySelectorAll(".optdocs-cell")) {
      if (el.optdocsCell) continue;
      el.optdocsCell = new Cell(el);
      cells.push(el.optdocsCell);
    }
  }

  window.optdocsRunner = {
    runtime,
    cells: () => cells.slice(),
    call: (fn, args, kwargs, options) => runtime.call(fn, args, kwargs, options),
    loadEditor,
  };

  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(init);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
