// Imported first by main.ts, before anything touches libuv's thread pool: every
// @duckdb/node-api call runs on that pool (4 threads by default), and when all
// are busy the whole process stalls (duckdb-node-neo issue #325). Queries are
// bounded by the reader pool (2) and the single writer, so 8 leaves room for
// file reads and DNS beside them.
process.env.UV_THREADPOOL_SIZE ??= '8';
export {};
