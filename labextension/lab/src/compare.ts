// The compare view: the parameters that differ, latest metrics with the best marked, and
// each metric's curves with every run's best step. Opened from the sidebar's selection.
// Plain DOM and SVG built with textContent/attributes only: keys and values are user text.
import { Widget } from '@lumino/widgets';

import { ApiError, requestJson } from './api';
import { formatNumber } from './format';

interface Curve {
  run: number;
  points: [number, number | string | null][];
  best: { step: number; value: number } | null;
}

interface MetricRow {
  key: string;
  lower_is_better: boolean;
  values: (number | string | null)[];
  leader: number | null;
  curves: Curve[];
}

interface Comparison {
  runs: { id: string; name: string; label: string; status: string; experiment: string }[];
  params: { key: string; values: (string | null)[]; differs: boolean }[];
  metrics: MetricRow[];
}

// Tableau 10: distinguishable in light and dark themes.
const COLOURS = [
  '#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f',
  '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac', '#1f77b4', '#2ca02c'
];
const SVG = 'http://www.w3.org/2000/svg';
const CHART_W = 320;
const CHART_H = 150;
const PAD = { left: 46, right: 10, top: 8, bottom: 22 };

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

function svg(tag: string, attributes: Record<string, string | number>): SVGElement {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) {
    node.setAttribute(name, String(value));
  }
  return node;
}

export class CompareView extends Widget {
  constructor(readonly runIds: string[]) {
    super();
    this.addClass('dsm-compare');
    this.title.label = `Compare ${runIds.length} runs`;
    this.title.closable = true;
    this.node.tabIndex = -1;
    void this.load();
  }

  async load(): Promise<void> {
    this.node.replaceChildren(element('div', 'dsm-compare-loading', 'Loading…'));
    try {
      const query = new URLSearchParams();
      for (const id of this.runIds) {
        query.append('run', id);
      }
      const data = await requestJson<Comparison>(`compare?${query.toString()}`);
      this._render(data);
    } catch (error) {
      const message = error instanceof ApiError ? error.message : String(error);
      this.node.replaceChildren(element('div', 'dsm-compare-error', message));
    }
  }

  private _render(data: Comparison): void {
    const header = element('div', 'dsm-compare-header');
    header.append(element('h2', 'dsm-compare-title', `Comparing ${data.runs.length} runs`));
    const reload = element('button', 'dsm-compare-reload', 'Refresh');
    reload.type = 'button';
    reload.addEventListener('click', () => void this.load());
    header.append(reload);
    const legend = element('div', 'dsm-legend');
    data.runs.forEach((run, index) => {
      const item = element('span', 'dsm-legend-item');
      const swatch = element('span', 'dsm-swatch');
      swatch.style.background = COLOURS[index % COLOURS.length];
      item.append(swatch, element('span', '', run.label));
      item.title = `${run.name} · ${run.experiment} · ${run.status}\n${run.id}`;
      legend.append(item);
    });
    this.node.replaceChildren(header, legend, this._params(data), this._metrics(data),
      this._charts(data));
  }

  private _params(data: Comparison): HTMLElement {
    const section = element('section', 'dsm-compare-params');
    const title = element('h3', '', 'Parameters');
    const differing = data.params.filter(p => p.differs).length;
    const toggle = element('label', 'dsm-only-differing');
    const box = element('input', '');
    box.type = 'checkbox';
    box.checked = differing > 0;
    toggle.append(box, document.createTextNode(` only the ${differing} that differ`));
    title.append(toggle);
    const table = this._table(data, data.params.map(param => ({
      key: param.key,
      cells: param.values.map(value => value ?? '—'),
      className: param.differs ? 'dsm-differs' : 'dsm-same',
      leader: null as number | null
    })));
    const apply = () => table.classList.toggle('dsm-hide-same', box.checked);
    box.addEventListener('change', apply);
    apply();
    section.append(title, data.params.length ? table : element('p', 'dsm-none', 'No parameters.'));
    return section;
  }

  private _metrics(data: Comparison): HTMLElement {
    const section = element('section', 'dsm-compare-metrics');
    section.append(element('h3', '', 'Metrics (latest)'));
    const table = this._table(data, data.metrics.map(metric => ({
      key: metric.key,
      cells: metric.values.map(value => (value === null ? '—' : formatNumber(value))),
      className: '',
      leader: metric.leader,
      hint: metric.lower_is_better ? 'lower is better' : 'higher is better'
    })));
    section.append(data.metrics.length ? table : element('p', 'dsm-none', 'No metrics.'));
    return section;
  }

  private _table(
    data: Comparison,
    rows: { key: string; cells: string[]; className: string; leader: number | null; hint?: string }[]
  ): HTMLTableElement {
    const table = element('table', 'dsm-compare-table');
    const head = element('tr', '');
    head.append(element('th', ''));
    data.runs.forEach((run, index) => {
      const th = element('th', '', run.label);
      th.style.borderBottomColor = COLOURS[index % COLOURS.length];
      head.append(th);
    });
    const thead = element('thead', '');
    thead.append(head);
    const tbody = element('tbody', '');
    for (const row of rows) {
      const tr = element('tr', row.className);
      const key = element('th', 'dsm-key', row.key);
      if (row.hint) {
        key.title = row.hint;
      }
      tr.append(key);
      row.cells.forEach((text, index) => {
        const td = element('td', index === row.leader ? 'dsm-leader' : '', text);
        if (index === row.leader) {
          td.title = `best (${row.hint})`;
        }
        tr.append(td);
      });
      tbody.append(tr);
    }
    table.append(thead, tbody);
    return table;
  }

  private _charts(data: Comparison): HTMLElement {
    const section = element('section', 'dsm-compare-curves');
    const drawable = data.metrics.filter(m => m.curves.some(c => c.points.length > 1));
    if (!drawable.length) {
      return section;
    }
    section.append(element('h3', '', 'Curves'));
    const grid = element('div', 'dsm-chart-grid');
    for (const metric of drawable) {
      grid.append(this._chart(data, metric));
    }
    section.append(grid);
    return section;
  }

  private _chart(data: Comparison, metric: MetricRow): HTMLElement {
    const figure = element('figure', 'dsm-chart');
    const numbers = (points: Curve['points']) =>
      points.filter((p): p is [number, number] => typeof p[1] === 'number');
    const all = metric.curves.flatMap(c => numbers(c.points));
    const steps = all.map(p => p[0]);
    const values = all.map(p => p[1]);
    const [x0, x1] = [Math.min(...steps), Math.max(...steps)];
    let [y0, y1] = [Math.min(...values), Math.max(...values)];
    if (y0 === y1) {
      [y0, y1] = [y0 - 1, y1 + 1];
    }
    const x = (step: number) =>
      PAD.left + ((step - x0) / (x1 - x0 || 1)) * (CHART_W - PAD.left - PAD.right);
    const y = (value: number) =>
      CHART_H - PAD.bottom - ((value - y0) / (y1 - y0)) * (CHART_H - PAD.top - PAD.bottom);
    const chart = svg('svg', {
      viewBox: `0 0 ${CHART_W} ${CHART_H}`, width: CHART_W, height: CHART_H, role: 'img'
    });
    chart.append(
      svg('line', { x1: PAD.left, x2: CHART_W - PAD.right, y1: CHART_H - PAD.bottom,
        y2: CHART_H - PAD.bottom, class: 'dsm-axis' }),
      svg('line', { x1: PAD.left, x2: PAD.left, y1: PAD.top, y2: CHART_H - PAD.bottom,
        class: 'dsm-axis' })
    );
    const label = (text: string, attributes: Record<string, string | number>) => {
      const node = svg('text', { class: 'dsm-tick', ...attributes });
      node.textContent = text;
      chart.append(node);
    };
    label(formatNumber(y1), { x: PAD.left - 4, y: PAD.top + 4, 'text-anchor': 'end' });
    label(formatNumber(y0), { x: PAD.left - 4, y: CHART_H - PAD.bottom, 'text-anchor': 'end' });
    label(`step ${x0}`, { x: PAD.left, y: CHART_H - 6, 'text-anchor': 'start' });
    label(String(x1), { x: CHART_W - PAD.right, y: CHART_H - 6, 'text-anchor': 'end' });
    const notes: string[] = [];
    for (const curve of metric.curves) {
      const colour = COLOURS[curve.run % COLOURS.length];
      const points = numbers(curve.points);
      chart.append(svg('polyline', {
        points: points.map(p => `${x(p[0]).toFixed(1)},${y(p[1]).toFixed(1)}`).join(' '),
        fill: 'none', stroke: colour, 'stroke-width': 1.5, class: 'dsm-curve'
      }));
      if (curve.best) {
        chart.append(svg('circle', {
          cx: x(curve.best.step), cy: y(curve.best.value), r: 3.5, fill: colour,
          class: 'dsm-best'
        }));
        notes.push(`${data.runs[curve.run].label}: ${formatNumber(curve.best.value)} at step ${curve.best.step}`);
      }
    }
    const caption = element('figcaption', '');
    caption.append(element('strong', '', metric.key), document.createTextNode(
      ` · best (${metric.lower_is_better ? 'lowest' : 'highest'}): ${notes.join('; ')}`));
    figure.append(chart, caption);
    return figure;
  }
}
