// The "dsmagic" sidebar: runs of the server's store, searched with the filter language of
// dm.search_runs, sortable, refreshed while visible so a running run's metrics tick.
// Plain DOM and textContent only: run names, params and errors are user text.
import { Widget } from '@lumino/widgets';

import {
  ApiError,
  Experiment,
  RunPage,
  RunRecord,
  StoreStatus,
  requestJson
} from './api';
import { formatAge, formatNumber, formatTime, metricColumns } from './format';

const REFRESH_MS = 1500;
const TYPING_PAUSE_MS = 80; // short: a result should paint within 200 ms of the last key
const PAGE = 100;
const MAX_PAGE = 500;
const MAX_METRIC_COLUMNS = 4;
const NAME_AND_AGE_PX = 195; // what the run name and its age need before any metric
const METRIC_PX = 60;

interface Column {
  label: string;
  order: string; // the order_by field this column sorts on
  cell: (run: RunRecord) => HTMLElement;
  numeric?: boolean;
}

function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className: string,
  text?: string
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  node.className = className;
  if (text !== undefined) {
    node.textContent = text;
  }
  return node;
}

function quotedKey(key: string): string {
  return /^[A-Za-z_]\w*$/.test(key) ? key : `\`${key}\``;
}

export class RunsSidebar extends Widget {
  /** Called with the selected run ids when the user asks to compare them. */
  onCompare: (runIds: string[]) => void = () => undefined;

  constructor() {
    super();
    this.id = 'dsmagic-sidebar';
    this.addClass('dsm-sidebar');
    this.title.caption = 'dsmagic: runs';

    const header = element('div', 'dsm-header');
    header.append(element('span', 'dsm-title', 'Runs'), this._storeLine);
    this._experiment.setAttribute('aria-label', 'Experiment');
    this._experiment.append(new Option('All experiments', ''));
    this._filter.type = 'search';
    this._filter.placeholder = 'metrics.acc > 0.9';
    this._filter.title = "The language of dm.search_runs: metrics.acc > 0.9 and params.model = 'rf'";
    this._filter.spellcheck = false;
    this._filter.setAttribute('aria-label', 'Filter runs');
    this._error.setAttribute('role', 'alert');
    this._error.hidden = true;
    const controls = element('div', 'dsm-controls');
    controls.append(this._experiment, this._filter, this._error);

    const wrap = element('div', 'dsm-table-wrap');
    this._table.append(this._head, this._body);
    wrap.append(this._table, this._empty);
    this._more.type = 'button';
    this._more.textContent = 'Show more';
    this._more.hidden = true;
    this._compare.type = 'button';
    this._compare.addEventListener('click', () => this.onCompare([...this._selected]));
    this._updateCompare();
    const footer = element('div', 'dsm-footer');
    footer.append(this._count, this._compare, this._more);
    this.node.append(header, controls, wrap, footer);

    this._filter.addEventListener('input', () => this._typed());
    this._filter.addEventListener('keydown', event => {
      if (event.key === 'Enter') {
        this._limit = PAGE;
        void this.refresh();
      }
    });
    this._experiment.addEventListener('change', () => {
      this._limit = PAGE;
      void this.refresh();
    });
    this._more.addEventListener('click', () => {
      this._limit = Math.min(MAX_PAGE, this._limit + PAGE);
      void this.refresh();
    });
    this._body.addEventListener('contextmenu', event => {
      const row = (event.target as HTMLElement).closest('tr');
      this.contextRunId = row?.dataset.runId ?? null;
    });
  }

  /** The run under the last right-click, for the context menu's commands. */
  contextRunId: string | null = null;

  get runs(): readonly RunRecord[] {
    return this._runs;
  }

  async refresh(): Promise<void> {
    const ticket = ++this._ticket;
    const query: Record<string, string> = {
      filter: this._filter.value,
      order_by: this._order,
      experiment: this._experiment.value,
      limit: String(this._limit)
    };
    try {
      const page = await requestJson<RunPage>('runs', query);
      if (ticket !== this._ticket) {
        return; // an answer to a query the user has since changed
      }
      this._showError(null);
      this._runs = page.runs;
      this._page = page;
      this._render(page);
      this._body.dataset.filter = query.filter; // what the rows shown answer
    } catch (error) {
      if (ticket === this._ticket) {
        this._showError(error instanceof ApiError ? error.message : String(error));
      }
    }
  }

  protected onAfterAttach(): void {
    void this._loadStore();
    this._timer = window.setInterval(() => {
      if (this.isVisible && !document.hidden) {
        void this.refresh();
      }
    }, REFRESH_MS);
  }

  protected onBeforeDetach(): void {
    window.clearInterval(this._timer);
  }

  protected onAfterShow(): void {
    void this.refresh();
  }

  protected onResize(msg: Widget.ResizeMessage): void {
    super.onResize(msg);
    if (this._page) {
      this._render(this._page); // as many metric columns as the width holds
    }
  }

  private async _loadStore(): Promise<void> {
    try {
      const status = await requestJson<StoreStatus>('status');
      this._storeLine.textContent = status.exists ? status.home : `${status.home} (no store yet)`;
      this._storeLine.title = `${status.store}${status.state ? ` — ${status.state}` : ''}`;
      const { experiments } = await requestJson<{ experiments: Experiment[] }>('experiments');
      for (const experiment of experiments) {
        this._experiment.append(
          new Option(`${experiment.name} (${experiment.runs})`, experiment.name)
        );
      }
    } catch (error) {
      this._showError(error instanceof ApiError ? error.message : String(error));
    }
    await this.refresh();
  }

  private _typed(): void {
    window.clearTimeout(this._typing);
    this._typing = window.setTimeout(() => {
      this._limit = PAGE;
      void this.refresh();
    }, TYPING_PAUSE_MS);
  }

  private _showError(message: string | null): void {
    this._error.hidden = message === null;
    this._error.textContent = message ?? '';
    this._filter.classList.toggle('dsm-invalid', message !== null);
    // The list shown is for the last filter that worked: say so by dimming it.
    this._table.classList.toggle('dsm-stale', message !== null);
  }

  private _columns(): Column[] {
    const columns: Column[] = [
      {
        label: '',
        order: '',
        cell: run => {
          const cell = element('td', 'dsm-pick');
          const box = element('input', 'dsm-pick-box');
          box.type = 'checkbox';
          box.checked = this._selected.has(run.id);
          box.setAttribute('aria-label', `Select ${run.name} to compare`);
          box.addEventListener('change', () => {
            if (box.checked) {
              this._selected.add(run.id);
            } else {
              this._selected.delete(run.id);
            }
            this._updateCompare();
          });
          cell.append(box);
          return cell;
        }
      },
      {
        label: 'Run',
        order: 'attributes.run_name',
        cell: run => {
          const cell = element('td', 'dsm-name');
          const dot = element('span', `dsm-status dsm-status-${run.status}`);
          dot.title = run.status;
          cell.append(dot, element('span', 'dsm-name-text', run.name));
          cell.title = `${run.name} · ${run.experiment} · ${run.status}\n${run.id}`;
          return cell;
        }
      },
      {
        label: 'Started',
        order: 'attributes.start_time',
        cell: run => {
          const cell = element('td', 'dsm-age', formatAge(run.start_time));
          cell.title = formatTime(run.start_time);
          return cell;
        }
      }
    ];
    const width = this.node.clientWidth || 300;
    const fits = Math.floor((width - NAME_AND_AGE_PX) / METRIC_PX);
    const count = Math.max(1, Math.min(MAX_METRIC_COLUMNS, fits));
    for (const key of metricColumns(this._runs, count)) {
      columns.push({
        label: key,
        order: `metrics.${quotedKey(key)}`,
        numeric: true,
        cell: run => {
          const value = run.metrics[key];
          return element('td', 'dsm-metric', value === undefined ? '' : formatNumber(value));
        }
      });
    }
    return columns;
  }

  private _render(page: RunPage): void {
    const columns = this._columns();
    const [field, direction] = this._order.split(' ');
    const headRow = element('tr', '');
    for (const column of columns) {
      const th = element('th', column.numeric ? 'dsm-numeric' : '');
      if (!column.order) {
        headRow.append(th); // the selection column does not sort
        continue;
      }
      const button = element('button', 'dsm-sort', column.label);
      button.type = 'button';
      button.title = `Sort by ${column.label}`;
      if (column.order === field) {
        button.append(element('span', 'dsm-arrow', direction === 'DESC' ? ' ▼' : ' ▲'));
        th.setAttribute('aria-sort', direction === 'DESC' ? 'descending' : 'ascending');
      }
      button.addEventListener('click', () => this._sortBy(column));
      th.append(button);
      headRow.append(th);
    }
    this._head.replaceChildren(headRow);
    const rows = page.runs.map(run => {
      const row = element('tr', 'dsm-run-row');
      row.dataset.runId = run.id;
      row.append(...columns.map(column => column.cell(run)));
      return row;
    });
    this._body.replaceChildren(...rows);
    const filtered = this._filter.value.trim() !== '' || this._experiment.value !== '';
    this._empty.hidden = page.runs.length > 0;
    this._empty.textContent = filtered
      ? 'No runs match.'
      : 'No runs yet. Start one in a notebook: %start_run baseline';
    this._count.textContent = page.runs.length
      ? `${page.runs.length}${page.more ? '+' : ''} run${page.runs.length === 1 ? '' : 's'}`
      : '';
    this._more.hidden = !page.more || this._limit >= MAX_PAGE;
  }

  private _updateCompare(): void {
    const count = this._selected.size;
    this._compare.textContent = count ? `Compare ${count}` : 'Compare';
    this._compare.disabled = count < 2 || count > 12;
    this._compare.title = count < 2
      ? 'Tick two or more runs to compare them'
      : count > 12 ? 'Compare at most 12 runs at once' : `Compare the ${count} ticked runs`;
  }

  private _sortBy(column: Column): void {
    const [field, direction] = this._order.split(' ');
    const descending = column.order === field ? direction !== 'DESC' : column.numeric === true;
    this._order = `${column.order} ${descending ? 'DESC' : 'ASC'}`;
    void this.refresh();
  }

  private _runs: RunRecord[] = [];
  private _page: RunPage | null = null;
  private _order = 'attributes.start_time DESC';
  private _limit = PAGE;
  private _ticket = 0;
  private _timer = 0;
  private _typing = 0;
  private _storeLine = element('span', 'dsm-store');
  private _experiment = element('select', 'dsm-experiment');
  private _filter = element('input', 'dsm-filter');
  private _error = element('div', 'dsm-error');
  private _table = element('table', 'dsm-runs');
  private _head = element('thead', '');
  private _body = element('tbody', '');
  private _empty = element('div', 'dsm-empty');
  private _count = element('span', 'dsm-count');
  private _more = element('button', 'dsm-more');
  private _compare = element('button', 'dsm-compare-button');
  private _selected = new Set<string>();
}
