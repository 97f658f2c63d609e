import type { MetricEnvelope } from './envelope.js';

/** Gives a fresh embed token (a call to the host's backend); widgets call it again when one expires. */
export type TokenProvider = () => string | Promise<string>;
/**
 * The service's metric envelope: its one definition is the service's (types only, so no server code
 * enters the bundle); an order list's answer, read the same way, may lack dataUpdatedAt.
 */
export type MetricResult = Omit<MetricEnvelope, 'meta'> & { meta: Omit<MetricEnvelope['meta'], 'dataUpdatedAt'> & { dataUpdatedAt?: string | null } };

/** A failed request, with the service's own message when it sent one. */
export class MetricRequestError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
  ) {
    super(message);
  }
}

interface Shared {
  promise: Promise<MetricResult>;
  controller: AbortController;
  users: number;
}

/** Requests in flight, by URL and token: widgets asking the same question share one fetch. */
const inFlight = new Map<string, Shared>();

/** A service URL: `path` with the given parameters, sorted (one URL per question), empty ones left out. */
export function serviceUrl(api: string, path: string, params: Record<string, string | undefined>): string {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params).sort(([a], [b]) => a.localeCompare(b))) {
    if (value !== undefined && value !== '') query.set(key, value);
  }
  const search = query.toString();
  return `${api.replace(/\/+$/, '')}${path}${search ? `?${search}` : ''}`;
}

export function metricUrl(api: string, metric: string, params: Record<string, string | undefined>): string {
  return serviceUrl(api, `/api/metrics/${metric}`, params);
}

async function request(url: string, token: string | undefined, signal: AbortSignal): Promise<MetricResult> {
  let response: Response;
  try {
    response = await fetch(url, { signal, headers: token ? { Authorization: `Bearer ${token}` } : {} });
  } catch (error) {
    if (signal.aborted) throw error;
    throw new MetricRequestError('the OrderPulse service cannot be reached', 0, 'network');
  }
  const body = (await response.json().catch(() => null)) as (MetricResult & { error?: { code: string; message: string } }) | null;
  if (!response.ok || !body) {
    throw new MetricRequestError(body?.error?.message ?? `the service answered ${response.status}`, response.status, body?.error?.code ?? 'http');
  }
  return body;
}

/**
 * Fetches a metric. Identical requests in flight share one fetch; it is
 * aborted only when every caller sharing it has aborted.
 */
export function fetchMetric(url: string, token: string | undefined, signal: AbortSignal): Promise<MetricResult> {
  const key = `${token ?? ''} ${url}`;
  let shared = inFlight.get(key);
  if (!shared) {
    const controller = new AbortController();
    const promise = request(url, token, controller.signal).finally(() => {
      if (inFlight.get(key) === entry) inFlight.delete(key);
    });
    const entry: Shared = { promise, controller, users: 0 };
    inFlight.set(key, entry);
    shared = entry;
  }
  const current = shared;
  current.users++;
  return new Promise<MetricResult>((resolve, reject) => {
    const onAbort = () => {
      current.users--;
      if (current.users === 0) {
        current.controller.abort();
        if (inFlight.get(key) === current) inFlight.delete(key);
      }
      reject(signal.reason ?? new DOMException('aborted', 'AbortError'));
    };
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    current.promise.then(
      (result) => {
        signal.removeEventListener('abort', onAbort);
        current.users--;
        resolve(result);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        current.users--;
        reject(error);
      },
    );
  });
}
