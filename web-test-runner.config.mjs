// Widget tests in Debian's Chromium against the real service over the metrics fixture.
import { spawn } from 'node:child_process';
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { chromeLauncher } from '@web/test-runner-chrome';

const server = spawn(process.execPath, ['--import', 'tsx', 'test/widgets/fixture-server.ts'], { stdio: ['ignore', 'pipe', 'inherit'] });
process.on('exit', () => server.kill());
const port = await new Promise((resolve, reject) => {
  server.stdout.on('data', (chunk) => {
    const match = /listening (\d+)/.exec(String(chunk));
    if (match) resolve(Number(match[1]));
  });
  server.once('exit', (code) => reject(new Error(`fixture server exited with ${code}`)));
});

export default {
  files: ['test/widgets/**/*.test.ts'],
  nodeResolve: true,
  concurrency: 1,
  testFramework: { config: { timeout: 20000 } },
  plugins: [esbuildPlugin({ ts: true, target: 'es2022', tsconfig: 'tsconfig.json' })],
  browsers: [
    chromeLauncher({
      launchOptions: {
        executablePath: process.env.CHROME_PATH ?? '/usr/bin/chromium',
        headless: true,
        args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
      },
    }),
  ],
  // ECharts' lib reads process.env.NODE_ENV; the bundle replaces it at build time, the tests shim it.
  testRunnerHtml: (testFramework) => `<html><head>
    <script>window.process = { env: { NODE_ENV: 'development' } }; window.OP_API = 'http://127.0.0.1:${port}';</script>
  </head><body><script type="module" src="${testFramework}"></script></body></html>`,
};
