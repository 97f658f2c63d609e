import autocannon from 'autocannon';

/**
 * Requests/s and latency with `connections` concurrent clients cycling
 * through `paths` (mixed metrics and filters), after one pass warmed the
 * cache. autocannon runs in a worker thread so the load generator does not
 * share the service's event loop.
 */
export async function benchLoad(base: string, paths: string[], connections = 16, seconds = 10) {
  for (const path of paths) {
    const res = await fetch(base + path);
    if (res.status !== 200) throw new Error(`${path} → ${res.status}`);
    await res.arrayBuffer();
  }
  const result = await autocannon({
    url: base,
    connections,
    duration: seconds,
    workers: 1,
    requests: paths.map((path) => ({ method: 'GET' as const, path })),
  });
  return {
    connections,
    seconds,
    paths: paths.length,
    requestsPerSec: Math.round(result.requests.average),
    latencyMedian: result.latency.p50,
    latencyP99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
  };
}
