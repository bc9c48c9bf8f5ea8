import { memo, useMemo, useState } from "react";
import type { Palette as PaletteData, StepSpec } from "./types";

export const DRAG_TYPE = "application/x-dsmagic-step";

const LABELS: Record<string, string> = {
  source: "Data sources",
  cleaning: "Cleaning",
  preprocessing: "Preprocessing",
  feature_selection: "Feature selection",
  resampling: "Resampling",
  split: "Split",
  model: "Models",
  ensemble: "Ensembles",
  tuning: "Tuning",
  evaluation: "Evaluation",
  output: "Output",
  custom: "Custom code",
};

export function categoryLabel(category: string): string {
  return LABELS[category] ?? category;
}

function PaletteView({ palette, onAdd }: { palette: PaletteData; onAdd: (type: string) => void }) {
  const [query, setQuery] = useState("");
  const [closed, setClosed] = useState<Record<string, boolean>>({});
  const groups = useMemo(() => {
    const words = query.toLowerCase().split(/\s+/).filter(Boolean);
    // Names and descriptions only: a category name ("preprocessing" holds "roc") would
    // list a whole category for a word none of its steps is about.
    // Each word typed starts a word of the step's name, type or description ("roc" finds
    // the ROC curve, not every description that says "process").
    const match = (s: StepSpec) => {
      const text = ` ${`${s.title} ${s.type} ${s.doc}`.toLowerCase().replace(/[^a-z0-9]+/g, " ")}`;
      return words.every((w) => text.includes(` ${w}`));
    };
    return (palette.categories ?? [])
      .map((category) => ({ category, steps: (palette.steps ?? []).filter((s) => s.category === category && match(s)) }))
      .filter((g) => g.steps.length > 0);
  }, [palette, query]);
  return (
    <div className="dsm-canvas-palette">
      <input
        className="dsm-canvas-search"
        type="search"
        placeholder="Search steps"
        aria-label="Search steps"
        value={query}
        onChange={(e) => setQuery(e.target.value)}
      />
      <div className="dsm-canvas-palette-list">
        {groups.length === 0 && <div className="dsm-canvas-empty">No step matches '{query}'.</div>}
        {groups.map(({ category, steps }) => {
          const isClosed = closed[category] && !query;
          return (
            <div key={category} className="dsm-canvas-category" data-category={category}>
              <button
                className="dsm-canvas-category-head"
                onClick={() => setClosed({ ...closed, [category]: !closed[category] })}
                aria-expanded={!isClosed}
              >
                {isClosed ? "▸" : "▾"} {categoryLabel(category)} <span className="dsm-canvas-muted">{steps.length}</span>
              </button>
              {!isClosed &&
                steps.map((s) => (
                  <div
                    key={s.type}
                    className={`dsm-canvas-palette-item${s.custom_code ? " dsm-canvas-node-custom" : ""}`}
                    data-step-type={s.type}
                    draggable
                    tabIndex={0}
                    title={`${s.doc}\n(drag onto the canvas, or double-click)`}
                    onDragStart={(e) => {
                      e.dataTransfer.setData(DRAG_TYPE, s.type);
                      e.dataTransfer.effectAllowed = "copy";
                    }}
                    onDoubleClick={() => onAdd(s.type)}
                    onKeyDown={(e) => e.key === "Enter" && onAdd(s.type)}
                  >
                    {s.title}
                    {s.custom_code && <span className="dsm-canvas-badge-custom">custom code</span>}
                  </div>
                ))}
            </div>
          );
        })}
      </div>
    </div>
  );
}

/** Memoised: it only changes with the catalog, not on every drag frame. */
export const Palette = memo(PaletteView);
