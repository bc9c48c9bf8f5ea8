import { useEffect, useRef, useState } from "react";
import { Highlighted } from "./highlight";
import { useTrait } from "./host";
import { fileLink } from "./links";
import type { Host, Issue } from "./types";

function useBusy() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = async <T,>(work: () => Promise<T>): Promise<T | undefined> => {
    setBusy(true);
    setError(null);
    try {
      return await work();
    } catch (e) {
      setError((e as Error).message);
      return undefined;
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, run };
}

export function IssuesPanel({ issues, onPick }: { issues: Issue[]; onPick: (step: string) => void }) {
  if (issues.length === 0) return <div className="dsm-canvas-empty dsm-canvas-ok">No issues: the pipeline is ready to run.</div>;
  return (
    <ul className="dsm-canvas-issues">
      {issues.map((issue, n) => (
        <li key={n} className={`dsm-canvas-issue dsm-canvas-issue-${issue.severity}`}>
          {issue.step ? (
            <button className="dsm-canvas-link" onClick={() => onPick(issue.step!)}>
              {issue.step}
            </button>
          ) : (
            <b>pipeline</b>
          )}
          : {issue.message}
        </li>
      ))}
    </ul>
  );
}

export function VersionsPanel({ host }: { host: Host }) {
  const versions = useTrait(host, "versions");
  const diff = useTrait(host, "diff");
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const { busy, error, run } = useBusy();
  const [done, setDone] = useState<string | null>(null);
  useEffect(() => {
    void run(() => host.call("versions"));
  }, [host]);
  const save = async () => {
    const saved = await run(() => host.call("save_version", { name, description }));
    if (saved) {
      setDone(`Saved version '${name}'.`);
      setName("");
      setDescription("");
    }
  };
  return (
    <div className="dsm-canvas-versions">
      <div className="dsm-canvas-field">
        <label htmlFor="dsm-canvas-version-name">version name</label>
        <input id="dsm-canvas-version-name" value={name} onChange={(e) => setName(e.target.value)} placeholder="v1" />
        <label htmlFor="dsm-canvas-version-description">description</label>
        <input
          id="dsm-canvas-version-description"
          value={description}
          onChange={(e) => setDescription(e.target.value)}
          placeholder="what changed"
        />
        <button className="dsm-canvas-button" disabled={busy || !name.trim()} onClick={() => void save()}>
          Save version
        </button>
      </div>
      {error && <div className="dsm-canvas-field-error" role="alert">{error}</div>}
      {done && !error && <div className="dsm-canvas-muted">{done}</div>}
      {versions.length === 0 && <div className="dsm-canvas-empty">No versions saved yet.</div>}
      <ul className="dsm-canvas-version-list">
        {[...versions].reverse().map((v) => (
          <li key={v.id} data-version={v.name}>
            <div>
              <b>{v.name}</b> <span className="dsm-canvas-muted">{new Date(v.created_at * 1000).toLocaleString()}</span>
            </div>
            {v.description && <div className="dsm-canvas-muted">{v.description}</div>}
            <button
              className="dsm-canvas-button"
              disabled={busy}
              onClick={() => void run(async () => { await host.call("restore", { name: v.name }); setDone(`Restored '${v.name}'.`); })}
            >
              Restore
            </button>
            <button className="dsm-canvas-button" disabled={busy} onClick={() => void run(() => host.call("diff", { old: v.name }))}>
              Diff with current
            </button>
          </li>
        ))}
      </ul>
      {diff && diff.text && (
        <div className="dsm-canvas-diff">
          <div className="dsm-canvas-diff-head">
            <b>
              {diff.old} → {diff.new}
            </b>
            <button className="dsm-canvas-button" onClick={() => void host.call("clear_diff")}>
              Clear
            </button>
          </div>
          <div className="dsm-canvas-legend">
            <span className="dsm-canvas-swatch dsm-canvas-node-added" /> added <span className="dsm-canvas-swatch dsm-canvas-node-changed" /> changed{" "}
            <span className="dsm-canvas-swatch dsm-canvas-node-removed" /> removed
          </div>
          <pre>{diff.text}</pre>
        </div>
      )}
    </div>
  );
}

export function ExportPanel({ host }: { host: Host }) {
  const palette = useTrait(host, "palette");
  const formats = palette.export_formats ?? {};
  const [format, setFormat] = useState("notebook");
  const [preview, setPreview] = useState<{ text: string; files: string[]; texts?: Record<string, string> } | null>(null);
  const [shown, setShown] = useState("");
  const [written, setWritten] = useState<string[] | null>(null);
  const { busy, error, run } = useBusy();
  useEffect(() => {
    setPreview(null);
    setWritten(null);
  }, [format]);
  const texts = preview?.texts ?? (preview ? { [preview.files[0]]: preview.text } : {});
  const current = preview && shown in texts ? shown : preview?.files[0] ?? "";
  return (
    <div className="dsm-canvas-export">
      <div className="dsm-canvas-row">
        <select aria-label="export format" value={format} onChange={(e) => setFormat(e.target.value)}>
          {Object.entries(formats).map(([key, label]) => (
            <option key={key} value={key}>
              {label}
            </option>
          ))}
        </select>
        <button
          className="dsm-canvas-button"
          disabled={busy}
          onClick={() =>
            void run(async () => {
              const result = await host.call("preview", { format });
              setShown(result.files[0]);
              setPreview(result);
            })
          }
        >
          Preview
        </button>
        <button
          className="dsm-canvas-button dsm-canvas-primary"
          disabled={busy || !preview}
          title={preview ? "write the files next to the notebook" : "preview first"}
          onClick={() => void run(async () => setWritten((await host.call("export", { format })).files))}
        >
          Write files
        </button>
      </div>
      {error && <div className="dsm-canvas-field-error" role="alert">{error}</div>}
      {written && (
        <div className="dsm-canvas-written">
          Written next to the notebook:
          <ul>
            {written.map((f) => (
              <li key={f}>
                <a href={fileLink(f)} target="_blank" rel="noopener noreferrer" data-file={f}>
                  {f}
                </a>
              </li>
            ))}
          </ul>
        </div>
      )}
      {preview && (
        <>
          <div className="dsm-canvas-files" role="tablist" aria-label="files of the export">
            {preview.files.map((f) => (
              <button
                key={f}
                role="tab"
                aria-selected={f === current}
                disabled={!(f in texts)}
                title={f in texts ? `show ${f}` : `${f} (binary, not shown)`}
                className={`dsm-canvas-file${f === current ? " dsm-canvas-file-on" : ""}`}
                data-file={f}
                onClick={() => setShown(f)}
              >
                {f}
              </button>
            ))}
          </div>
          {current in texts && <Highlighted text={texts[current]} file={current} />}
        </>
      )}
    </div>
  );
}

export function RunPanel({ host }: { host: Host }) {
  const status = useTrait(host, "run_status");
  const log = useRef<HTMLPreElement>(null);
  const follow = useRef(true);
  useEffect(() => {
    // A tail: keep the newest line in view, unless the reader scrolled up to look back.
    const el = log.current;
    if (el && follow.current) el.scrollTop = el.scrollHeight;
  }, [status.log]);
  const going = status.status === "queued" || status.status === "running";
  const metrics = Object.entries(status.metrics ?? {});
  const failed = Object.entries(status.errors ?? {});
  return (
    <div className="dsm-canvas-run">
      <div>
        Run: <b data-run-status={status.status ?? "none"}>{status.status ?? "not started"}</b>
        {status.run_id && (
          <span className="dsm-canvas-muted">
            {" "}tracked run <code title={`dm.get_run("${status.run_id}")`}>{status.run_id}</code>
          </span>
        )}
      </div>
      {status.error && <div className="dsm-canvas-field-error" role="alert">{status.error}</div>}
      {failed.map(([step, message]) => (
        <div key={step} className="dsm-canvas-issue dsm-canvas-issue-error">
          {step}: {message}
        </div>
      ))}
      {status.notebook && (
        <div className="dsm-canvas-muted">
          Executed notebook:{" "}
          {status.notebook_link ? (
            <a href={fileLink(status.notebook_link)} target="_blank" rel="noopener noreferrer" data-run-notebook>
              {status.notebook_link}
            </a>
          ) : (
            <code>{status.notebook}</code>
          )}
        </div>
      )}
      {metrics.length > 0 && (
        <table className="dsm-canvas-metrics">
          <tbody>
            {metrics.map(([k, v]) => (
              <tr key={k}>
                <td>{k}</td>
                <td>{typeof v === "number" ? v.toPrecision(4) : String(v)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <pre
        ref={log}
        className="dsm-canvas-log"
        aria-label="run log"
        onScroll={(e) => {
          const el = e.currentTarget;
          follow.current = el.scrollTop + el.clientHeight >= el.scrollHeight - 4;
        }}
      >
        {status.log || (going ? "(starting a fresh kernel…)" : status.status ? "(the run printed nothing)" : "(no run yet: press ▶ Run)")}
      </pre>
    </div>
  );
}
