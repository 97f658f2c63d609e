import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, test } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const settings = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'server/cli/settings.ts', ...args], { cwd: ROOT, encoding: 'utf8' });

describe('npm run settings', () => {
  test('changes and shows a tenant settings without a server; a bad value exits 1 naming the key', () => {
    const db = join(mkdtempSync(join(tmpdir(), 'op-settings-')), 'store.duckdb');
    const changed = settings('--db', db, '--pipeline', 'view,cart,purchase', '--time-zone', 'europe/berlin');
    expect(changed.status, changed.stderr).toBe(0);
    expect(JSON.parse(changed.stdout)).toMatchObject({ pipeline: ['view', 'cart', 'purchase'], timeZone: 'Europe/Berlin', dataVersion: 1 });
    const shown = JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', 'server/cli/settings.ts', '--db', db, '--show'], { cwd: ROOT, encoding: 'utf8' }));
    expect(shown.pipeline).toEqual(['view', 'cart', 'purchase']);
    const bad = settings('--db', db, '--pipeline', 'only');
    expect(bad.status).toBe(1);
    expect(bad.stderr.trim()).toBe('settings failed: invalid settings: pipeline: Too small: expected array to have >=2 items');
  }, 60_000);
});
