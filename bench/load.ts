import autocannon from 'autocannon';

/**
 * Requests/s and latency with `connections` concurrent clients cycling
 * through `paths` (mixed metrics and filters), after one pass warmed the
 * cache. autocannon runs in a worker thread so the load generator does not
 * share the service's event loop.
 */
export async function benchLoad(base: string, candidates: string[], connections = 16, seconds = 10) {
  const paths: string[] = [];
  for (const path of candidates) {
    const res = await fetch(base + path);
    await res.arrayBuffer();
    if (res.status === 200) paths.push(path); // a metric that failed at this size is left out
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
