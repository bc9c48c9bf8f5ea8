// Plain data the Python side sends (see dsmagic/widget/_canvas.py).

export interface PortSpec {
  name: string;
  type: string;
  required: boolean;
  multiple: boolean;
  doc: string;
}

export interface JsonSchema {
  type?: string | string[];
  enum?: unknown[];
  default?: unknown;
  description?: string;
  title?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  [key: string]: unknown;
}

export interface StepSpec {
  type: string;
  category: string;
  title: string;
  doc: string;
  inputs: PortSpec[];
  outputs: PortSpec[];
  params_schema: JsonSchema;
  requires: string[];
  task: string | null;
  custom_code: boolean;
}

export interface Palette {
  categories: string[];
  port_types: Record<string, string>;
  steps: StepSpec[];
  templates: Record<string, string>;
  export_formats: Record<string, string>;
}

export interface StepData {
  id: string;
  type: string;
  params: Record<string, unknown>;
  position: [number, number];
  note: string;
}

export interface EdgeData {
  source: string;
  source_port: string;
  target: string;
  target_port: string;
}

export interface Graph {
  name: string;
  steps: StepData[];
  edges: EdgeData[];
  revision: number;
}

export interface Issue {
  step: string | null;
  code: string;
  message: string;
  severity: "error" | "warning";
  port: string | null;
  param: string | null;
}

export interface RunStatus {
  status?: string;
  steps?: Record<string, string>;
  errors?: Record<string, string>;
  log?: string;
  metrics?: Record<string, number>;
  run_id?: string | null;
  error?: string | null;
  notebook?: string | null;
  notebook_link?: string | null;
}

export interface VersionInfo {
  id: number;
  name: string;
  description: string;
  tags: string[];
  parent: string | null;
  created_at: number;
}

export interface DiffInfo {
  old?: string;
  new?: string;
  steps_added?: string[];
  steps_removed?: string[];
  steps_changed?: { step: string; params: Record<string, { old: unknown; new: unknown }> }[];
  edges_added?: string[];
  edges_removed?: string[];
  removed?: StepData[];
  text?: string;
}

/** Everything the canvas reads from its host, by name. */
export interface CanvasState {
  graph: Graph;
  palette: Palette;
  issues: Issue[];
  run_status: RunStatus;
  can_undo: boolean;
  can_redo: boolean;
  versions: VersionInfo[];
  diff: DiffInfo;
  path: string;
  autosave: boolean;
  dirty: boolean;
  load_error: string;
  save_error: string;
  height: number;
}

/** What the canvas needs from where it lives: the anywidget model today, a JupyterLab
 * document tomorrow. */
export interface Host {
  get<K extends keyof CanvasState>(key: K): CanvasState[K];
  subscribe(key: keyof CanvasState, callback: () => void): () => void;
  /** A request to the pipeline; resolves with its result or rejects with the message. */
  call(op: string, args?: Record<string, unknown>): Promise<any>;
}

/** Lights on the steps. */
export type Light =
  | "unconfigured"
  | "ready"
  | "queued"
  | "running"
  | "done"
  | "failed"
  | "cached";
