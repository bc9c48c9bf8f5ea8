// Requests to dsmagic's Jupyter server extension. ServerConnection adds the server's token
// and XSRF header, so these endpoints need nothing of their own.
import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

export interface RunRecord {
  id: string;
  name: string;
  experiment: string;
  status: string;
  start_time: number;
  end_time: number | null;
  parent_id: string | null;
  params: Record<string, string>;
  metrics: Record<string, number | string>;
  tags: Record<string, string>;
}

export interface RunPage {
  runs: RunRecord[];
  more: boolean;
}

export interface Experiment {
  id: number;
  name: string;
  runs: number;
}

export interface StoreStatus {
  store: string;
  home: string;
  revision: string | null;
  state?: string;
  exists: boolean;
}

/** A failure the server explained in one line (bad filter, store that cannot be opened). */
export class ApiError extends Error {}

export async function requestJson<T>(
  path: string,
  query: Record<string, string> = {}
): Promise<T> {
  const settings = ServerConnection.makeSettings();
  const params = new URLSearchParams(query).toString();
  const url = URLExt.join(settings.baseUrl, 'dsmagic/api', path) + (params ? `?${params}` : '');
  let response: Response;
  try {
    response = await ServerConnection.makeRequest(url, {}, settings);
  } catch (error) {
    throw new ApiError(`cannot reach the Jupyter server: ${String(error)}`);
  }
  let body: any = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  if (!response.ok) {
    const message = body && typeof body.error === 'string' ? body.error : body?.message;
    throw new ApiError(message || `the server answered ${response.status}`);
  }
  return body as T;
}
