// Run pytest inside Pyodide 0.27.7 under Node (driven by tests/pyodide/test_pyodide_suite.py).
//
//   node run_pytest.mjs --pyodide DIR --wheels DIR --repo DIR [--] PYTEST_ARGS...
//
// DIR of --pyodide: the self-hosted runtime (scripts/fetch_pyodide.py); numpy and matplotlib are
// loaded from it with loadPackage, and any error message it reports is a failure (a missing
// wheel makes Pyodide try the CDN and fail without throwing). Every *.whl in --wheels (pytest and
// its dependencies, hypothesis, the optdocs wheel built from the checkout) is unpacked into
// site-packages. The repository is mounted read-only-by-convention at /repo, the working
// directory is /tmp/work (in memory), and the exit code is pytest's.
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const args = process.argv.slice(2);
const opts = { pytest: [] };
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === "--") { opts.pytest.push(...args.slice(i + 1)); break; }
  if (a === "--pyodide" || a === "--wheels" || a === "--repo") opts[a.slice(2)] = path.resolve(args[++i]);
  else opts.pytest.push(a);
}
for (const k of ["pyodide", "wheels", "repo"]) {
  if (!opts[k]) { console.error(`run_pytest.mjs: --${k} is required`); process.exit(2); }
}

const t0 = Date.now();
const { loadPyodide } = await import(pathToFileURL(path.join(opts.pyodide, "pyodide.mjs")).href);
const pyodide = await loadPyodide({
  indexURL: opts.pyodide + path.sep,
  stdout: (s) => process.stdout.write(s + "\n"),
  stderr: (s) => process.stderr.write(s + "\n"),
  env: { MPLBACKEND: "Agg", HOME: "/home/pyodide" },
});
const errors = [];
await pyodide.loadPackage(["numpy", "matplotlib", "packaging", "micropip"], {
  messageCallback: () => {},
  errorCallback: (msg) => errors.push(msg),
});
if (errors.length) {
  console.error("run_pytest.mjs: loadPackage reported errors:\n" + errors.join("\n"));
  process.exit(3);
}
const site = pyodide.runPython("import site; site.getsitepackages()[0]");
const wheels = fs.readdirSync(opts.wheels).filter((f) => f.endsWith(".whl")).sort();
for (const w of wheels) {
  const b = fs.readFileSync(path.join(opts.wheels, w)); // unpackArchive wants a plain ArrayBuffer
  pyodide.unpackArchive(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength), "wheel", { extractDir: site });
}
pyodide.FS.mkdirTree("/repo");
pyodide.mountNodeFS("/repo", opts.repo);
pyodide.FS.mkdirTree("/tmp/work");
console.log(`run_pytest.mjs: Pyodide ${pyodide.version} ready in ${Date.now() - t0} ms; wheels: ${wheels.join(", ")}`);

pyodide.globals.set("PYTEST_ARGS", pyodide.toPy(opts.pytest));
const code = await pyodide.runPythonAsync(`
import os, sys
os.chdir("/tmp/work")
import optdocs
print("optdocs imported from", os.path.dirname(optdocs.__file__))
assert not optdocs.__file__.startswith("/repo"), "tests must import the installed wheel"
import pytest
rc = int(pytest.main(["-p", "no:cacheprovider", "--capture=sys", *PYTEST_ARGS]))
sys.stdout.flush(); sys.stderr.flush()
rc
`);
process.exitCode = code;
