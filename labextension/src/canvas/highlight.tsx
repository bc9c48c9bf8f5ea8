// A small syntax highlighter for the export preview: Python, Dockerfile, YAML-ish text.
// Tokens become spans with dsm-canvas-tok-* classes; the text itself is never changed.
import type { ReactNode } from "react";

const PY_KEYWORDS = new Set(
  ("False None True and as assert async await break class continue def del elif else except finally for from " +
    "global if import in is lambda nonlocal not or pass raise return try while with yield").split(" "),
);
const DOCKER = /^(\s*)(FROM|RUN|CMD|COPY|ADD|WORKDIR|ENV|ARG|ENTRYPOINT|EXPOSE|USER|LABEL|VOLUME|HEALTHCHECK|SHELL)\b/i;

// Comments, strings (triple and single quoted), numbers, words.
const PY_TOKEN = /(#[^\n]*)|("""[\s\S]*?"""|'''[\s\S]*?'''|"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*')|(\b\d+(?:\.\d+)?(?:e[+-]?\d+)?\b)|([A-Za-z_][A-Za-z0-9_]*)/g;

export function languageOf(file: string): "python" | "docker" | "text" {
  if (file.endsWith(".py") || file.endsWith(".ipynb")) return "python";
  if (file === "Dockerfile") return "docker";
  return "text";
}

function python(text: string): ReactNode[] {
  const out: ReactNode[] = [];
  let last = 0;
  let n = 0;
  for (const m of text.matchAll(PY_TOKEN)) {
    const index = m.index ?? 0;
    const [word] = m;
    const kind = m[1] ? "comment" : m[2] ? "string" : m[3] ? "number" : PY_KEYWORDS.has(word) ? "keyword" : null;
    if (!kind) continue;
    if (index > last) out.push(text.slice(last, index));
    out.push(
      <span key={n++} className={`dsm-canvas-tok-${kind}`}>
        {word}
      </span>,
    );
    last = index + word.length;
  }
  out.push(text.slice(last));
  return out;
}

function lines(text: string, each: (line: string, key: number) => ReactNode): ReactNode[] {
  return text.split("\n").flatMap((line, i) => (i ? ["\n", each(line, i)] : [each(line, i)]));
}

function docker(text: string): ReactNode[] {
  return lines(text, (line, key) => {
    if (/^\s*#/.test(line)) return <span key={key} className="dsm-canvas-tok-comment">{line}</span>;
    const m = DOCKER.exec(line);
    if (!m) return line;
    return (
      <span key={key}>
        {m[1]}
        <span className="dsm-canvas-tok-keyword">{m[2]}</span>
        {line.slice(m[0].length)}
      </span>
    );
  });
}

function plain(text: string): ReactNode[] {
  return lines(text, (line, key) => (/^\s*#/.test(line) ? <span key={key} className="dsm-canvas-tok-comment">{line}</span> : line));
}

export function Highlighted({ text, file }: { text: string; file: string }) {
  const language = languageOf(file);
  const parts = language === "python" ? python(text) : language === "docker" ? docker(text) : plain(text);
  return (
    <pre className="dsm-canvas-code" data-language={language} data-file={file}>
      {parts}
    </pre>
  );
}
