// Bundles the anywidget entry (src/widget.tsx) into one ESM file and one CSS file, and
// the EDA report's chart renderer (src/eda-charts.ts, Vega-Lite) into one classic script
// that the report inlines, all in dsmagic/static/.
// Usage: node build.mjs [--production] [--watch]
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

// A classic script (not a module): the report inlines it in a <script> tag, and
// notebook front ends run inline classic scripts in trusted outputs.
const charts = {
  ...options,
  entryPoints: { "eda-charts": join(here, "src", "eda-charts.ts") },
  format: "iife",
  minify: true,
  sourcemap: false,
};

if (watch) {
  const contexts = [await esbuild.context(options), await esbuild.context(charts)];
  await Promise.all(contexts.map((context) => context.watch()));
  console.log(`watching; writing ${outdir}`);
} else {
  await Promise.all([esbuild.build(options), esbuild.build(charts)]);
  for (const name of ["canvas.js", "canvas.css", "eda-charts.js"]) {
    const size = statSync(join(outdir, name)).size;
    console.log(`${name}: ${(size / 1024).toFixed(1)} KiB`);
  }
}
