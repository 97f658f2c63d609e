import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LIST, VARCHAR, listValue } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Database } from '../../server/db/database.js';
import { importPreset, openStore, rows } from './helpers.js';

/**
 * The importer's one date-time parser (sql/macros/import.sql, op_parse_instant) over real-world
 * spellings, each with the instant it means, read in a store in Asia/Shanghai (UTC+8) with the
 * formats a mapping for such exports would list.
 */

const FORMATS = ['%m/%d/%Y %H:%M', '%d.%m.%Y %H:%M', '%d.%m.%Y', '%m-%d-%y', '%Y/%m/%d %H:%M:%S'];
const us = (iso: string) => BigInt(Date.parse(iso)) * 1000n;

const MATRIX: [string, string, bigint | null][] = [
  ['ISO with a space', '2024-03-01 10:02:03', us('2024-03-01T02:02:03Z')],
  ['ISO with T', '2024-03-01T10:02:03', us('2024-03-01T02:02:03Z')],
  ['ISO without seconds', '2024-03-01 10:02', us('2024-03-01T02:02:00Z')],
  ['ISO with milliseconds', '2024-03-01T10:02:03.123', us('2024-03-01T02:02:03.123Z')],
  ['ISO with microseconds and Z', '2024-03-01T10:02:03.123456Z', us('2024-03-01T10:02:03.123Z') + 456n],
  ['ISO with Z', '2024-03-01T10:02:03Z', us('2024-03-01T10:02:03Z')],
  ['ISO with +08:00', '2024-03-01T10:02:03+08:00', us('2024-03-01T02:02:03Z')],
  ['ISO with -05:00', '2024-03-01T10:02:03-05:00', us('2024-03-01T15:02:03Z')],
  ['Shopify, +0800 after a space', '2024-03-01 10:02:03 +0800', us('2024-03-01T02:02:03Z')],
  ['offset in hours only', '2024-03-01 10:02:03+08', us('2024-03-01T02:02:03Z')],
  ['BigQuery, UTC suffix', '2024-03-01 10:02:03 UTC', us('2024-03-01T10:02:03Z')],
  ['GMT suffix', '2024-03-01 10:02:03 GMT', us('2024-03-01T10:02:03Z')],
  ['UTC+08:00 suffix', '2024-03-01 10:02:03 UTC+08:00', us('2024-03-01T02:02:03Z')],
  ['IANA name in brackets', '2024-03-01 10:02:03 [Europe/Berlin]', us('2024-03-01T09:02:03Z')],
  ['IANA name after a space', '2024-03-01 10:02:03 America/New_York', us('2024-03-01T15:02:03Z')],
  ['IANA name in summer time', '2024-07-01 10:02:03 [America/New_York]', us('2024-07-01T14:02:03Z')],
  ['date only', '2024-03-01', us('2024-02-29T16:00:00Z')],
  ['date without zero padding', '2024-3-1', us('2024-02-29T16:00:00Z')],
  ['date with UTC', '2024-03-01 UTC', us('2024-03-01T00:00:00Z')],
  ['Excel M/D/YYYY H:MM', '3/1/2024 10:02', us('2024-03-01T02:02:00Z')],
  ['Excel, year end', '12/31/2024 23:59', us('2024-12-31T15:59:00Z')],
  ['German DD.MM.YYYY HH:MM', '01.03.2024 10:02', us('2024-03-01T02:02:00Z')],
  ['German date', '01.03.2024', us('2024-02-29T16:00:00Z')],
  ['US MM-DD-YY', '03-01-24', us('2024-02-29T16:00:00Z')],
  ['slashes, year first', '2024/03/01 10:02:03', us('2024-03-01T02:02:03Z')],
  ['Unix seconds', '1709287323', us('2024-03-01T10:02:03Z')],
  ['Unix seconds with a fraction', '1709287323.5', us('2024-03-01T10:02:03.500Z')],
  ['Unix milliseconds', '1709287323123', us('2024-03-01T10:02:03.123Z')],
  ['Chinese date and time', '2024年3月1日 10:02', us('2024-03-01T02:02:00Z')],
  ['Chinese, padded, with seconds', '2024年03月01日 10:02:03', us('2024-03-01T02:02:03Z')],
  ['Chinese date', '2024年3月1日', us('2024-02-29T16:00:00Z')],
  ['Chinese full-width colon', '2024年3月1日 10：02', us('2024-03-01T02:02:00Z')],
  // Never a dropped suffix: understood above, or no instant at all.
  ['an unknown word after the time', '2024-03-01 10:02:03 XYZ', null],
  ['an unknown IANA name', '2024-03-01 10:02:03 [Mars/Base]', null],
  ['an offset beyond 18 hours', '2024-03-01 10:02:03 +25:00', null],
  ['UTC followed by more text', '2024-03-01 10:02:03 UTC later', null],
  ['a day that does not exist', '2024-02-30', null],
  ['words', 'yesterday', null],
];

let db: Database;
beforeAll(async () => {
  db = await openStore();
});
afterAll(() => db.close());

describe('date-time spellings', () => {
  test.each(MATRIX)('%s: %s', async (_name, value, expected) => {
    const [row] = await db.query(`SELECT epoch_us(op_parse_instant($v, 'Asia/Shanghai', $formats))::VARCHAR AS us`, { v: value, formats: listValue(FORMATS) }, { v: VARCHAR, formats: LIST(VARCHAR) });
    expect(row!.us === null ? null : BigInt(row!.us as string)).toBe(expected);
  });

  test('an import never shifts a UTC-suffixed time, and rejects one whose suffix it cannot read', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'op-ts-'));
    const path = join(dir, 'orders.csv');
    writeFileSync(path, 'order_id,channel,created_at\nT1,jd,2019-10-01 00:00:00 UTC\nT2,jd,2019-10-01 00:00:00 [Asia/Tokyo]\n');
    await importPreset(db, 'canonical', [path]);
    expect(await rows(db, `SELECT order_id, strftime(created_at AT TIME ZONE 'UTC', '%Y-%m-%d %H:%M') AS utc FROM orders ORDER BY 1`)).toEqual([
      { order_id: 'T1', utc: '2019-10-01 00:00' },
      { order_id: 'T2', utc: '2019-09-30 15:00' },
    ]);
    writeFileSync(path, 'order_id,channel,created_at\nT3,jd,2019-10-01 00:00:00 PST\n');
    const rejected = await importPreset(db, 'canonical', [path]).catch((e: { details: { problems: unknown[] } }) => e.details.problems);
    expect(rejected).toEqual([{ file: 'orders.csv', line: 2, column: 'created_at', reason: "not a date-time: '2019-10-01 00:00:00 PST' (expected ISO 8601 or one of the mapping's timestampFormats)" }]);
  });
});
