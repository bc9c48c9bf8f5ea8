// dsmagic's JupyterLab extension: the runs sidebar (left area, also in Notebook 7).
import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { Clipboard } from '@jupyterlab/apputils';
import { LabIcon } from '@jupyterlab/ui-components';

import { RunsSidebar } from './sidebar';

const ICON = new LabIcon({
  name: 'dsmagic:runs',
  svgstr:
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" width="16">' +
    '<g class="jp-icon3" fill="#616161">' +
    '<rect x="3" y="13" width="4" height="8" rx="1"/>' +
    '<rect x="10" y="8" width="4" height="13" rx="1"/>' +
    '<rect x="17" y="3" width="4" height="18" rx="1"/></g></svg>'
});

const COPY_SNIPPET = 'dsmagic:copy-run-snippet';

const sidebar: JupyterFrontEndPlugin<void> = {
  id: 'dsmagic:sidebar',
  description: 'The dsmagic sidebar: runs of the store, searched and refreshed live.',
  autoStart: true,
  optional: [ILayoutRestorer],
  activate: (app: JupyterFrontEnd, restorer: ILayoutRestorer | null) => {
    const panel = new RunsSidebar();
    panel.title.icon = ICON;
    app.shell.add(panel, 'left', { rank: 650 });
    if (restorer) {
      restorer.add(panel, panel.id);
    }
    app.commands.addCommand(COPY_SNIPPET, {
      label: 'Copy dm.get_run(…) snippet',
      execute: () => {
        if (panel.contextRunId) {
          Clipboard.copyToSystem(`dm.get_run(${JSON.stringify(panel.contextRunId)})`);
        }
      }
    });
    app.contextMenu.addItem({ command: COPY_SNIPPET, selector: '.dsm-run-row', rank: 1 });
  }
};

export default [sidebar];
