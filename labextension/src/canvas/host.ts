import { useSyncExternalStore } from "react";
import type { CanvasState, Host } from "./types";

/** The minimal anywidget model surface used here. */
export interface AnyModel {
  get(key: string): any;
  on(event: string, callback: (...args: any[]) => void): void;
  off(event: string, callback: (...args: any[]) => void): void;
  send(content: any): void;
}

const TIMEOUT_MS = 120_000;

/** A Host over an anywidget model: traits in, custom messages out with replies. */
/** Traits the kernel sends as JSON text (see _AS_TEXT in dsmagic/widget/_canvas.py). */
const AS_TEXT = new Set(["graph", "palette", "issues"]);

export function modelHost(model: AnyModel): Host & { dispose(): void } {
  let next = 1;
  // Parse each text once, and return the same object until it changes (React compares).
  const parsed = new Map<string, { raw: unknown; value: unknown }>();
  const read = (key: string) => {
    const raw = model.get(key);
    if (!AS_TEXT.has(key) || typeof raw !== "string") return raw;
    const hit = parsed.get(key);
    if (hit && hit.raw === raw) return hit.value;
    const value = JSON.parse(raw);
    parsed.set(key, { raw, value });
    return value;
  };
  const pending = new Map<number, { resolve: (v: any) => void; reject: (e: Error) => void }>();
  const onMessage = (content: any) => {
    if (!content || content.type !== "reply") return;
    const waiting = pending.get(content.id);
    if (!waiting) return;
    pending.delete(content.id);
    if (content.ok) waiting.resolve(content.result);
    else waiting.reject(new Error(content.error || "request failed"));
  };
  model.on("msg:custom", onMessage);
  return {
    get: (key) => read(key) as any,
    subscribe(key, callback) {
      const event = `change:${key}`;
      model.on(event, callback);
      return () => model.off(event, callback);
    },
    call(op, args = {}) {
      const id = next++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        model.send({ ...args, op, id });
        setTimeout(() => {
          if (pending.delete(id)) reject(new Error(`no answer from the kernel to '${op}'; is it running?`));
        }, TIMEOUT_MS);
      });
    },
    dispose() {
      model.off("msg:custom", onMessage);
      pending.clear();
    },
  };
}

export function useTrait<K extends keyof CanvasState>(host: Host, key: K): CanvasState[K] {
  return useSyncExternalStore(
    (callback) => host.subscribe(key, callback),
    () => host.get(key),
  );
}
