import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * One temporary directory per test run, removed when the run ends: the tests make their stores and
 * exports under os.tmpdir(), and a run used to leave about 60 directories (100 MB) behind. The
 * workers and the services they start inherit TMPDIR, and os.tmpdir() reads it on every call.
 */
export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'orderpulse-tests-'));
  process.env.TMPDIR = dir;
  return () => rmSync(dir, { recursive: true, force: true });
}
