// Compile, at site-build time, the .pyc files a first Run needs: every site-packages module that
// `import numpy` and `import optdocs` load, compiled by Pyodide's own CPython (3.12) under Node,
// as hash-checked .pyc files (Python compares each with its source at import, so a stale one is
// recompiled, never run). Called by hooks/pyodide.py; the worker installs them next to their
// sources, which saves compiling numpy's ~80 modules (about 0.2 s) on a reader's first Run.
//
//   node scripts/compile_pycs.mjs --pyodide DIR --wheel OPTDOCS.whl --out PYCS.zip
//
// DIR: a self-hosted runtime folder (scripts/fetch_pyodide.py), whose numpy wheel is the one
// every reader gets (same sha256 in pyodide-lock.json). The zip is deterministic.
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const args = process.argv.slice(2);
const opts = {};
for (let i = 0; i < args.length; i += 2) opts[args[i].replace(/^--/, "")] = path.resolve(args[i + 1]);
for (const k of ["pyodide", "wheel", "out"]) {
  if (!opts[k]) { console.error(`compile_pycs.mjs: --${k} is required`); process.exit(2); }
}

const { loadPyodide } = await import(pathToFileURL(path.join(opts.pyodide, "pyodide.mjs")).href);
const pyodide = await loadPyodide({ indexURL: opts.pyodide + path.sep, stdout: () => {}, stderr: () => {} });
const errors = [];
await pyodide.loadPackage(["numpy"], { messageCallback: () => {}, errorCallback: (m) => errors.push(m) });
if (errors.length) {
  console.error("compile_pycs.mjs: " + errors.join("\n"));
  process.exit(3);
}
const site = pyodide.runPython("import site; site.getsitepackages()[0]");
const wheel = fs.readFileSync(opts.wheel);
pyodide.unpackArchive(wheel.buffer.slice(wheel.byteOffset, wheel.byteOffset + wheel.byteLength), "wheel",
  { extractDir: site });
const zip = pyodide.runPython(`
import io, os, py_compile, site, sys, zipfile
import numpy, optdocs  # noqa: F401  (what a first cell imports)

root = site.getsitepackages()[0] + "/"
files = sorted({m.__file__[len(root):] for m in list(sys.modules.values())
                if isinstance(getattr(m, "__file__", None), str)
                and m.__file__.startswith(root) and m.__file__.endswith(".py")})
out = io.BytesIO()
with zipfile.ZipFile(out, "w") as z:
    for rel in files:
        py_compile.compile(root + rel, cfile="/tmp/x.pyc", dfile=root + rel, doraise=True,
                           invalidation_mode=py_compile.PycInvalidationMode.CHECKED_HASH)
        info = zipfile.ZipInfo(rel, date_time=(1980, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        with open("/tmp/x.pyc", "rb") as f:
            z.writestr(info, f.read())
out.getvalue()
`);
fs.writeFileSync(opts.out, zip.toJs());
console.log(`compile_pycs.mjs: ${opts.out}: ${zip.length} bytes`);
