/* optdocs runnable cells: the boot cache, so that a reader's later visits start Python fast.
 * Loaded by worker.js (importScripts); see the BOOT CACHE section at the top of worker.js.
 *
 * Two entries live in the origin's Cache Storage (cache "optdocs-runtime"):
 *   snapshot  the memory of a freshly started interpreter (Pyodide's makeMemorySnapshot, about
 *             21 MB): restoring it skips starting CPython, about 1 s on a 2-core machine.
 *   pycs      a zip of hash-checked .pyc files for the site-packages modules cells imported
 *             (numpy, optdocs, matplotlib ...): Pyodide's wheels hold only .py files, so every
 *             page load would otherwise compile them again (about 0.3 s for numpy alone);
 *             and matplotlib's font list, which it cannot save in Pyodide (0.2 s to rebuild).
 * Both are made by a separate short-lived worker (buildCache in worker.js), after the reader's first
 * Run, so that the reader's own interpreter never runs with Pyodide's snapshot-making mode on.
 *
 * Keys. The snapshot key is a hash of the runtime files' integrity hashes and of the interpreter's
 * environment, so a new runtime or a changed environment misses; Pyodide also refuses a snapshot
 * of another build. A .pyc is used only if the hash of its source matches (Python checks it at
 * import), so a stale one is recompiled, never run. Entries of other keys are deleted on write.
 *
 * Damage. Each entry carries the SHA-256 of its bytes (header X-Optdocs-Sha256), checked on every
 * read: an entry that does not match (truncated, edited) is deleted and reads as a miss. This
 * matters for the snapshot: Pyodide does not reject a too-short one, its wasm instantiation fails
 * and loadPyodide never settles. (Anything that can write this origin's Cache Storage can also run
 * script on it, so the hash is a check against damage, not a signature.)
 */
"use strict";

const BootCache = (() => {
  const NAME = "optdocs-runtime";

  const HASH_HEADER = "X-Optdocs-Sha256";

  async function sha256hex(bytes) {
    const buf = await crypto.subtle.digest("SHA-256", bytes);
    return [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, "0")).join("");
  }

  /** The cache of this runtime configuration, or null where Cache Storage or crypto.subtle is
   * unavailable (plain http on another host than localhost, opaque origins). */
  async function open(cfg, env) {
    try {
      if (!self.caches || !self.crypto || !self.crypto.subtle || cfg.bootCache === false) return null;
      const key = (await sha256hex(new TextEncoder().encode(JSON.stringify({
        version: cfg.version, integrity: cfg.integrity, env,
      })))).slice(0, 24);
      const cache = await caches.open(NAME);
      const url = (kind, k) => new URL(`optdocs-boot-cache/${kind}-${k}`, cfg.bootCache).href;
      return {
        async get(kind) {
          try {
            const resp = await cache.match(url(kind, key));
            if (!resp) return null;
            const bytes = new Uint8Array(await resp.arrayBuffer());
            if (resp.headers.get(HASH_HEADER) === await sha256hex(bytes)) return bytes;
            await this.remove(kind);
            return null;
          } catch (err) {
            return null;
          }
        },
        async put(kind, bytes) {
          await cache.put(url(kind, key), new Response(bytes, {
            headers: { "Content-Type": "application/octet-stream", [HASH_HEADER]: await sha256hex(bytes) },
          }));
          // entries of the same kind under other keys belong to another runtime: drop them
          for (const req of await cache.keys()) {
            if (req.url.startsWith(url(kind, "")) && req.url !== url(kind, key)) await cache.delete(req);
          }
        },
        async remove(kind) {
          try { await cache.delete(url(kind, key)); } catch (err) { /* nothing to drop */ }
        },
      };
    } catch (err) {
      return null;
    }
  }

  return { open };
})();
