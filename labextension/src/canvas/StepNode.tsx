import { memo, useEffect } from "react";
import { Handle, Position, useUpdateNodeInternals, type NodeProps, type Node } from "@xyflow/react";
import type { Light, PortSpec, StepData, StepSpec } from "./types";

export interface StepNodeData extends Record<string, unknown> {
  step: StepData;
  spec: StepSpec | undefined;
  light: Light;
  messages: string[];
  mark: "" | "added" | "changed" | "removed";
}

export type StepFlowNode = Node<StepNodeData, "step">;

export const LIGHT_LABELS: Record<Light, string> = {
  unconfigured: "not configured",
  ready: "ready",
  queued: "queued",
  running: "running",
  done: "done",
  failed: "failed",
  cached: "cached",
};

const PORT_GAP = 22;
const PORT_TOP = 46;

function ports(list: PortSpec[], kind: "target" | "source") {
  return list.map((port, index) => (
    <Handle
      key={port.name}
      id={port.name}
      type={kind}
      position={kind === "target" ? Position.Left : Position.Right}
      className={`dsm-canvas-port dsm-canvas-port-${port.type}`}
      style={{ top: PORT_TOP + index * PORT_GAP }}
      title={`${port.name}: ${port.type}${port.required ? "" : " (optional)"}${port.doc ? ` - ${port.doc}` : ""}`}
      data-port-type={port.type}
    >
      <span className={`dsm-canvas-port-label dsm-canvas-port-label-${kind}`}>{port.name}</span>
    </Handle>
  ));
}

function StepNodeView({ id, data, selected }: NodeProps<StepFlowNode>) {
  const { step, spec, light, messages, mark } = data;
  // React Flow measures a node's ports (handle bounds) when it first sizes the node; a step
  // dropped while the canvas is busy could be sized before its ports were in the page, and
  // then its edges were never drawn and its ports never reacted. Measure them again once
  // they are mounted, and whenever the ports change.
  const update = useUpdateNodeInternals();
  const portKey = spec && mark !== "removed" ? [...spec.inputs, ...spec.outputs].map((p) => p.name).join(",") : "";
  useEffect(() => {
    update(id);
    const frame = requestAnimationFrame(() => update(id));
    return () => cancelAnimationFrame(frame);
  }, [id, portKey, update]);
  const rows = Math.max(spec?.inputs.length ?? 0, spec?.outputs.length ?? 0, 1);
  const tip = [`${LIGHT_LABELS[light]}`, ...messages].join("\n");
  const classes = [
    "dsm-canvas-node",
    selected ? "dsm-canvas-node-selected" : "",
    mark ? `dsm-canvas-node-${mark}` : "",
    spec?.custom_code ? "dsm-canvas-node-custom" : "",
    spec ? "" : "dsm-canvas-node-unknown",
  ].join(" ");
  return (
    <div className={classes} style={{ minHeight: PORT_TOP + rows * PORT_GAP }} data-step={step.id}>
      <div className="dsm-canvas-node-head" title={tip}>
        <span className={`dsm-canvas-light dsm-canvas-light-${light}`} data-status={light} aria-label={LIGHT_LABELS[light]} />
        <span className="dsm-canvas-node-title">{spec?.title ?? step.type}</span>
        {messages.length > 0 && <span className="dsm-canvas-node-count">{messages.length}</span>}
      </div>
      <div className="dsm-canvas-node-id">
        {step.id}
        {spec?.custom_code && <span className="dsm-canvas-badge-custom" title="runs code written by hand">custom code</span>}
      </div>
      {spec && mark !== "removed" && ports(spec.inputs, "target")}
      {spec && mark !== "removed" && ports(spec.outputs, "source")}
    </div>
  );
}

export const StepNode = memo(StepNodeView);
