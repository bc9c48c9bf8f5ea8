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
    const spec = themed(element, JSON.parse(source.textContent ?? "{}") as TopLevelSpec);
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

/** No white box: a transparent background, and text and lines in the page's theme
 * colours (JupyterLab's --jp-* variables) where there are any. */
function themed(element: HTMLElement, spec: TopLevelSpec): TopLevelSpec {
  const css = getComputedStyle(element);
  const color = (name: string) => css.getPropertyValue(name).trim() || undefined;
  const [text, muted, line] = [color("--jp-ui-font-color1"), color("--jp-ui-font-color2"), color("--jp-border-color2")];
  const config = (spec.config ?? {}) as Record<string, Record<string, unknown> | undefined>;
  const set = (base: Record<string, unknown> | undefined, extra: Record<string, string | undefined>) => ({
    ...base,
    ...Object.fromEntries(Object.entries(extra).filter(([, v]) => v !== undefined)),
  });
  const axis = set(config.axis, { labelColor: muted, titleColor: muted, domainColor: line, tickColor: line, gridColor: line });
  const legend = set(config.legend, { labelColor: muted, titleColor: muted });
  const title = set(config.title, { color: text });
  return { ...spec, config: { ...config, background: "transparent", axis, legend, title } } as TopLevelSpec;
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
