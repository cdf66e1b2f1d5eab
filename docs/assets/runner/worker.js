/* optdocs runnable cells: the Web Worker that owns the Python interpreter (Pyodide 0.27.7).
 * Its Python half (running a cell, tracebacks, figures, calls) is python/_optdocs_runner.py.
 *
 * PROTOCOL (page <-> worker). Every message is a plain object; `id` is chosen by the page and
 * echoed on every answer that belongs to that request.
 *
 *   page -> worker
 *     {type: "init", config}            first message; config = window.OPTDOCS_RUNNER with its
 *                                       URLs made absolute (see hooks/pyodide.py). Boots at once.
 *     {type: "run", id, code}           run `code` as a cell: fresh namespace, __name__ == "__main__",
 *                                       one interpreter shared by all cells. Runs are queued.
 *     {type: "cancel", id}              drop a queued run/call that has not started, or stop a
 *                                       started chunked call at its next pause (answered by
 *                                       "cancelled"); a started run or plain call goes on: the
 *                                       page sees its "started" and may terminate the worker
 *     {type: "call", id, fn, args, kwargs, channel?}
 *                                       call a Python function by dotted name, e.g.
 *                                       fn: "optdocs.simulate.simulate"; args/kwargs are JSON-like.
 *                                       Queued with the runs, one at a time (but see CALLS).
 *                                       channel (optional string): a call supersedes the earlier
 *                                       calls of the same channel (see CALLS)
 *     {type: "build-cache", config, snapshot, files, packages}
 *                                       (to a second worker only) build the boot cache: store a
 *                                       snapshot if `snapshot`, and .pyc files for `files` (paths
 *                                       under site-packages) after loading `packages`
 *
 *   worker -> page
 *     {type: "progress", file, loaded, total, bytes, totalBytes}
 *                                       download progress while the runtime or a package loads
 *                                       (bytes of `file`, and of the whole phase)
 *     {type: "status", text}            what the runtime is doing ("Loading numpy", ...)
 *     {type: "ready", timings, snapshot}
 *                                       runtime booted (timings in ms since the worker started;
 *                                       snapshot: whether the boot cache's snapshot was restored)
 *     {type: "fatal", code, message}    runtime could not be loaded; the worker is useless.
 *                                       code: see ERROR CODES; message: for people, not matched
 *     {type: "started", id}             the run/call request left the queue
 *     {type: "cancelled", id, started, reason}
 *                                       a request given up: reason "cancelled" (a "cancel") or
 *                                       "superseded" (a newer call of its channel); started: false
 *                                       if it never started (no "started" was sent), true for a
 *                                       chunked call stopped at a pause. Nothing else follows.
 *     {type: "stdout"|"stderr", id, text}   streamed output of a run or of a call (batched every
 *                                       ~40 ms; for a call, everything it printed comes before its
 *                                       "result" or "error")
 *     {type: "figure", id, png, alt, width}   a matplotlib figure (png: Uint8Array, transferred;
 *                                       width: CSS pixels to show it at, as the build's SVG)
 *     {type: "truncated", id, dropped}  output exceeded config.outputLimit characters; `dropped`
 *                                       characters were not sent
 *     {type: "done", id, ms, prepareMs} run finished without exception (ms in the worker, of
 *                                       which prepareMs loading packages before the code ran)
 *     {type: "error", id, code, traceback}
 *                                       run or call failed (code: see ERROR CODES); for
 *                                       "exception", traceback text without Pyodide's own frames
 *     {type: "result", id, value}       answer to "call": dicts -> objects, lists/tuples -> arrays,
 *                                       numpy arrays -> {shape, dtype, data} where data is a
 *                                       TypedArray (Float64Array for float64 ...), transferred
 *     {type: "cache-wanted", snapshot, files, packages}
 *                                       after a run: the boot cache lacks the snapshot, or .pyc
 *                                       files for some imported modules (the page then starts a
 *                                       second worker with "build-cache" once idle)
 *     {type: "cache-built", snapshot, pycs, timings} / {type: "cache-failed", message}
 *                                       (from that second worker) the boot cache was written
 *
 * ERROR CODES. The page decides what to tell the reader from `code`, never from the wording:
 *   fatal:  "integrity"    a runtime file does not have the hash the build computed: not run
 *           "network"      a runtime file could not be downloaded (offline, HTTP error)
 *           "boot"         anything else that stopped the runtime from starting
 *           (the page uses "worker" itself when the worker script cannot start at all)
 *   error:  "exception"    the code (a run's cell, a call's function) raised: traceback
 *           "unavailable"  the runtime could not be loaded (a "fatal" came before)
 *           "internal"     the worker failed while handling the request; later requests still run
 *
 * CALLS. Requests are handled one at a time in arrival order, with two exceptions that keep the
 * interactive figures answering at once:
 *  - a call with a `channel` drops every queued call of that channel ("cancelled", started:
 *    false, reason "superseded": they never start), and a started chunked call of that channel
 *    stops at its next pause (started: true): only the newest setting of a slider is computed;
 *  - a chunked call (its Python function has a `chunks` generator function, see is_chunked in
 *    python/_optdocs_runner.py and optdocs/demos/_chunks.py) runs its chunks for SLICE_MS, then
 *    pauses (a macrotask, so the page's messages come in), answers every queued call of a plain
 *    function, and goes on, or stops if it was cancelled or superseded. A plain call therefore
 *    waits at most one slice behind a chunked one; runs and other chunked calls wait for its end.
 *
 * BOOT CACHE (bootcache.js, config.bootCache): a later visit restores a memory snapshot of the
 * started interpreter instead of starting CPython, and gets .pyc files for the modules cells
 * imported; both are kept in the origin's Cache Storage and made by the second worker.
 *
 * Stopping a run: one that has not started (queued, or waiting for the boot) is cancelled and the
 * boot goes on; a started one can only be stopped by terminating this worker (there is no
 * interrupt without cross-origin isolation), and the page starts a new one for the next run.
 * The page does the same for the runs of cells a page change removed.
 *
 * INTEGRITY. The runtime may come from a CDN. Nothing is executed or installed unless its hash
 * is the one computed at site-build time from the npm package pyodide@0.27.7 (hooks/pyodide.py):
 *  - pyodide.js and pyodide.asm.js are fetched, their sha384 checked with crypto.subtle, and only
 *    then run through importScripts(blob URL) (importScripts itself has no integrity option);
 *  - python_stdlib.zip and pyodide-lock.json pass through the fetch() wrapper below, which checks
 *    them against the sha384 in config.integrity;
 *  - pyodide.asm.wasm is fetched with `integrity` (the browser's SRI check), and handed to
 *    WebAssembly untouched so it compiles while it downloads and its compiled code is cached;
 *  - every wheel Pyodide installs is fetched with the sha256 listed in that (verified)
 *    pyodide-lock.json: Pyodide hands it to fetch() as `integrity`, and the wrapper checks it;
 *  - the optdocs wheel (built from the checkout with the site), the runner's Python modules
 *    (python/*.py next to this file) and the build's .pyc zip (config.pycs) are checked against
 *    their sha256 from the config before they are unpacked or written.
 *  - the boot cache is never downloaded: it holds only what a worker of this origin made from
 *    files that passed these checks, and Python checks every cached .pyc against its source.
 * Where crypto.subtle is missing (plain-http hosts other than localhost) the check is left to
 * the browser's own Subresource Integrity by passing `integrity` to fetch().
 */
"use strict";

const T0 = performance.now();
let CFG = null;
let pyodide = null;
let runnerPy = null; // the _optdocs_runner module (PyProxy)
let ready = null; // Promise of the booted runtime
let current = null; // output state of the run in progress
const timings = {};
const mark = (name) => { timings[name] = Math.round(performance.now() - T0); };

function post(msg, transfer) { self.postMessage(msg, transfer || []); }

// ---------------------------------------------------------------------------------------------
// Hashes

const subtle = self.crypto && self.crypto.subtle;
// The first failure of a download or of a hash check, {code, message}: Pyodide may report the
// error it causes as something else, so the boot's "fatal" reports this one.
let firstFailure = null;

/** An Error carrying an ERROR CODE (see the top), remembered as the boot's first failure. */
function failure(code, message) {
  // a refused file outranks a missing one: it is the reason not to run anything
  if (!firstFailure || (code === "integrity" && firstFailure.code !== "integrity")) firstFailure = { code, message };
  const err = new Error(message);
  err.code = code;
  return err;
}

function b64(buf) {
  const bytes = new Uint8Array(buf);
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    s += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  }
  return btoa(s);
}

function hexToB64(hex) {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.substr(2 * i, 2), 16);
  return b64(bytes);
}

/** Check `bytes` against an SRI string such as "sha384-BASE64" (several may be space-separated). */
async function checkIntegrity(bytes, sri, what) {
  const names = { sha256: "SHA-256", sha384: "SHA-384", sha512: "SHA-512" };
  for (const item of sri.trim().split(/\s+/)) {
    const dash = item.indexOf("-");
    const algo = names[item.slice(0, dash)];
    if (!algo) continue;
    const got = b64(await subtle.digest(algo, bytes));
    if (got === item.slice(dash + 1)) return;
    throw failure("integrity", `${what} does not have the expected ${item.slice(0, dash)} hash; refusing to use it`);
  }
}

// ---------------------------------------------------------------------------------------------
// fetch() wrapper: download progress, integrity checks, and answers from prefetched downloads.

const realFetch = self.fetch.bind(self);
// Download progress of the current phase (the boot, or the packages of one run): bytes received,
// and the expected total (known sizes of the phase, grown by every file that starts).
const progress = { bytes: 0, expected: 0, discovered: 0, seen: new Set() };
function newPhase(expected) {
  progress.bytes = 0;
  progress.expected = expected || 0;
  progress.discovered = 0;
}
function startFile(name, size) {
  if (progress.seen.has(name)) return;
  progress.seen.add(name);
  progress.discovered += size;
}
const prefetched = new Map(); // absolute URL -> Promise<Response>

function requestURL(input) {
  return new URL(input instanceof Request ? input.url : String(input), self.location.href).href;
}

function baseName(url) { return url.split("?")[0].split("#")[0].split("/").pop(); }

function expectedIntegrity(url, init) {
  if (init && init.integrity) return init.integrity;
  if (CFG && url.startsWith(CFG.indexURL)) {
    const name = baseName(url);
    if (CFG.integrity[name]) return CFG.integrity[name];
  }
  return null;
}

async function readWithProgress(resp, name) {
  const size = (CFG.sizes && CFG.sizes[name]) || Number(resp.headers.get("content-length")) || 0;
  startFile(name, size);
  if (!resp.body || !resp.body.getReader) {
    const buf = await resp.arrayBuffer();
    progress.bytes += buf.byteLength;
    post({ type: "progress", file: name, loaded: buf.byteLength, total: size, ...byteTotals() });
    return new Uint8Array(buf);
  }
  const reader = resp.body.getReader();
  const chunks = [];
  let loaded = 0;
  let lastPost = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    loaded += value.length;
    progress.bytes += value.length;
    const now = performance.now();
    if (now - lastPost > 100) {
      lastPost = now;
      post({ type: "progress", file: name, loaded, total: size, ...byteTotals() });
    }
  }
  post({ type: "progress", file: name, loaded, total: size, ...byteTotals() });
  const out = new Uint8Array(loaded);
  let at = 0;
  for (const c of chunks) { out.set(c, at); at += c.length; }
  return out;
}

function byteTotals() {
  return { bytes: progress.bytes, totalBytes: Math.max(progress.expected, progress.discovered, progress.bytes) };
}

/** fetch() with the browser's own SRI check (`sri`): a refused download is told apart from a
 * failed one by asking again without the check (only ever on that failure). */
async function fetchChecked(url, init, sri) {
  try {
    return await realFetch(url, Object.assign({}, init, { integrity: sri }));
  } catch (err) {
    let resp = null;
    try { resp = await realFetch(url, Object.assign({}, init, { integrity: undefined, cache: "no-store" })); } catch (e) { /* offline */ }
    if (resp && resp.ok) throw failure("integrity", `${baseName(url)} does not have the expected hash; refusing to use it`);
    throw failure("network", `${baseName(url)} could not be downloaded (${err && err.message || err})`);
  }
}

/** fetch() whose failure to connect is a "network" failure. */
async function fetchOrFail(url, init) {
  try {
    return await realFetch(url, init);
  } catch (err) {
    throw failure("network", `${baseName(url)} could not be downloaded (${err && err.message || err})`);
  }
}

/** Download `url` completely (with progress) and check it; resolves to {bytes, status, ...}. */
async function download(url, init) {
  const sri = expectedIntegrity(url, init);
  const opts = Object.assign({}, init || {});
  delete opts.integrity;
  // no crypto.subtle: let the browser's SRI check it
  const resp = sri && !subtle ? await fetchChecked(url, opts, sri) : await fetchOrFail(url, opts);
  const meta = { status: resp.status, statusText: resp.statusText, headers: resp.headers };
  if (!resp.ok) {
    failure("network", `${baseName(url)}: HTTP ${resp.status}`); // Pyodide reports it in its own words
    return Object.assign(meta, { bytes: await resp.arrayBuffer() });
  }
  const name = baseName(url);
  const bytes = await readWithProgress(resp, name);
  mark("got " + name);
  if (sri && subtle) await checkIntegrity(bytes, sri, name);
  return Object.assign(meta, { bytes });
}

/** The WebAssembly module goes to the browser untouched, checked by the browser's own SRI, so
 * that it compiles while it downloads and its compiled code is cached between visits. */
function isStreamed(url) {
  return CFG && url.startsWith(CFG.indexURL) && baseName(url) === "pyodide.asm.wasm";
}

async function streamed(url, init) {
  const sri = expectedIntegrity(url, init);
  const name = baseName(url);
  startFile(name, CFG.sizes[name] || 0);
  post({ type: "progress", file: name, loaded: 0, total: CFG.sizes[name] || 0, ...byteTotals() });
  let resp;
  try {
    resp = sri ? await fetchChecked(url, init || {}, sri) : await fetchOrFail(url, init);
  } catch (err) {
    // Pyodide does not settle loadPyodide when its wasm cannot be fetched: fail the boot here
    bootFailure(err);
    throw err;
  }
  if (resp.ok) {
    const size = CFG.sizes[name] || Number(resp.headers.get("content-length")) || 0;
    progress.bytes += size;
    post({ type: "progress", file: name, loaded: size, total: size, ...byteTotals() });
  }
  mark("got " + name);
  return resp;
}

const toResponse = (d) => new Response(d.bytes, { status: d.status, statusText: d.statusText, headers: d.headers });

/** Start downloading `url` now; the next fetch() of the same URL gets this download. */
function prefetch(url, init) {
  const abs = new URL(url, self.location.href).href;
  if (!prefetched.has(abs)) {
    const p = isStreamed(abs) ? streamed(abs, init) : download(abs, init);
    p.catch(() => {}); // reported when it is used
    prefetched.set(abs, p);
  }
  return prefetched.get(abs);
}

self.fetch = async function (input, init) {
  const url = requestURL(input);
  const pending = prefetched.get(url);
  if (pending) {
    prefetched.delete(url);
    const d = await pending;
    return d instanceof Response ? d : toResponse(d);
  }
  if (isStreamed(url)) return streamed(url, init);
  return toResponse(await download(url, init));
};

// ---------------------------------------------------------------------------------------------
// Output of the run in progress: batched, capped at config.outputLimit characters.

function emit(stream, text) {
  text = String(text);
  if (!text) return;
  const cur = current;
  if (!cur) { post({ type: stream, text }); return; }
  const room = cur.limit - cur.chars;
  if (room <= 0) { cur.dropped += text.length; return; }
  if (text.length > room) { cur.dropped += text.length - room; text = text.slice(0, room); }
  cur.chars += text.length;
  const last = cur.segments[cur.segments.length - 1];
  if (last && last.stream === stream) last.text += text;
  else cur.segments.push({ stream, text });
  cur.pending += text.length;
  const now = performance.now();
  if (now - cur.lastFlush > 40 || cur.pending > 65536) flush();
  // what is held back goes out in 40 ms if the code waits meanwhile (top-level await)
  else if (!cur.timer) cur.timer = setTimeout(() => { cur.timer = null; if (current === cur) flush(); }, 40);
}

function flush() {
  const cur = current;
  if (!cur) return;
  if (cur.timer) { clearTimeout(cur.timer); cur.timer = null; }
  for (const s of cur.segments) post({ type: s.stream, id: cur.id, text: s.text });
  cur.segments = [];
  cur.pending = 0;
  cur.lastFlush = performance.now();
}

function emitFigure(png, alt, width) {
  const cur = current;
  const bytes = png.toJs ? png.toJs() : png;
  const copy = new Uint8Array(bytes); // own buffer, so it can be transferred
  flush();
  post({ type: "figure", id: cur ? cur.id : null, png: copy, alt: String(alt), width }, [copy.buffer]);
}

// Called from Python (from js import ...).
self._optdocsEmit = emit;
self._optdocsFigure = emitFigure;

// ---------------------------------------------------------------------------------------------
// Boot

async function loadScriptVerified(url, name) {
  const resp = await self.fetch(url);
  if (!resp.ok) throw failure("network", `${name}: HTTP ${resp.status}`);
  const blob = new Blob([await resp.arrayBuffer()], { type: "text/javascript" });
  const blobURL = URL.createObjectURL(blob);
  try { importScripts(blobURL); } finally { URL.revokeObjectURL(blobURL); }
}

// The interpreter's environment: part of the boot cache key, since a snapshot carries it.
const ENV = {
  MPLBACKEND: "module://_optdocs_mpl_backend",
  MPLCONFIGDIR: "/home/pyodide/.matplotlib", // where the boot cache puts matplotlib's font list
  HOME: "/home/pyodide",
};
const cacheInfo = { cache: null, snapshot: false }; // the boot cache, and whether this boot used its snapshot

/** Request every file the boot needs at once and run the two verified scripts. `preload`: lock
 * file packages to request as soon as the (verified) lock file is here, with their sha256. */
async function loadRuntimeScripts(preload) {
  const index = CFG.indexURL;
  const pyjs = prefetch(index + "pyodide.js");
  const asmjs = prefetch(index + "pyodide.asm.js");
  prefetch(index + "pyodide.asm.wasm");
  prefetch(index + "python_stdlib.zip");
  const lock = prefetch(index + "pyodide-lock.json");
  lock.then((d) => {
    if (d.status !== 200) return;
    const pkgs = JSON.parse(new TextDecoder().decode(d.bytes)).packages;
    const todo = [...preload];
    const seen = new Set();
    while (todo.length) {
      const name = todo.pop();
      if (seen.has(name) || !pkgs[name]) continue;
      seen.add(name);
      todo.push(...pkgs[name].depends);
      prefetch(index + pkgs[name].file_name, { integrity: "sha256-" + hexToB64(pkgs[name].sha256) });
    }
  }).catch(() => {});
  await pyjs; await asmjs;
  await loadScriptVerified(index + "pyodide.js", "pyodide.js");
  await loadScriptVerified(index + "pyodide.asm.js", "pyodide.asm.js");
  mark("scripts");
}

function pyodideOptions(extra) {
  return Object.assign({
    indexURL: CFG.indexURL,
    lockFileURL: CFG.indexURL + "pyodide-lock.json",
    env: Object.assign({}, ENV),
    stdout: (s) => emit("stdout", s + "\n"),
    stderr: (s) => emit("stderr", s + "\n"),
    stdin: () => null,
  }, extra || {});
}

function openBootCache() {
  if (!CFG.bootCache) return Promise.resolve(null);
  try {
    importScripts(new URL(CFG.bootCache, self.location.href).href);
  } catch (err) {
    return Promise.resolve(null);
  }
  return BootCache.open(CFG, ENV);
}

/** Request the runner's Python modules (python/*.py) and the optdocs wheel. */
function prefetchRunner() {
  for (const m of CFG.modules) prefetch(m.url, { integrity: m.integrity });
  if (CFG.wheel) prefetch(CFG.wheel.url, { integrity: CFG.wheel.integrity });
}

/** Write the runner's modules and unpack the optdocs wheel (both verified) into site-packages. */
async function installRunner() {
  const site = pyodide.runPython("import site; site.getsitepackages()[0]");
  for (const m of CFG.modules) {
    const resp = await self.fetch(m.url, { integrity: m.integrity });
    if (!resp.ok) throw failure("network", `${m.name}: HTTP ${resp.status}`);
    pyodide.FS.writeFile(site + "/" + m.name, new Uint8Array(await resp.arrayBuffer()));
  }
  if (CFG.wheel) {
    const resp = await self.fetch(CFG.wheel.url, { integrity: CFG.wheel.integrity });
    if (!resp.ok) throw failure("network", `optdocs wheel: HTTP ${resp.status}`);
    pyodide.unpackArchive(await resp.arrayBuffer(), "wheel", { extractDir: site });
  }
  mark("wheel");
  runnerPy = pyodide.pyimport("_optdocs_runner");
}

async function boot(config) {
  CFG = config;
  newPhase(CFG.firstRunBytes);
  post({ type: "status", text: "Downloading the Python runtime" });
  // Everything the first run needs is requested at once: the scripts, the wasm, the standard
  // library, the lock file, numpy (as soon as the lock file is here) and the optdocs wheel;
  // meanwhile the boot cache is read.
  const cached = openBootCache().then(async (cache) => {
    if (!cache) return null;
    const [snapshot, pycs] = await Promise.all([cache.get("snapshot"), cache.get("pycs")]);
    return { cache, snapshot, pycs };
  }).catch(() => null);
  const scripts = loadRuntimeScripts(CFG.preload || []);
  prefetchRunner();
  // The build's .pyc files for numpy and optdocs (scripts/compile_pycs.mjs): used if they have
  // arrived and passed their hash check by the time the runner is installed, never waited for.
  let servedPycs = null;
  if (CFG.pycs) {
    prefetch(CFG.pycs.url, { integrity: CFG.pycs.integrity, priority: "low" })
      .then((d) => { if (d.status === 200) servedPycs = new Uint8Array(d.bytes); }, () => {});
  }
  await scripts;
  const hit = await cached;
  if (hit) cacheInfo.cache = hit.cache;
  if (hit && hit.snapshot) {
    try {
      pyodide = await self.loadPyodide(pyodideOptions({ _loadSnapshot: hit.snapshot }));
      // The snapshot holds the state of modules the boot imported, `random` and `tempfile`
      // among them: seed them again, or every visit would draw the same "random" numbers.
      pyodide.runPython("import random, tempfile\nrandom.seed()\ntempfile._name_sequence = None");
      cacheInfo.snapshot = true;
      mark("restored snapshot");
    } catch (err) {
      // a snapshot this runtime refuses (another build) is dropped; start Python the usual way
      pyodide = null;
      hit.cache.remove("snapshot");
    }
  }
  if (!pyodide) pyodide = await self.loadPyodide(pyodideOptions());
  mark("pyodide");
  if ((CFG.preload || []).length) {
    post({ type: "status", text: "Loading " + CFG.preload.join(", ") });
    await pyodide.loadPackage(CFG.preload, { messageCallback: () => {} });
    mark("preload");
  }
  await installRunner();
  runnerPy.setup(CFG.optdocsImportsMatplotlib ? true : false);
  if (servedPycs) {
    try { runnerPy.add_pycs(servedPycs); mark("served pycs"); } catch (err) { /* compiled in the page */ }
  }
  if (hit && hit.pycs) {
    try { runnerPy.add_pycs(hit.pycs); } catch (err) { hit.cache.remove("pycs"); }
  }
  mark("ready");
  post({ type: "ready", timings: Object.assign({}, timings), bytes: progress.bytes, snapshot: cacheInfo.snapshot });
}

/** After a run: ask the page for a boot-cache build if this boot had no snapshot, or if cells
 * imported site-packages modules that have no cached .pyc yet. */
function reportCache() {
  if (!cacheInfo.cache || !runnerPy) return;
  let files, missing;
  try {
    files = runnerPy.imported_sources(); // JS arrays (to_js)
    missing = runnerPy.missing_pycs();
  } catch (err) {
    return;
  }
  if (cacheInfo.snapshot && !missing.length) return;
  post({
    type: "cache-wanted", snapshot: !cacheInfo.snapshot, files,
    packages: Object.keys(pyodide.loadedPackages),
  });
}

/** The boot-cache builder (a separate, short-lived worker started by the page): boots a fresh
 * interpreter in snapshot-making mode, stores its snapshot, then compiles the given site-packages
 * files to hash-checked .pyc files and stores them (merged with the ones already cached). */
async function buildCache(msg) {
  CFG = msg.config;
  const cache = await openBootCache();
  if (!cache) { post({ type: "cache-failed", message: "no Cache Storage here" }); return; }
  const scripts = loadRuntimeScripts([]);
  if (msg.files && msg.files.length) prefetchRunner();
  await scripts;
  const quiet = () => {};
  pyodide = await self.loadPyodide(pyodideOptions({ _makeSnapshot: true, stdout: quiet, stderr: quiet }));
  let pycs = 0;
  if (msg.snapshot) await cache.put("snapshot", pyodide.makeMemorySnapshot());
  mark("snapshot");
  if (msg.files && msg.files.length) {
    await pyodide.loadPackage(msg.packages || [], { messageCallback: quiet, errorCallback: quiet });
    await installRunner();
    const old = await cache.get("pycs");
    const zip = runnerPy.compile_pycs(msg.files, old);
    const bytes = new Uint8Array(zip.toJs ? zip.toJs() : zip); // a copy: the zip's memory is Python's
    pycs = runnerPy.compiled_count();
    await cache.put("pycs", bytes);
    mark("pycs");
  }
  post({ type: "cache-built", snapshot: !!msg.snapshot, pycs, timings: Object.assign({}, timings) });
}

// ---------------------------------------------------------------------------------------------
// Runs and calls

async function loadPackagesFor(code) {
  const errors = [];
  newPhase(0);
  const opts = {
    messageCallback: (msg) => { if (/^Loading /.test(msg)) post({ type: "status", text: msg }); },
    errorCallback: (msg) => errors.push(msg),
  };
  const wanted = runnerPy.packages_for(code);
  if (wanted.length) await pyodide.loadPackage(wanted, opts);
  await pyodide.loadPackagesFromImports(code, opts);
  runnerPy.install_pycs();
  if (errors.length) emit("stderr", errors.join("\n") + "\n");
  if (runnerPy.warm_up_needed(code)) {
    post({ type: "status", text: "Importing matplotlib" });
    runnerPy.warm_up();
  }
}

/** Output state of a request: what it prints goes to the page with its id. */
function capture(id) {
  return { id, limit: CFG.outputLimit || 200000, chars: 0, dropped: 0, segments: [], pending: 0, lastFlush: 0, timer: null };
}

async function handleRun(msg) {
  post({ type: "started", id: msg.id });
  const t0 = performance.now();
  current = capture(msg.id);
  try {
    await loadPackagesFor(msg.code);
    const t1 = performance.now();
    const tb = await runnerPy.run(msg.code);
    flush();
    if (current.dropped) post({ type: "truncated", id: msg.id, dropped: current.dropped });
    const ms = Math.round(performance.now() - t0);
    const prepareMs = Math.round(t1 - t0); // package loading before the code ran
    if (tb) post({ type: "error", id: msg.id, code: "exception", traceback: String(tb), ms, prepareMs });
    else post({ type: "done", id: msg.id, ms, prepareMs });
  } catch (err) {
    flush();
    post({ type: "error", id: msg.id, code: "internal", traceback: String(err && err.message || err) });
  } finally {
    current = null;
  }
  reportCache();
}

/** A call: a plain function runs to its end; a chunked one (runnerPy.is_chunked) runs a slice of
 * chunks at a time and, between two slices, lets the page's messages in, answers the plain calls
 * waiting meanwhile, and gives up if it was cancelled or superseded (see CALLS above). */
async function handleCall(msg) {
  post({ type: "started", id: msg.id });
  current = capture(msg.id); // what the function prints is the call's output
  try {
    const args = pyodide.toPy(msg.args || []), kwargs = pyodide.toPy(msg.kwargs || {});
    let res;
    if (isChunked(msg)) {
      res = await runChunks(msg, args, kwargs);
      if (res === STOPPED) return;
    } else {
      res = runnerPy.call_js(msg.fn, args, kwargs);
    }
    const value = res && res.toJs ? res.toJs({ dict_converter: Object.fromEntries }) : res;
    if (res && res.destroy) res.destroy();
    const transfer = [];
    collectBuffers(value, transfer);
    flush();
    if (current.dropped) post({ type: "truncated", id: msg.id, dropped: current.dropped });
    post({ type: "result", id: msg.id, value }, transfer);
  } catch (err) {
    flush();
    // a Python exception (PythonError) carries its traceback as the message
    const code = err && err.name === "PythonError" ? "exception" : "internal";
    post({ type: "error", id: msg.id, code, traceback: String(err && err.message || err) });
  } finally {
    current = null;
  }
}

const STOPPED = {}; // runChunks' answer when the call was given up

async function runChunks(msg, args, kwargs) {
  const task = runnerPy.ChunkedCall(msg.fn, args, kwargs);
  const state = { msg, stop: null };
  active.set(msg.id, state);
  try {
    let slice = performance.now();
    while (!task.step()) {
      if (performance.now() - slice < SLICE_MS) continue;
      const mine = current;
      flush();
      await pause();
      await answerWaitingCalls();
      current = mine;
      if (state.stop) {
        task.close();
        flush();
        post({ type: "cancelled", id: msg.id, started: true, reason: state.stop });
        return STOPPED;
      }
      slice = performance.now();
    }
    return task.value;
  } finally {
    active.delete(msg.id);
    task.destroy();
  }
}

/** Let the messages that arrived meanwhile in: a macrotask (a MessageChannel round trip, which
 * unlike setTimeout is not clamped to 4 ms when repeated). */
const pauses = new MessageChannel();
const resumes = [];
pauses.port1.onmessage = () => { const resume = resumes.shift(); if (resume) resume(); };
function pause() {
  return new Promise((resolve) => { resumes.push(resolve); pauses.port2.postMessage(null); });
}

function isChunked(msg) {
  if (msg.chunked === undefined) msg.chunked = !!runnerPy.is_chunked(msg.fn);
  return msg.chunked;
}

/** Between two slices of a chunked call: answer the calls of plain functions waiting in the queue
 * (runs and chunked calls wait for the chunked call's end). */
async function answerWaitingCalls() {
  for (;;) {
    const i = queue.findIndex((m) => m.type === "call" && !isChunked(m));
    if (i < 0) return;
    const [msg] = queue.splice(i, 1);
    await handle(msg);
  }
}

function collectBuffers(v, out) {
  if (ArrayBuffer.isView(v)) { if (!out.includes(v.buffer)) out.push(v.buffer); return; }
  if (Array.isArray(v)) { for (const x of v) collectBuffers(x, out); return; }
  if (v && typeof v === "object") for (const k of Object.keys(v)) collectBuffers(v[k], out);
}

// An error that escapes while the runtime boots (Pyodide rejects some failures outside the
// promise of loadPyodide) makes the boot fail instead of hanging.
let booted = false;
function bootFailure(reason) {
  if (booted || failed) return;
  failed = true;
  const own = firstFailure || { code: reason && reason.code || "boot", message: String(reason && reason.message || reason) };
  post({ type: "fatal", code: own.code, message: own.message });
}
let failed = false;
self.addEventListener("unhandledrejection", (e) => { bootFailure(e.reason); });
self.addEventListener("error", (e) => { bootFailure(e.message || e.error); });

// ---------------------------------------------------------------------------------------------
// The queue (see CALLS at the top)

const queue = []; // requests that have not started, in arrival order
const active = new Map(); // id -> {msg, stop}: the chunked calls started and not finished
const SLICE_MS = 15; // a chunked call computes this long between two looks at the messages
let pumping = false;

function enqueue(msg) {
  if (msg.type === "call" && msg.channel != null) supersede(msg.channel);
  queue.push(msg);
  pump();
}

/** A newer call of `channel` arrived: the queued ones of that channel are dropped, a started
 * chunked one stops at its next pause. */
function supersede(channel) {
  for (let i = queue.length - 1; i >= 0; i--) {
    if (queue[i].type !== "call" || queue[i].channel !== channel) continue;
    post({ type: "cancelled", id: queue[i].id, started: false, reason: "superseded" });
    queue.splice(i, 1);
  }
  for (const state of active.values()) if (state.msg.channel === channel) state.stop = "superseded";
}

function cancel(id) {
  const i = queue.findIndex((m) => m.id === id);
  if (i >= 0) {
    queue.splice(i, 1);
    post({ type: "cancelled", id, started: false, reason: "cancelled" });
  } else if (active.has(id)) {
    active.get(id).stop = "cancelled";
  }
}

/** Handle the queued requests one after another, once the runtime is ready. */
async function pump() {
  if (pumping) return;
  pumping = true;
  try {
    while (queue.length) {
      try {
        await ready;
      } catch (err) {
        for (const msg of queue.splice(0)) {
          post({ type: "error", id: msg.id, code: "unavailable", traceback: "The Python runtime could not be loaded." });
        }
        return;
      }
      if (!queue.length) break;  // all cancelled while the runtime was loading
      // Before a call of a channel starts, the messages already sent come in: a newer call of
      // that channel drops it (the page may send one per slider move, faster than we compute).
      if (queue[0].type === "call" && queue[0].channel != null) await pause();
      if (queue.length) await handle(queue.shift());
    }
  } finally {
    pumping = false;
  }
}

/** Handle one request; whatever happens it settles, a failure being reported as an "internal"
 * error of that request, and the next request still runs. */
async function handle(msg) {
  try {
    await (msg.type === "run" ? handleRun(msg) : handleCall(msg));
  } catch (err) {
    current = null;
    post({ type: "error", id: msg.id, code: "internal", traceback: String(err && err.message || err) });
  }
}

self.onmessage = (event) => {
  const msg = event.data;
  if (msg.type === "init") {
    ready = boot(msg.config).then(() => { booted = true; }, (err) => {
      bootFailure(err);
      throw err;
    });
    ready.catch(() => {});
    return;
  }
  if (msg.type === "build-cache") {
    buildCache(msg).then(() => { booted = true; }, (err) => {
      post({ type: "cache-failed", message: String(err && err.message || err) });
    });
    return;
  }
  if (msg.type === "cancel") { cancel(msg.id); return; }
  if (msg.type === "run" || msg.type === "call") enqueue(msg);
};
