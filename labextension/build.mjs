// Bundles the anywidget entry (src/widget.tsx) into one ESM file and one CSS file in
// dsmagic/static/. Usage: node build.mjs [--production] [--watch]
import * as esbuild from "esbuild";
import { mkdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const outdir = join(here, "..", "dsmagic", "static");
const production = process.argv.includes("--production");
const watch = process.argv.includes("--watch");
mkdirSync(outdir, { recursive: true });

const options = {
  entryPoints: { canvas: join(here, "src", "widget.tsx") },
  outdir,
  bundle: true,
  format: "esm",
  target: "es2020",
  jsx: "automatic",
  minify: production,
  sourcemap: production ? false : "inline",
  define: { "process.env.NODE_ENV": JSON.stringify(production ? "production" : "development") },
  loader: { ".css": "css" },
  logLevel: "warning",
  legalComments: "none",
};

if (watch) {
  const context = await esbuild.context(options);
  await context.watch();
  console.log(`watching; writing ${outdir}`);
} else {
  await esbuild.build(options);
  for (const name of ["canvas.js", "canvas.css"]) {
    const size = statSync(join(outdir, name)).size;
    console.log(`${name}: ${(size / 1024).toFixed(1)} KiB`);
  }
}
