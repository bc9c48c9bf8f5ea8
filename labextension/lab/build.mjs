// Builds the prebuilt JupyterLab extension into dsmagic/labextension/ (shipped in the
// wheel's shared data as share/jupyter/labextensions/dsmagic). Installs its npm packages
// from package-lock.json first when they are missing or older than the lock file.
// Usage: node build.mjs [--development]
import { execFileSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const npm = process.platform === "win32" ? "npm.cmd" : "npm";
const run = (command, args) => execFileSync(command, args, { cwd: here, stdio: "inherit" });

const installed = join(here, "node_modules", ".package-lock.json");
if (!existsSync(installed) || statSync(installed).mtimeMs < statSync(join(here, "package-lock.json")).mtimeMs) {
  run(npm, ["ci", "--no-audit", "--no-fund"]);
}
run(process.execPath, [join(here, "node_modules", "typescript", "bin", "tsc")]);
const builder = join(here, "node_modules", "@jupyter", "builder", "lib", "build-labextension.js");
const core = join(here, "node_modules", "@jupyterlab", "core-meta", "core.package.json");
const mode = process.argv.includes("--development") ? ["--development"] : [];
run(process.execPath, [builder, "--core-package-file", core, ...mode, "."]);
