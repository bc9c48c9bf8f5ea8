// Links to files the kernel wrote next to the notebook, from where the page is.

function config(): { baseUrl: string } {
  try {
    const node = document.getElementById("jupyter-config-data");
    if (node?.textContent) return { baseUrl: JSON.parse(node.textContent).baseUrl ?? "/" };
  } catch {
    /* not in Jupyter: fall back to the page's own folder */
  }
  return { baseUrl: "/" };
}

/** The notebook's folder relative to the server root, read from the page address. */
export function notebookFolder(): string | null {
  const match = /\/(?:lab(?:\/workspaces\/[^/]+)?\/tree|notebooks|doc(?:\/workspaces\/[^/]+)?\/tree)\/(.*)$/.exec(
    window.location.pathname,
  );
  if (!match) return null;
  const path = decodeURIComponent(match[1]);
  const slash = path.lastIndexOf("/");
  return slash < 0 ? "" : path.slice(0, slash);
}

export function fileLink(relative: string): string {
  const folder = notebookFolder();
  const { baseUrl } = config();
  const base = baseUrl.endsWith("/") ? baseUrl : `${baseUrl}/`;
  const path = folder ? `${folder}/${relative}` : relative;
  const encoded = path.split("/").map(encodeURIComponent).join("/");
  if (folder === null) return relative;
  if (relative.endsWith(".ipynb")) {
    const app = window.location.pathname.includes("/notebooks/") ? "notebooks" : "lab/tree";
    return `${base}${app}/${encoded}`;
  }
  return `${base}files/${encoded}`;
}
