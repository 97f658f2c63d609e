// Builds dist/widgets/: orderpulse.js (every widget) and one ESM entry per widget,
// minified, sharing chunks; prints each file's gzip size and fails past the budget.
import { readdirSync, rmSync, statSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import resolve from '@rollup/plugin-node-resolve';
import replace from '@rollup/plugin-replace';
import terser from '@rollup/plugin-terser';
import typescript from '@rollup/plugin-typescript';

const BUDGET_BYTES = 250 * 1024;
// Chunk names carry content hashes: without a clean output, every build would leave the old ones behind.
rmSync('dist/widgets', { recursive: true, force: true });
const widgets = readdirSync('widgets').filter((name) => name.startsWith('op-') && statSync(`widgets/${name}`).isDirectory());

/** Prints every output file's size and gzip size, and the total a page loading everything pays. */
function gzipReport() {
  return {
    name: 'gzip-report',
    generateBundle(_options, bundle) {
      const rows = Object.values(bundle)
        .filter((file) => file.type === 'chunk')
        .map((file) => ({ name: file.fileName, bytes: Buffer.byteLength(file.code), gzip: gzipSync(file.code, { level: 9 }).length }))
        .sort((a, b) => a.name.localeCompare(b.name));
      const kb = (n) => `${(n / 1024).toFixed(1)} KB`.padStart(10);
      for (const row of rows) console.log(`${row.name.padEnd(40)}${kb(row.bytes)}${kb(row.gzip)} gzip`);
      // orderpulse.js plus every chunk it imports is what one script tag loads.
      const entry = Object.values(bundle).find((f) => f.type === 'chunk' && f.fileName === 'orderpulse.js');
      const seen = new Set();
      const visit = (file) => {
        if (seen.has(file.fileName)) return;
        seen.add(file.fileName);
        for (const name of file.imports) visit(bundle[name]);
      };
      visit(entry);
      const total = rows.filter((r) => seen.has(r.name)).reduce((n, r) => n + r.gzip, 0);
      console.log(`orderpulse.js with its chunks: ${(total / 1024).toFixed(1)} KB gzip (budget ${BUDGET_BYTES / 1024} KB)`);
      if (total > BUDGET_BYTES) this.error(`the bundle is ${total} bytes gzip, over the ${BUDGET_BYTES} budget`);
    },
  };
}

export default {
  input: {
    orderpulse: 'widgets/orderpulse.ts',
    ...Object.fromEntries(widgets.map((name) => [name, `widgets/${name}/${name}.ts`])),
  },
  output: { dir: 'dist/widgets', format: 'es', entryFileNames: '[name].js', chunkFileNames: 'chunks/[name]-[hash].js', sourcemap: false },
  plugins: [
    replace({ preventAssignment: true, values: { 'process.env.NODE_ENV': JSON.stringify('production') } }),
    resolve({ browser: true }),
    typescript({ tsconfig: 'tsconfig.json', include: ['widgets/**/*.ts'], noEmit: false, declaration: false, outDir: 'dist/widgets', sourceMap: false, noEmitOnError: true }),
    terser({ format: { comments: false }, compress: { passes: 2 } }),
    gzipReport(),
  ],
};
