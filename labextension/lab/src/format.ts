// How values read in a narrow sidebar.

export function formatNumber(value: number | string): string {
  if (typeof value === 'string') {
    return value; // NaN, inf, -inf, spelled out by the server
  }
  if (Number.isInteger(value) && Math.abs(value) < 1e6) {
    return String(value);
  }
  const text = Math.abs(value) >= 1e-3 && Math.abs(value) < 1e6
    ? value.toPrecision(4)
    : value.toExponential(3);
  return text.includes('e') ? text : text.replace(/\.?0+$/, '');
}

export function formatAge(seconds: number, now: number = Date.now() / 1000): string {
  const age = Math.max(0, now - seconds);
  if (age < 60) {
    return `${Math.floor(age)} s`;
  }
  if (age < 3600) {
    return `${Math.floor(age / 60)} min`;
  }
  if (age < 86400) {
    return `${Math.floor(age / 3600)} h`;
  }
  return new Date(seconds * 1000).toISOString().slice(0, 10);
}

export function formatTime(seconds: number): string {
  return new Date(seconds * 1000).toLocaleString();
}

/** The metric keys worth a column: the most common among ``runs``, at most ``limit``. */
export function metricColumns(
  runs: { metrics: Record<string, unknown> }[],
  limit: number
): string[] {
  const counts = new Map<string, number>();
  for (const run of runs) {
    for (const key of Object.keys(run.metrics)) {
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, limit)
    .map(([key]) => key);
}
