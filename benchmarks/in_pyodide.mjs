// Run an optdocs benchmark inside Pyodide 0.27.7 under Node, the runtime the pages use.
//
//   node benchmarks/in_pyodide.mjs [--pyodide .cache/pyodide] [--packages numpy,matplotlib] -- MODULE [ARGS...]
//
// e.g. `node benchmarks/in_pyodide.mjs -- optdocs.bench --tiny`. The checkout's `optdocs`
// folder is mounted at /repo and put first on sys.path, numpy (and the other --packages) come
// from the self-hosted runtime (scripts/fetch_pyodide.py), and MODULE runs as
// `python -m MODULE ARGS` would. Figures are wall time (Pyodide has no process clock); compare
// them with the same benchmark under CPython.
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
let dir = path.join(repo, ".cache", "pyodide");
const at = args.indexOf("--");
if (at < 0 || at + 1 >= args.length) {
  console.error("usage: node benchmarks/in_pyodide.mjs [--pyodide DIR] [--packages A,B] -- MODULE [ARGS...]");
  process.exit(2);
}
const pre = args.slice(0, at);
let packages = ["numpy"];
for (let i = 0; i < pre.length; i += 2) {
  if (pre[i] === "--pyodide") dir = path.resolve(pre[i + 1]);
  else if (pre[i] === "--packages") packages = pre[i + 1].split(",");
  else { console.error(`in_pyodide.mjs: unknown option ${pre[i]}`); process.exit(2); }
}
const [module, ...rest] = args.slice(at + 1);

const { loadPyodide } = await import(pathToFileURL(path.join(dir, "pyodide.mjs")).href);
const pyodide = await loadPyodide({
  indexURL: dir + path.sep,
  stdout: (s) => process.stdout.write(s + "\n"),
  stderr: (s) => process.stderr.write(s + "\n"),
});
const errors = [];
await pyodide.loadPackage(packages, { messageCallback: () => {}, errorCallback: (m) => errors.push(m) });
if (errors.length) {
  console.error("in_pyodide.mjs: loadPackage reported errors:\n" + errors.join("\n"));
  process.exit(3);
}
pyodide.FS.mkdirTree("/repo");
pyodide.mountNodeFS("/repo", repo);
pyodide.globals.set("ARGV", pyodide.toPy([module, ...rest]));
const code = await pyodide.runPythonAsync(`
import runpy, sys
sys.path.insert(0, "/repo")
sys.argv = list(ARGV)
print(f"Pyodide {sys.version.split()[0]} ({sys.platform}), numpy", __import__("numpy").__version__)
try:
    runpy.run_module(sys.argv[0], run_name="__main__", alter_sys=True)
    rc = 0
except SystemExit as e:
    rc = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
rc
`);
process.exitCode = code;
