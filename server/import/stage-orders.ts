import type { ImportContext } from './import-context.js';
import { ORDER_FIELDS, specColumn, stageColumnName, type FieldType, type Mapping, type OrderField, type StageColumn } from './mapping.js';
import { SQL_TYPE, columnValueSql, fieldAggregateSql } from './field-sql.js';
import { cleanText } from './sql-text.js';
import { CHANNEL_PATTERN, notChannelCodeSql } from '../channel-code.js';

type OrdersSection = NonNullable<Mapping['orders']>;
type Lookup = NonNullable<OrdersSection['lookups']>[number];
const ORDER_FIELD_NAMES = Object.keys(ORDER_FIELDS) as OrderField[];

/**
 * Builds `stg_orders` (one row per order, canonical columns, `__line` = first
 * line of the order) and the stage events its timestamp and status columns
 * imply, into `stg_events`. Rejected lines go to `import_problems`.
 */
export async function stageOrders(ctx: ImportContext, section: OrdersSection): Promise<void> {
  const input = section.input;
  const keys = Array.isArray(section.key) ? section.key : [section.key];
  const available = ctx.columnsOf(input);
  const stageSpecs = Object.entries(section.stages ?? {}) as [string, StageColumn][];
  const status = section.statusStages;
  ctx.requireColumns(input, [
    ...ctx.checkColumns(input, keys.map((key) => ['order key', key]), ['order key']),
    ...ctx.checkColumns(input, Object.entries(section.fields), ['order_id', 'created_at']),
    ...ctx.checkColumns(input, stageSpecs),
    ...ctx.checkColumns(input, status ? [['statusStages', status.column], ...(status.at ? [['statusStages.at', status.at] as [string, string]] : [])] : []),
  ]);
  const stages = stageSpecs.map(([stage, spec]) => [stage, stageColumnName(spec)] as [string, string]);

  await ctx.rejectUnparseable(input, [
    ...parsedColumns(section.fields),
    ...stages.map(([, column]) => [column, 'instant'] as [string, FieldType]),
    ...(status?.at ? [[status.at, 'instant'] as [string, FieldType]] : []),
  ]);
  for (const [field, spec] of Object.entries(section.fields)) {
    const column = spec && specColumn(spec);
    if (column && ORDER_FIELDS[field as OrderField] === 'instant') ctx.noteField(input, column, field);
  }
  for (const [stage, column] of stages) ctx.noteField(input, column, stage);
  for (const key of keys) {
    await ctx.reject(input, `in_${input}`, `${cleanText(key)} IS NULL`, key, `'the order key is empty'`);
  }
  if (!section.multiLine) {
    const keySql = keys.map(cleanText);
    await ctx.rejectRepeats(input, `in_${input}`, keySql, keys.at(-1)!, `'order ' || concat_ws(' ', ${keySql.join(', ')})`);
  }
  const source = await ctx.cleanSource(input);

  const lookups = section.lookups ?? [];
  // Channel codes are lower-cased once every source of them is in: here, unless a lookup can fill
  // them, then in a copy after the lookups (the copy cost 135 ms for 100k orders).
  const fieldSql = ORDER_FIELD_NAMES.map((field) => {
    const spec = section.fields[field];
    const sql = spec ? fieldAggregateSql(spec, ORDER_FIELDS[field], available, ctx.constants, !section.multiLine) : `NULL::${SQL_TYPE[ORDER_FIELDS[field]]}`;
    return `${field === 'channel' && lookups.length === 0 ? `lower(${sql})` : sql} AS ${field}`;
  });
  const stageSql = stages.map(([, column], i) =>
    available.has(column) ? `min(${columnValueSql('instant', column, available)}) AS __stage_${i}` : `NULL::TIMESTAMPTZ AS __stage_${i}`,
  );
  const statusSql = status
    ? [
        `first(lower(${cleanText(status.column)})${section.multiLine ? ' ORDER BY __line' : ''}) AS __status`,
        status.at ? `min(${columnValueSql('instant', status.at, available)}) AS __status_at` : 'NULL::TIMESTAMPTZ AS __status_at',
      ].join(', ')
    : 'NULL::VARCHAR AS __status, NULL::TIMESTAMPTZ AS __status_at';
  // The identity: the source and the key columns' values (the channel's lower-cased, as stored), never a looked-up value.
  const channelColumn = section.fields.channel === undefined ? undefined : specColumn(section.fields.channel);
  const keyParts = keys.map((key) => (key === channelColumn ? `lower(${cleanText(key)})` : cleanText(key)));
  const sourceName = ctx.constants.bind(ctx.mapping.name);
  const identitySql = `any_value(concat_ws(chr(31), ${sourceName}, ${keyParts.join(', ')})) AS order_key, ${sourceName} AS source`;
  // Which fields this file states (its word on them, an empty cell included): those read from a
  // column it has. A field given only by a constant is a default: it fills a new order, never
  // overwrites a stored value (commit.ts). Lookups add theirs below.
  const statedSql = ORDER_FIELD_NAMES.map((field) => {
    const spec = section.fields[field];
    const column = spec && specColumn(spec);
    return `${column !== undefined && available.has(column)} AS __stated_${field}`;
  });
  await ctx.run(
    `CREATE OR REPLACE TEMP TABLE ${lookups.length === 0 ? 'stg_orders' : 'm_orders'} AS
     SELECT min(__line) AS __line, ${[...fieldSql, ...stageSql, statusSql, identitySql, ...statedSql, 'false AS __lookup_only'].join(',\n')}
     FROM ${source} GROUP BY ${keys.map(cleanText).join(', ')}`,
  );
  if (lookups.length > 0) {
    const present = lookups.filter((lookup) => ctx.inputs.has(lookup.input));
    for (const [i, lookup] of present.entries()) await buildLookup(ctx, lookup, i);
    await addLookupOnlyOrders(ctx, present);
    let current = 'm_orders';
    for (const [i, lookup] of present.entries()) current = await joinLookup(ctx, current, lookup, i);
    await ctx.run(`CREATE OR REPLACE TEMP TABLE stg_orders AS SELECT * REPLACE (lower(channel) AS channel) FROM ${current}`);
  }
  await rejectInvalidOrders(ctx, section);
  await ctx.dropRejected(input, 'stg_orders');
  const statusStages = status ? Object.values(status.values).flat() : [];
  ctx.noteSource(
    input,
    [...keys, ...(status ? [status.column] : [])],
    [...stages.filter(([, column]) => available.has(column)).map(([stage]) => stage), ...statusStages],
    status && !status.at ? statusStages : [],
  );
  if (status && !status.at) {
    ctx.warnings.push(
      `${ctx.inputs.get(input)!.file}: statusStages has no "at" column: ${[...new Set(statusStages)].join(', ')} ` +
        `are stored without a time: counted as reached (and as settled, for a terminal stage), never in a duration or a funnel step; map the status's date as "at" to time them`,
    );
  }
  await deriveStageEvents(ctx, stages.filter(([, column]) => available.has(column)), status);
}

/** The columns that order `fields` read, with the type each is parsed as. */
function parsedColumns(fields: OrdersSection['fields']): [string, FieldType][] {
  return Object.entries(fields).flatMap(([field, spec]) => {
    const column = spec && specColumn(spec);
    return column ? [[column, ORDER_FIELDS[field as OrderField]] as [string, FieldType]] : [];
  });
}

/** Reads a second input (payments, items, products…) into `lookup_<i>`: one row per value of its key. */
async function buildLookup(ctx: ImportContext, lookup: Lookup, i: number): Promise<void> {
  const available = ctx.columnsOf(lookup.input);
  ctx.requireColumns(lookup.input, [...ctx.checkColumns(lookup.input, [['lookup key', lookup.key]], ['lookup key']), ...ctx.checkColumns(lookup.input, Object.entries(lookup.fields))]);
  await ctx.rejectUnparseable(lookup.input, parsedColumns(lookup.fields));
  const source = await ctx.cleanSource(lookup.input);
  const fields = Object.entries(lookup.fields) as [OrderField, NonNullable<Lookup['fields'][OrderField]>][];
  await ctx.run(
    `CREATE OR REPLACE TEMP TABLE lookup_${i} AS
     SELECT ${cleanText(lookup.key)} AS __k, ${fields.map(([f, spec]) => `${fieldAggregateSql(spec, ORDER_FIELDS[f], available, ctx.constants)} AS ${f}`).join(', ')}
     FROM ${source} WHERE ${cleanText(lookup.key)} IS NOT NULL GROUP BY 1`,
  );
}

/**
 * Stored orders of this source that a lookup joined on an order field names but the orders file
 * does not hold: a later batch of payments updates the orders an earlier batch brought. They state
 * only what their lookups give; everything else stays as stored. Lookups on other fields (products
 * by sku) fill the orders this import holds, not every stored order sharing the value.
 */
async function addLookupOnlyOrders(ctx: ImportContext, lookups: Lookup[]): Promise<void> {
  const named = lookups.flatMap((lookup, i) => {
    const on = lookup.on ?? 'order_id';
    return on === 'order_id' ? [`o.order_id IN (SELECT __k FROM lookup_${i})`] : [];
  });
  if (named.length === 0) return;
  const columns = ORDER_FIELD_NAMES.map((f) => `o.${f}`).join(', ');
  await ctx.run(
    `INSERT INTO m_orders BY NAME
     SELECT NULL::BIGINT AS __line, ${columns}, o.order_key, o.source, true AS __lookup_only,
       ${ORDER_FIELD_NAMES.map((f) => `false AS __stated_${f}`).join(', ')}
     FROM orders o
     WHERE o.tenant_id = ${ctx.constants.bind(ctx.tenant)} AND o.source = ${ctx.constants.bind(ctx.mapping.name)}
       AND (${named.join(' OR ')}) AND o.order_key NOT IN (SELECT order_key FROM m_orders)`,
  );
}

/**
 * Fills order fields from `lookup_<i>` joined on an order field. A lookup value wins over the
 * orders file's; with the lookup's input in the import, its fields are stated for the orders the
 * file holds (no matching row: the orders file's value or default), and for a stored order it
 * updates, only where it matched.
 */
async function joinLookup(ctx: ImportContext, current: string, lookup: Lookup, i: number) {
  const fields = Object.keys(lookup.fields) as OrderField[];
  const next = `m_orders_${i}`;
  const on = lookup.on ?? 'order_id';
  await ctx.run(
    `CREATE OR REPLACE TEMP TABLE ${next} AS
     SELECT o.* REPLACE (${fields
       .map((f) => `coalesce(l.${f}, o.${f}) AS ${f}, (o.__stated_${f} OR NOT o.__lookup_only OR l.__k IS NOT NULL) AS __stated_${f}`)
       .join(', ')})
     FROM ${current} o LEFT JOIN lookup_${i} l ON l.__k = CAST(o.${on} AS VARCHAR)`,
  );
  return next;
}

async function rejectInvalidOrders(ctx: ImportContext, section: OrdersSection): Promise<void> {
  const input = section.input;
  const columnOf = (field: OrderField) => {
    const spec = section.fields[field];
    return (spec && specColumn(spec)) ?? field;
  };
  await ctx.reject(input, 'stg_orders', 'order_id IS NULL', columnOf('order_id'), `'order_id is empty'`);
  await ctx.reject(input, 'stg_orders', 'created_at IS NULL', columnOf('created_at'), `'created_at is empty'`);
  await ctx.reject(input, 'stg_orders', 'channel IS NULL', columnOf('channel'), `'channel is empty'`);
  await ctx.reject(
    input,
    'stg_orders',
    `NOT regexp_full_match(channel, '${CHANNEL_PATTERN}')`,
    columnOf('channel'),
    notChannelCodeSql('channel'),
  );
  await ctx.reject(input, 'stg_orders', 'amount < 0', columnOf('amount'), `'amount is negative: ' || amount`);
  await ctx.reject(input, 'stg_orders', 'quantity < 0', columnOf('quantity'), `'quantity is negative: ' || quantity`);
  // Different keys can still name one order (e.g. a key column other than order_id).
  await ctx.rejectRepeats(input, 'stg_orders', ['channel', 'order_id'], columnOf('order_id'), `'order ' || order_id || ' of channel ' || channel`);
}

/** Stage events from timestamp columns, and from status values (at their `at` column, else untimed). */
async function deriveStageEvents(
  ctx: ImportContext,
  stages: [string, string][],
  status: OrdersSection['statusStages'] | undefined,
): Promise<void> {
  // Each claim names the source and the column that gave it: a newer import of the source replaces it.
  const origin = (what: string) => ctx.constants.bind(`${ctx.mapping.name}/${what}`);
  const parts = stages.map(
    ([stage, column], i) =>
      `SELECT order_key, order_id, channel, __stage_${i} AS "at", 'stage' AS type, ${ctx.constants.bind(stage)} AS stage, ${origin(column)} AS origin
       FROM stg_orders WHERE __stage_${i} IS NOT NULL`,
  );
  if (status && Object.keys(status.values).length > 0) {
    // A value may stand for several stages ('Shipped - Delivered to Buyer': shipped and delivered).
    const cases = Object.entries(status.values)
      .map(([value, stage]) => `WHEN ${ctx.constants.bind(value.toLowerCase())} THEN [${(Array.isArray(stage) ? stage : [stage]).map((s) => `${ctx.constants.bind(s)}::VARCHAR`).join(', ')}]`)
      .join(' ');
    // Without a date of its own, the stage was reached at no known time: stored untimed.
    const at = status.at ? '__status_at' : 'NULL::TIMESTAMPTZ';
    parts.push(
      `SELECT order_key, order_id, channel, ${at} AS "at", 'stage' AS type, unnest(s) AS stage, ${origin(`status:${status.column}`)} AS origin
       FROM (SELECT *, CASE __status ${cases} END AS s FROM stg_orders WHERE NOT __lookup_only) WHERE s IS NOT NULL${status.at ? ' AND __status_at IS NOT NULL' : ''}`,
    );
  }
  for (const part of parts) {
    await ctx.run(`INSERT INTO stg_events (order_key, order_id, channel, "at", type, stage, origin) ${part}`);
  }
  // The claims this import states, for the orders it holds: the stored ones from the same origins are replaced.
  const origins = [...stages.map(([, column]) => `${ctx.mapping.name}/${column}`), ...(status ? [`${ctx.mapping.name}/status:${status.column}`] : [])];
  const rows = origins.map((o) => `SELECT ${ctx.constants.bind(o)}::VARCHAR AS origin`);
  await ctx.run(`INSERT INTO stg_claimed_origins ${rows.length > 0 ? rows.join(' UNION ALL ') : 'SELECT NULL WHERE false'}`);
}

