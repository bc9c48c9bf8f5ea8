import { useEffect, useRef, useState } from "react";
import { check, format, parse, types } from "./schema";
import type { Host, Issue, JsonSchema, StepData, StepSpec } from "./types";

interface FieldProps {
  host: Host;
  step: StepData;
  name: string;
  schema: JsonSchema;
  required: boolean;
  issues: Issue[];
}

function Field({ host, step, name, schema, required, issues }: FieldProps) {
  const value = step.params[name];
  const shown = format(schema, value);
  const [text, setText] = useState(shown);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // The kernel is the truth: when the value changes there (undo, Python), show it.
  useEffect(() => {
    setText(shown);
    setError(null);
  }, [shown, step.id]);

  const sent = useRef<string | null>(null);
  const commit = async (next: unknown) => {
    const encoded = JSON.stringify(next);
    // One edit is one undo step: Enter then blur must not send the same value twice.
    if (encoded === JSON.stringify(value) || encoded === sent.current) return;
    sent.current = encoded;
    setBusy(true);
    try {
      await host.call("set_params", { step: step.id, params: { [name]: next } });
      setError(null);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      sent.current = null;
      setBusy(false);
    }
  };
  const commitText = () => {
    const parsed = parse(schema, text);
    if (parsed.error) setError(parsed.error);
    else void commit(parsed.value);
  };
  const kinds = types(schema);
  const id = `dsm-canvas-field-${step.id}-${name}`;
  let input;
  if (schema.enum) {
    input = (
      <select
        id={id}
        value={JSON.stringify(value ?? null)}
        onChange={(e) => void commit(JSON.parse(e.target.value))}
        disabled={busy}
      >
        {schema.enum.map((option) => (
          <option key={JSON.stringify(option)} value={JSON.stringify(option)}>
            {option === null ? "(none)" : String(option)}
          </option>
        ))}
      </select>
    );
  } else if (kinds.includes("boolean")) {
    input = (
      <input id={id} type="checkbox" checked={value === true} disabled={busy} onChange={(e) => void commit(e.target.checked)} />
    );
  } else {
    const multiline = name === "code" || (typeof value === "string" && value.includes("\n"));
    const common = {
      id,
      value: text,
      readOnly: busy,
      "aria-invalid": error ? true : undefined,
      placeholder: kinds.includes("array") ? "a, b, c" : kinds.includes("null") ? "(none)" : "",
      onChange: (e: { target: { value: string } }) => {
        setText(e.target.value);
        setError(parse(schema, e.target.value).error ?? null);
      },
      onBlur: commitText,
    };
    input = multiline ? (
      <textarea {...common} rows={6} spellCheck={false} />
    ) : (
      <input
        {...common}
        type="text"
        onKeyDown={(e) => {
          if (e.key === "Enter") commitText();
          if (e.key === "Escape") {
            setText(shown);
            setError(null);
          }
        }}
      />
    );
  }
  const problems = issues.filter((i) => i.param === name).map((i) => i.message);
  const message = error ?? problems[0] ?? null;
  return (
    <div className={`dsm-canvas-field${message ? " dsm-canvas-field-invalid" : ""}`} data-param={name}>
      <label htmlFor={id}>
        {name}
        {required && <span className="dsm-canvas-required" title="required">*</span>}
      </label>
      {input}
      {message && <div className="dsm-canvas-field-error" role="alert">{message}</div>}
      {schema.description && <div className="dsm-canvas-field-help">{schema.description}</div>}
    </div>
  );
}

export function ParamForm({ host, step, spec, issues }: { host: Host; step: StepData; spec?: StepSpec; issues: Issue[] }) {
  const [note, setNote] = useState(step.note);
  useEffect(() => setNote(step.note), [step.note, step.id]);
  if (!spec) {
    return <div className="dsm-canvas-empty">Unknown step type '{step.type}'. Delete this step or fix the file.</div>;
  }
  const schema = spec.params_schema;
  const properties = schema.properties ?? {};
  const required = new Set(schema.required ?? []);
  const general = issues.filter((i) => !i.param);
  return (
    <div className="dsm-canvas-form" data-form-step={step.id}>
      <div className="dsm-canvas-form-title">
        {spec.title} <code>{step.id}</code>
      </div>
      {spec.custom_code && (
        <div className="dsm-canvas-warning">Custom code: this step runs the code written here as-is. Review it before running.</div>
      )}
      <div className="dsm-canvas-form-doc">{spec.doc}</div>
      {general.map((i, n) => (
        <div key={n} className={`dsm-canvas-issue dsm-canvas-issue-${i.severity}`}>{i.message}</div>
      ))}
      {Object.keys(properties).length === 0 && <div className="dsm-canvas-empty">No parameters.</div>}
      {Object.entries(properties).map(([name, s]) => (
        <Field key={name} host={host} step={step} name={name} schema={s} required={required.has(name)} issues={issues} />
      ))}
      <div className="dsm-canvas-field">
        <label htmlFor={`dsm-canvas-note-${step.id}`}>note</label>
        <input
          id={`dsm-canvas-note-${step.id}`}
          type="text"
          value={note}
          onChange={(e) => setNote(e.target.value)}
          onBlur={() => note !== step.note && void host.call("set_note", { step: step.id, note })}
        />
      </div>
      <div className="dsm-canvas-form-ports">
        {spec.inputs.length > 0 && <div>in: {spec.inputs.map((p) => `${p.name} (${p.type})`).join(", ")}</div>}
        {spec.outputs.length > 0 && <div>out: {spec.outputs.map((p) => `${p.name} (${p.type})`).join(", ")}</div>}
        {spec.requires.length > 0 && <div>needs: {spec.requires.join(", ")}</div>}
      </div>
    </div>
  );
}

export { check };
