// The anywidget entry: mounts the shared canvas on a widget model.
import { createRoot } from "react-dom/client";
import "@xyflow/react/dist/style.css";
import "./canvas/canvas.css";
import { CanvasApp } from "./canvas/App";
import { modelHost, type AnyModel } from "./canvas/host";

function render({ model, el }: { model: AnyModel; el: HTMLElement }) {
  const host = modelHost(model);
  const root = createRoot(el);
  root.render(<CanvasApp host={host} />);
  return () => {
    root.unmount();
    host.dispose();
  };
}

export default { render };
