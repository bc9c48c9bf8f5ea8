// Draws the charts of dsmagic's EDA report in the browser with Vega-Lite. The report
// embeds this bundle once per page (no CDN, works offline) and, for each chart, a
// <div class="dsm-chart"> holding its Vega-Lite spec as JSON next to a text fallback
// that stays in place wherever scripts do not run.
import { parse, View } from "vega";
import { compile, type TopLevelSpec } from "vega-lite";

const DRAWN = "data-drawn";

function draw(element: HTMLElement): void {
  const source = element.querySelector('script[type="application/json"]');
  if (source === null) return;
  element.setAttribute(DRAWN, "1");
  try {
    const spec = JSON.parse(source.textContent ?? "{}") as TopLevelSpec;
    const target = document.createElement("div");
    const view = new View(parse(compile(spec).spec), { renderer: "svg", hover: true });
    view
      .initialize(target)
      .runAsync()
      .then(() => {
        element.querySelector(".dsm-chart-text")?.remove();
        element.appendChild(target);
      })
      .catch((error: unknown) => fail(element, error));
  } catch (error) {
    fail(element, error);
  }
}

function fail(element: HTMLElement, error: unknown): void {
  const note = document.createElement("div");
  note.className = "dsm-muted";
  note.textContent = `chart not drawn: ${String(error)}`;
  element.appendChild(note);
}

/** Draws every chart under ``root`` not drawn yet (a re-rendered output draws again). */
export function drawAll(root: ParentNode = document): void {
  root.querySelectorAll<HTMLElement>(`div.dsm-chart:not([${DRAWN}])`).forEach(draw);
}

declare global {
  interface Window {
    dsmagicCharts?: { drawAll: typeof drawAll };
  }
}

window.dsmagicCharts = { drawAll };
