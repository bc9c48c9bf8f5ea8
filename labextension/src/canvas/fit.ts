// Fitting the graph in view at a zoom where it can still be read.
import { useCallback, useEffect, useRef, useState, type RefObject } from "react";
import { useReactFlow, type Node } from "@xyflow/react";

/** Node titles are 13 px (canvas.css): at this zoom they are at least 11 px on screen. */
export const READABLE_ZOOM = 0.85;
const MAX_FIT_ZOOM = 1.2;
const MARGIN = 24; // screen px around the graph

export interface AutoFit {
  /** Fit now (the Fit button, Auto-layout, a template). */
  fit: (duration?: number) => void;
  /** Fit as soon as the next graph is drawn and measured. */
  fitWhenDrawn: () => void;
  /** The user took over the view (panned, zoomed, dropped a step): stop fitting by itself. */
  release: () => void;
}

/** The size of an element, kept current with a ResizeObserver. */
export function useSize(ref: RefObject<HTMLElement>): { width: number; height: number } {
  const [size, setSize] = useState({ width: 0, height: 0 });
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const observer = new ResizeObserver(() => {
      const { width, height } = el.getBoundingClientRect();
      setSize((s) => (s.width === width && s.height === height ? s : { width, height }));
    });
    observer.observe(el);
    return () => observer.disconnect();
  }, [ref]);
  return size;
}

const measured = (nodes: Node[]) => nodes.every((n) => (n.measured?.width ?? 0) > 0 && (n.measured?.height ?? 0) > 0);

/**
 * The view fits the graph once the pane has its real size and every step is measured
 * (not before: in JupyterLab the output area gets its width after the first render), and
 * again whenever the pane is resized, until the user moves the view themself. The zoom
 * never goes below READABLE_ZOOM: a graph too big for that is shown from its first
 * (leftmost) step and the user pans to the rest.
 */
export function useAutoFit(pane: RefObject<HTMLElement>, nodes: Node[]): AutoFit {
  const flow = useReactFlow();
  const size = useSize(pane);
  const auto = useRef(true);
  const pending = useRef(false);
  const nodesRef = useRef(nodes);
  nodesRef.current = nodes;

  const fit = useCallback(
    (duration = 0) => {
      const shown = nodesRef.current.filter((n) => !n.hidden);
      const el = pane.current;
      if (!shown.length || !el) return;
      const { width, height } = el.getBoundingClientRect();
      if (width <= 0 || height <= 0) return;
      const box = flow.getNodesBounds(shown);
      const room = { width: Math.max(width - 2 * MARGIN, 1), height: Math.max(height - 2 * MARGIN, 1) };
      const best = Math.min(room.width / Math.max(box.width, 1), room.height / Math.max(box.height, 1));
      const zoom = Math.min(Math.max(best, READABLE_ZOOM), MAX_FIT_ZOOM);
      const fitsX = box.width * zoom <= room.width;
      const fitsY = box.height * zoom <= room.height;
      const x = fitsX ? (width - box.width * zoom) / 2 - box.x * zoom : MARGIN - box.x * zoom;
      const y = fitsY ? (height - box.height * zoom) / 2 - box.y * zoom : MARGIN - box.y * zoom;
      void flow.setViewport({ x, y, zoom }, duration ? { duration } : undefined);
    },
    [flow, pane],
  );

  // Fit when the pane has a size and the steps are measured; refit on resize while the
  // view is still the canvas' own.
  useEffect(() => {
    if (size.width <= 0 || size.height <= 0) return;
    if (!nodes.length) {
      // An empty canvas: the first dropped step must not move the view.
      if (!pending.current) auto.current = false;
      return;
    }
    if (!measured(nodes)) return;
    if (auto.current || pending.current) {
      pending.current = false;
      fit();
    }
  }, [size, nodes, fit]);

  const fitWhenDrawn = useCallback(() => {
    pending.current = true;
  }, []);
  const release = useCallback(() => {
    auto.current = false;
  }, []);
  return { fit, fitWhenDrawn, release };
}
