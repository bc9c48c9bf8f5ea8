import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, type DragEvent, type KeyboardEvent } from "react";
import {
  Background,
  ControlButton,
  Controls,
  MiniMap,
  ReactFlow,
  ReactFlowProvider,
  applyEdgeChanges,
  applyNodeChanges,
  useKeyPress,
  useReactFlow,
  type Connection,
  type Edge,
  type EdgeChange,
  type FinalConnectionState,
  type NodeChange,
} from "@xyflow/react";
import { useTrait } from "./host";
import { useAutoFit, useSize } from "./fit";
import { DRAG_TYPE, Palette } from "./Palette";
import { ParamForm } from "./ParamForm";
import { ExportPanel, IssuesPanel, RunPanel, VersionsPanel } from "./panels";
import { LIGHT_LABELS, StepNode, type StepFlowNode, type StepNodeData } from "./StepNode";
import type { EdgeData, Host, Issue, Light, StepData, StepSpec } from "./types";

const nodeTypes = { step: StepNode };
// Above this many steps only the steps in view are in the page: big graphs stay quick.
const BIG_GRAPH = 150;
const MINIMAP_STYLE = { width: 150, height: 100 };
// Steps are this big before React Flow measures them (canvas.css .dsm-canvas-node).
const NODE_SIZE = { width: 180, height: 80 };
// Below this widget width the side panels start collapsed: the graph gets the room.
const NARROW = 760;
// A narrower pane has no room to spare for the minimap.
const MINIMAP_ROOM = 600;
const PRO = { hideAttribution: true };
const miniClass = (n: { data: unknown }) => `dsm-canvas-mini-${(n.data as StepNodeData).light}`;
const RUN_LIGHTS = new Set(["queued", "running", "done", "failed", "cached"]);
type Tab = "step" | "issues" | "versions" | "export" | "run";

export function edgeId(e: EdgeData): string {
  return `${e.source}.${e.source_port}->${e.target}.${e.target_port}`;
}

function useDarkTheme(): boolean {
  const read = () => document.body.dataset.jpThemeLight === "false";
  const [dark, setDark] = useState(read);
  useEffect(() => {
    const observer = new MutationObserver(() => setDark(read()));
    observer.observe(document.body, { attributes: true, attributeFilter: ["data-jp-theme-light"] });
    return () => observer.disconnect();
  }, []);
  return dark;
}

interface Clip {
  steps: Record<string, { type: string; params: Record<string, unknown>; note: string; position: [number, number] }>;
  edges: EdgeData[];
}

function Editor({ host }: { host: Host }) {
  const graph = useTrait(host, "graph");
  const palette = useTrait(host, "palette");
  const issues = useTrait(host, "issues");
  const run = useTrait(host, "run_status");
  const canUndo = useTrait(host, "can_undo");
  const canRedo = useTrait(host, "can_redo");
  const diff = useTrait(host, "diff");
  const path = useTrait(host, "path");
  const autosave = useTrait(host, "autosave");
  const dirty = useTrait(host, "dirty");
  const loadError = useTrait(host, "load_error");
  const saveError = useTrait(host, "save_error");
  const height = useTrait(host, "height");
  const dark = useDarkTheme();
  const flow = useReactFlow();
  const root = useRef<HTMLDivElement>(null);
  const [tab, setTab] = useState<Tab>("step");
  const [message, setMessage] = useState<{ text: string; kind: "error" | "info" } | null>(null);
  const clip = useRef<Clip | null>(null);
  const clipHeight = useRef(NODE_SIZE.height);
  const pastes = useRef(0);
  const pane = useRef<HTMLDivElement>(null);
  const rootSize = useSize(root);
  const paneSize = useSize(pane);
  const [panels, setPanels] = useState({ palette: true, side: true, decided: false });
  useEffect(() => {
    // Decided once, at the first real width: a narrow widget starts with the graph alone.
    if (panels.decided || rootSize.width <= 0) return;
    const wide = rootSize.width >= NARROW;
    setPanels({ palette: wide, side: wide, decided: true });
  }, [rootSize, panels.decided]);
  const metaPressed = useKeyPress("Meta");

  const specs = useMemo(() => new Map((palette.steps ?? []).map((s) => [s.type, s] as [string, StepSpec])), [palette]);
  const stepsById = useMemo(() => new Map((graph.steps ?? []).map((s) => [s.id, s] as [string, StepData])), [graph]);
  const issuesByStep = useMemo(() => {
    const map = new Map<string, Issue[]>();
    for (const issue of issues) if (issue.step) map.set(issue.step, [...(map.get(issue.step) ?? []), issue]);
    return map;
  }, [issues]);

  const say = useCallback((text: string, kind: "error" | "info" = "error") => setMessage({ text, kind }), []);
  const call = useCallback(
    async (op: string, args: Record<string, unknown> = {}) => {
      try {
        return await host.call(op, args);
      } catch (e) {
        say((e as Error).message);
        return undefined;
      }
    },
    [host, say],
  );
  useEffect(() => {
    if (!message) return;
    const timer = setTimeout(() => setMessage(null), message.kind === "error" ? 8000 : 3000);
    return () => clearTimeout(timer);
  }, [message]);

  // -- nodes and edges: rebuilt from the kernel's graph, keeping selection ---------------
  const [nodes, setNodes] = useState<StepFlowNode[]>([]);
  const [edges, setEdges] = useState<Edge[]>([]);
  const cache = useRef(new Map<string, { key: string; data: StepNodeData }>());
  // Before paint: the first frame already has the steps.
  useLayoutEffect(() => {
    const added = new Set(diff.steps_added ?? []);
    const changed = new Set((diff.steps_changed ?? []).map((c) => c.step));
    const runSteps = run.steps ?? {};
    const runErrors = run.errors ?? {};
    setNodes((current) => {
      // Keep each node object that did not change: React Flow then keeps its measured
      // size and skips it, so an edit costs one node's work, not all of them.
      const previous = new Map(current.map((n) => [n.id, n]));
      const next = new Map<string, { key: string; data: StepNodeData }>();
      const built = (graph.steps ?? []).map((step): StepFlowNode => {
        const stepIssues = issuesByStep.get(step.id) ?? [];
        const errors = stepIssues.filter((i) => i.severity === "error");
        const ran = runSteps[step.id];
        const light: Light = ran && RUN_LIGHTS.has(ran) ? (ran as Light) : errors.length ? "unconfigured" : "ready";
        const messages = stepIssues.map((i) => `${i.severity}: ${i.message}`);
        if (runErrors[step.id]) messages.unshift(`run: ${runErrors[step.id]}`);
        const mark = added.has(step.id) ? "added" : changed.has(step.id) ? "changed" : "";
        const key = JSON.stringify([step.type, step.params, step.note, light, messages, mark, specs.has(step.type)]);
        const old = cache.current.get(step.id);
        const data = old && old.key === key ? old.data : ({ step, spec: specs.get(step.type), light, messages, mark } as StepNodeData);
        next.set(step.id, { key, data });
        const before = previous.get(step.id);
        const [x, y] = step.position;
        if (before && before.data === data && before.position.x === x && before.position.y === y) return before;
        if (before) return { ...before, data, position: { x, y } };
        return { id: step.id, type: "step", position: { x, y }, data };
      });
      cache.current = next;
      // Steps a diff says were removed: ghosts where they were, not editable.
      for (const gone of diff.removed ?? []) {
        built.push({
          id: `removed:${gone.id}`,
          type: "step",
          position: { x: gone.position[0], y: gone.position[1] },
          data: { step: gone, spec: specs.get(gone.type), light: "ready", messages: [`removed since ${diff.old}`], mark: "removed" },
          draggable: false,
          selectable: false,
          connectable: false,
          deletable: false,
        });
      }
      return built;
    });
    setEdges((current) => {
      const previous = new Map(current.map((e) => [e.id, e]));
      return (graph.edges ?? []).map((e) => {
        const id = edgeId(e);
        const className = runSteps[e.source] === "running" || runSteps[e.target] === "running" ? "dsm-canvas-edge-live" : undefined;
        const before = previous.get(id);
        if (before && before.className === className) return before;
        return {
          ...(before ?? {}),
          id,
          source: e.source,
          target: e.target,
          sourceHandle: e.source_port,
          targetHandle: e.target_port,
          className,
          data: e as unknown as Record<string, unknown>,
        };
      });
    });
  }, [graph, issuesByStep, run, diff, specs]);

  const { fit, fitWhenDrawn, release } = useAutoFit(pane, nodes);
  // Focus stays in the canvas when what had it goes away (a deleted step, a button that
  // became disabled): Ctrl+Z right after Delete must reach the canvas, not the page.
  const focusInside = useRef(false);
  useEffect(() => {
    const el = root.current;
    if (!el) return;
    // React Flow removes a deleted step's element in its own render: watch the tree.
    const observer = new MutationObserver(() => {
      if (focusInside.current && (!document.activeElement || document.activeElement === document.body)) el.focus({ preventScroll: true });
    });
    observer.observe(el, { childList: true, subtree: true });
    return () => observer.disconnect();
  }, []);

  const onNodesChange = useCallback((changes: NodeChange<StepFlowNode>[]) => {
    setNodes((ns) => applyNodeChanges(changes.filter((c) => c.type !== "remove"), ns));
  }, []);
  const onEdgesChange = useCallback((changes: EdgeChange[]) => {
    setEdges((es) => applyEdgeChanges(changes.filter((c) => c.type !== "remove"), es));
  }, []);
  const onNodeDragStop = useCallback(
    (_e: unknown, _node: StepFlowNode, dragged: StepFlowNode[]) => {
      const moves: Record<string, [number, number]> = {};
      for (const n of dragged) moves[n.id] = [n.position.x, n.position.y];
      void call("move", { moves });
    },
    [call],
  );

  // -- connections -------------------------------------------------------------------------
  const portType = useCallback(
    (node: string | null, port: string | null | undefined, kind: "inputs" | "outputs") => {
      const step = node ? stepsById.get(node) : undefined;
      const spec = step ? specs.get(step.type) : undefined;
      return spec?.[kind].find((p) => p.name === port);
    },
    [stepsById, specs],
  );
  const whyNot = useCallback(
    (c: { source: string | null; target: string | null; sourceHandle?: string | null; targetHandle?: string | null }) => {
      if (c.source === c.target) return `cannot connect step '${c.source}' to itself`;
      const out = portType(c.source, c.sourceHandle, "outputs");
      const into = portType(c.target, c.targetHandle, "inputs");
      if (!out || !into) return "connect an output (right side) to an input (left side)";
      if (out.type !== into.type)
        return `cannot connect '${c.source}' to '${c.target}': ${out.name} gives ${out.type} (${palette.port_types?.[out.type] ?? out.type}) but ${into.name} takes ${into.type} (${palette.port_types?.[into.type] ?? into.type})`;
      return null;
    },
    [portType, palette],
  );
  const isValidConnection = useCallback((c: Connection | Edge) => whyNot(c) === null, [whyNot]);
  const onConnect = useCallback(
    (c: Connection) => {
      void call("connect", { source: c.source, target: c.target, source_port: c.sourceHandle, target_port: c.targetHandle });
    },
    [call],
  );
  const onConnectEnd = useCallback(
    (_e: MouseEvent | TouchEvent, state: FinalConnectionState) => {
      if (state.isValid || !state.fromHandle || !state.toHandle) return;
      const [from, to] = state.fromHandle.type === "source" ? [state.fromHandle, state.toHandle] : [state.toHandle, state.fromHandle];
      const reason = whyNot({ source: from.nodeId, target: to.nodeId, sourceHandle: from.id, targetHandle: to.id });
      if (reason) say(`Connection refused: ${reason}`);
    },
    [whyNot, say],
  );

  // -- adding, deleting, copying -------------------------------------------------------------
  // Where a new step goes: centred on the point (the drop, else the middle of the pane)
  // and wholly inside the visible pane, never under a side panel or off the edge.
  const placeInView = useCallback(
    (point?: { x: number; y: number }) => {
      const box = pane.current?.getBoundingClientRect();
      if (!box) return { x: 0, y: 0 };
      const zoom = flow.getZoom();
      const [w, h] = [NODE_SIZE.width * zoom, NODE_SIZE.height * zoom];
      const at = point ?? { x: box.left + box.width / 2, y: box.top + box.height / 2 };
      const inside = (v: number, lo: number, hi: number) => Math.max(lo, Math.min(v, hi));
      const left = inside(at.x - w / 2, box.left + 8, box.right - w - 8);
      const top = inside(at.y - h / 2, box.top + 8, box.bottom - h - 8);
      return flow.screenToFlowPosition({ x: left, y: top });
    },
    [flow],
  );
  const addAt = useCallback(
    async (type: string, point?: { x: number; y: number }) => {
      release();
      const at = placeInView(point);
      const id = await call("add_step", { type, position: [Math.round(at.x), Math.round(at.y)] });
      if (id) {
        setNodes((ns) => ns.map((n) => ({ ...n, selected: n.id === id })));
        setTab("step");
      }
    },
    [call, placeInView, release],
  );
  const onDrop = useCallback(
    (e: DragEvent) => {
      const type = e.dataTransfer.getData(DRAG_TYPE);
      if (!type) return;
      e.preventDefault();
      void addAt(type, { x: e.clientX, y: e.clientY });
    },
    [addAt],
  );
  const selectedNodes = nodes.filter((n) => n.selected);
  const deleteSelected = useCallback(() => {
    const steps = nodes.filter((n) => n.selected).map((n) => n.id);
    const gone = edges.filter((e) => e.selected).map((e) => e.data as unknown as EdgeData);
    if (steps.length || gone.length) void call("remove", { steps, edges: gone });
  }, [nodes, edges, call]);
  const copy = useCallback(() => {
    const chosen = new Set(nodes.filter((n) => n.selected).map((n) => n.id));
    if (!chosen.size) return;
    const steps: Clip["steps"] = {};
    for (const id of chosen) {
      const s = stepsById.get(id)!;
      steps[id] = { type: s.type, params: s.params, note: s.note, position: s.position };
    }
    clip.current = { steps, edges: (graph.edges ?? []).filter((e) => chosen.has(e.source) && chosen.has(e.target)) };
    clipHeight.current = flow.getNodesBounds([...chosen]).height || NODE_SIZE.height;
    pastes.current = 0;
    say(`Copied ${chosen.size} step${chosen.size > 1 ? "s" : ""}.`, "info");
  }, [nodes, stepsById, graph, say, flow]);
  const paste = useCallback(async () => {
    if (!clip.current) return say("Nothing to paste: select steps and press Ctrl+C first.", "info");
    pastes.current += 1;
    // Below the copied steps, clear of them (and of earlier pastes), not a few px off.
    const down = Math.round((clipHeight.current + 40) * pastes.current);
    const ids: string[] | undefined = await call("paste", { clip: clip.current, offset: [0, down] });
    if (ids) {
      const fresh = new Set(ids);
      setNodes((ns) => ns.map((n) => ({ ...n, selected: fresh.has(n.id) })));
    }
  }, [call, say]);

  const showStep = useCallback(() => setTab("step"), []);
  const onKeyDown = useCallback(
    (e: KeyboardEvent<HTMLDivElement>) => {
      const target = e.target as HTMLElement;
      if (target.closest("input, textarea, select, [contenteditable=true]")) return;
      const mod = e.ctrlKey || e.metaKey;
      const key = e.key.toLowerCase();
      let handled = true;
      if (mod && key === "z" && !e.shiftKey) void call("undo");
      else if ((mod && key === "z" && e.shiftKey) || (e.ctrlKey && key === "y")) void call("redo");
      else if (mod && key === "c") copy();
      else if (mod && key === "v") void paste();
      else if (mod && key === "a") setNodes((ns) => ns.map((n) => ({ ...n, selected: true })));
      else if (key === "delete" || key === "backspace") deleteSelected();
      else if (key === "escape") setNodes((ns) => ns.map((n) => ({ ...n, selected: false })));
      else handled = false;
      if (handled) {
        // JupyterLab would otherwise act on these keys (undo cell, delete cell, ...).
        e.preventDefault();
        e.stopPropagation();
      }
    },
    [call, copy, paste, deleteSelected],
  );

  const single = selectedNodes.length === 1 ? stepsById.get(selectedNodes[0].id) : undefined;
  const errorCount = issues.filter((i) => i.severity === "error").length;
  const running = run.status === "running" || run.status === "queued";
  const fileName = path ? path.split(/[\\/]/).pop() : "";

  return (
    <div
      ref={root}
      className={`dsm-canvas${dark ? " dsm-canvas-dark" : ""}`}
      style={{ height }}
      data-lm-suppress-shortcuts="true"
      tabIndex={0}
      onKeyDown={onKeyDown}
      onFocus={() => {
        focusInside.current = true;
      }}
      onBlur={(e) => {
        // Focus moved elsewhere on the page (not: the focused element was removed).
        if (e.relatedTarget && !root.current?.contains(e.relatedTarget as Node)) focusInside.current = false;
      }}
      onMouseDownCapture={(e) => {
        // The flow pane swallows mousedown, so focus would stay where it was (a form
        // field, or the notebook): take it, so the canvas gets the keyboard shortcuts.
        const target = e.target as HTMLElement;
        if (!target.closest("input, textarea, select, button, a, [contenteditable=true]")) root.current?.focus({ preventScroll: true });
      }}
    >
      <div
        className="dsm-canvas-toolbar"
        role="toolbar"
        onMouseDown={(e) => {
          // A toolbar button leaves the keyboard with the canvas (Ctrl+Z after Delete).
          if ((e.target as HTMLElement).closest("button")) {
            e.preventDefault();
            root.current?.focus({ preventScroll: true });
          }
        }}
      >
        <button
          className="dsm-canvas-button dsm-canvas-toggle"
          data-action="toggle-palette"
          aria-pressed={panels.palette}
          title={panels.palette ? "Hide the step palette" : "Show the step palette"}
          onClick={() => setPanels((p) => ({ ...p, palette: !p.palette, decided: true }))}
        >
          ☰ Steps
        </button>
        <span className="dsm-canvas-name" title={path || "not saved to a file"}>
          {graph.name}
          {fileName && <span className="dsm-canvas-muted"> · {fileName}{dirty ? " •" : ""}</span>}
        </span>
        <button className="dsm-canvas-button" data-action="undo" disabled={!canUndo} title="Undo (Ctrl+Z)" onClick={() => void call("undo")}>
          ↶ Undo
        </button>
        <button className="dsm-canvas-button" data-action="redo" disabled={!canRedo} title="Redo (Ctrl+Shift+Z, Ctrl+Y)" onClick={() => void call("redo")}>
          ↷ Redo
        </button>
        <button className="dsm-canvas-button" data-action="delete" disabled={!selectedNodes.length && !edges.some((e) => e.selected)} title="Delete selected (Del)" onClick={deleteSelected}>
          Delete
        </button>
        <button className="dsm-canvas-button" data-action="copy" disabled={!selectedNodes.length} title="Copy (Ctrl+C)" onClick={copy}>
          Copy
        </button>
        <button className="dsm-canvas-button" data-action="paste" title="Paste (Ctrl+V)" onClick={() => void paste()}>
          Paste
        </button>
        <button
          className="dsm-canvas-button"
          data-action="layout"
          title="Arrange the steps left to right"
          onClick={async () => {
            fitWhenDrawn();
            await call("layout");
          }}
        >
          Auto-layout
        </button>
        <select
          className="dsm-canvas-templates"
          aria-label="Templates"
          value=""
          onChange={(e) => {
            const name = e.target.value;
            if (!name) return;
            const count = (graph.steps ?? []).length;
            // Replacing the graph is undoable, but nobody expects a menu to wipe their work.
            if (count && !window.confirm(`Replace the ${count} step${count > 1 ? "s" : ""} on the canvas with the template '${name}'? (Undo brings them back.)`)) return;
            fitWhenDrawn();
            void call("template", { name });
          }}
        >
          <option value="">Templates…</option>
          {Object.entries(palette.templates ?? {}).map(([name, doc]) => (
            <option key={name} value={name} title={doc}>
              {name}
            </option>
          ))}
        </select>
        <span className="dsm-canvas-spacer" />
        {path && (
          <>
            <label className="dsm-canvas-check" title="Save every change to the pipeline file">
              <input type="checkbox" checked={autosave} onChange={(e) => void call("set_autosave", { value: e.target.checked })} /> autosave
            </label>
            <button className="dsm-canvas-button" data-action="save" title={`Save to ${path}`} onClick={() => void call("save").then((p) => p && say(`Saved ${p}.`, "info"))}>
              Save
            </button>
          </>
        )}
        {running ? (
          <button className="dsm-canvas-button dsm-canvas-danger" data-action="cancel" onClick={() => void call("cancel")}>
            ■ Cancel
          </button>
        ) : (
          <button
            className="dsm-canvas-button dsm-canvas-primary"
            data-action="run"
            disabled={errorCount > 0}
            title={errorCount ? `Fix ${errorCount} issue(s) first` : "Run the pipeline in a fresh kernel"}
            onClick={async () => {
              const custom = (graph.steps ?? []).filter((s) => specs.get(s.type)?.custom_code).map((s) => s.id);
              const allow =
                custom.length > 0 &&
                window.confirm(`Steps ${custom.join(", ")} run custom code exactly as written. Have you reviewed it? Run anyway?`);
              if (custom.length > 0 && !allow) return;
              setTab("run");
              await call("run", { allow_custom_code: allow });
            }}
          >
            ▶ Run
          </button>
        )}
        <button
          className="dsm-canvas-button dsm-canvas-toggle"
          data-action="toggle-side"
          aria-pressed={panels.side}
          title={panels.side ? "Hide the side panel" : "Show the side panel (step, issues, versions, export, run)"}
          onClick={() => setPanels((p) => ({ ...p, side: !p.side, decided: true }))}
        >
          Panel ◨
        </button>
      </div>
      {loadError && (
        <div className="dsm-canvas-banner dsm-canvas-banner-error" role="alert">
          Could not open the pipeline file: {loadError}
          <button className="dsm-canvas-button" onClick={() => void call("reload")}>
            Try again
          </button>
        </div>
      )}
      {saveError && <div className="dsm-canvas-banner dsm-canvas-banner-error" role="alert">{saveError}</div>}
      {message && (
        <div className={`dsm-canvas-toast dsm-canvas-toast-${message.kind}`} role={message.kind === "error" ? "alert" : "status"} onClick={() => setMessage(null)}>
          {message.text}
        </div>
      )}
      <div className="dsm-canvas-body">
        {panels.palette && <Palette palette={palette} onAdd={addAt} />}
        <div className="dsm-canvas-flow" ref={pane} onDragOver={(e) => { e.preventDefault(); e.dataTransfer.dropEffect = "copy"; }} onDrop={onDrop}>
          <ReactFlow
            nodes={nodes}
            edges={edges}
            nodeTypes={nodeTypes}
            onNodesChange={onNodesChange}
            onEdgesChange={onEdgesChange}
            onNodeDragStop={onNodeDragStop}
            onConnect={onConnect}
            onConnectEnd={onConnectEnd}
            isValidConnection={isValidConnection}
            onNodeClick={showStep}
            deleteKeyCode={null}
            selectionKeyCode="Shift"
            multiSelectionKeyCode={["Meta", "Control"]}
            colorMode={dark ? "dark" : "light"}
            onlyRenderVisibleElements={(graph.steps ?? []).length > BIG_GRAPH}
            minZoom={0.1}
            maxZoom={2}
            // The wheel scrolls the notebook; Ctrl/⌘+wheel or a pinch zooms, as on a map
            // embedded in a page.
            zoomOnScroll={false}
            panOnScroll={false}
            preventScrolling={metaPressed}
            onMoveStart={(e) => e && release()}
            onNodeDragStart={release}
            // A connection dragged near the edge does not throw the view 200 px away.
            autoPanOnConnect={false}
            proOptions={PRO}
          >
            <Background gap={20} />
            <Controls showInteractive={false} showFitView={false}>
              <ControlButton className="react-flow__controls-fitview" title="Fit the graph in view" aria-label="fit view" onClick={() => fit(200)}>
                <svg viewBox="0 0 32 30" aria-hidden="true">
                  <path d="M3.692 4.63c0-.53.4-.938.939-.938h5.215V0H4.708C2.13 0 0 2.054 0 4.63v5.216h3.692V4.631zM27.354 0h-5.2v3.692h5.17c.53 0 .984.4.984.939v5.215H32V4.631A4.624 4.624 0 0027.354 0zm.954 24.83c0 .532-.4.94-.939.94h-5.215v3.768h5.215c2.577 0 4.631-2.13 4.631-4.707v-5.139h-3.692v5.139zm-23.677.94c-.531 0-.939-.4-.939-.94v-5.138H0v5.139c0 2.577 2.13 4.707 4.708 4.707h5.138V25.77H4.631z" />
                </svg>
              </ControlButton>
            </Controls>
            {paneSize.width >= MINIMAP_ROOM && <MiniMap pannable zoomable style={MINIMAP_STYLE} className="dsm-canvas-minimap" nodeClassName={miniClass} />}
          </ReactFlow>
          {(graph.steps ?? []).length === 0 && !loadError && (
            <div className="dsm-canvas-hint">Drag steps here from the palette, or pick a template.</div>
          )}
        </div>
        {panels.side && <div className={`dsm-canvas-side${tab === "export" ? " dsm-canvas-side-wide" : ""}`}>
          <div className="dsm-canvas-tabs" role="tablist">
            {(
              [
                ["step", "Step"],
                ["issues", `Issues${issues.length ? ` (${issues.length})` : ""}`],
                ["versions", "Versions"],
                ["export", "Export"],
                ["run", "Run"],
              ] as [Tab, string][]
            ).map(([key, label]) => (
              <button key={key} role="tab" aria-selected={tab === key} data-tab={key} className={`dsm-canvas-tab${tab === key ? " dsm-canvas-tab-on" : ""}${key === "issues" && errorCount ? " dsm-canvas-tab-bad" : ""}`} onClick={() => setTab(key)}>
                {label}
              </button>
            ))}
          </div>
          <div className="dsm-canvas-panel">
            {tab === "step" &&
              (single ? (
                <ParamForm host={host} step={single} spec={specs.get(single.type)} issues={issuesByStep.get(single.id) ?? []} />
              ) : (
                <div className="dsm-canvas-empty">
                  {selectedNodes.length > 1 ? `${selectedNodes.length} steps selected.` : "Select a step to edit its parameters."}
                  <div className="dsm-canvas-legend">
                    {(["unconfigured", "ready", "running", "done", "failed", "cached"] as Light[]).map((l) => (
                      <div key={l}>
                        <span className={`dsm-canvas-light dsm-canvas-light-${l}`} /> {LIGHT_LABELS[l]}
                      </div>
                    ))}
                  </div>
                </div>
              ))}
            {tab === "issues" && (
              <IssuesPanel
                issues={issues}
                onPick={(id) => {
                  setNodes((ns) => ns.map((n) => ({ ...n, selected: n.id === id })));
                  const node = flow.getNode(id);
                  if (node) flow.setCenter(node.position.x + 90, node.position.y + 40, { duration: 200, zoom: flow.getZoom() });
                  setTab("step");
                }}
              />
            )}
            {tab === "versions" && <VersionsPanel host={host} />}
            {tab === "export" && <ExportPanel host={host} />}
            {tab === "run" && <RunPanel host={host} />}
          </div>
        </div>}
      </div>
    </div>
  );
}

export function CanvasApp({ host }: { host: Host }) {
  return (
    <ReactFlowProvider>
      <Editor host={host} />
    </ReactFlowProvider>
  );
}
