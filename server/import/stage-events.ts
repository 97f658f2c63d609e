import { unparseableSql, type ImportContext } from './import-context.js';
import { EVENT_FIELDS, PROMOTION_FIELDS, specColumn, type FieldType, type Mapping } from './mapping.js';
import { SQL_TYPE, fieldValueSql } from './field-sql.js';
import { CHANNEL_PATTERN, notChannelCodeSql } from '../channel-code.js';
import { ident } from './sql-text.js';

export const EVENT_TYPES = ['stage', 'data_move', 'exception', 'expedite', 'contact'] as const;

type Section = { input: string; fields: Record<string, Parameters<typeof fieldValueSql>[0] | undefined> };

/**
 * Copies one input line for line into `table`, typed by `fieldTypes` (the `lower` fields lower-cased),
 * after rejecting values that do not parse.
 */
async function stageLines(
  ctx: ImportContext,
  section: Section,
  fieldTypes: Record<string, FieldType>,
  options: { required: string[]; lower: string[] },
  table: string,
) {
  const input = section.input;
  const available = ctx.columnsOf(input);
  ctx.requireColumns(input, ctx.checkColumns(input, Object.entries(section.fields), options.required));
  const select = Object.entries(fieldTypes).map(([field, type]) => {
    const spec = section.fields[field];
    const value = spec ? fieldValueSql(spec, type, available, ctx.constants) : `NULL::${SQL_TYPE[type]}`;
    return `${options.lower.includes(field) ? `lower(${value})` : value} AS ${ident(field)}`;
  });
  // Values are parsed once: the same pass types them and notes, per column, why a value does not parse.
  const parsed = new Map<string, FieldType>();
  for (const [field, spec] of Object.entries(section.fields)) {
    const column = specColumn(spec!);
    if (column && fieldTypes[field] !== 'text' && available.has(column)) parsed.set(column, fieldTypes[field]!);
  }
  ctx.noteSource(input, Object.values(section.fields).flatMap((spec) => (spec ? [specColumn(spec)].filter((c): c is string => c !== undefined) : [])));
  const reasons = [...parsed].map(([column, type], i) => `${unparseableSql(column, type, available)} AS __bad_${i}`);
  await ctx.run(`CREATE OR REPLACE TEMP TABLE ${table} AS SELECT __line, ${[...select, ...reasons].join(', ')} FROM in_${input}`);
  for (const [i, column] of [...parsed.keys()].entries()) {
    await ctx.reject(input, table, `__bad_${i} IS NOT NULL`, column, `__bad_${i}`);
  }
  // Lines with a problem so far (these, or another section's on the same input) go no further.
  await ctx.dropRejected(input, table);
  const columnOf = (field: string) => {
    const spec = section.fields[field];
    return (spec && specColumn(spec)) ?? field;
  };
  return columnOf;
}

/**
 * Stages the events input, line for line, in `m_events`, and adds it to the view `staged_events`;
 * events must belong to an order in the store or this import.
 */
export async function stageEvents(ctx: ImportContext, section: NonNullable<Mapping['events']>): Promise<void> {
  const input = section.input;
  const columnOf = await stageLines(ctx, section, EVENT_FIELDS, { required: ['order_id', 'at', 'type'], lower: ['channel', 'type', 'stage'] }, 'm_events');
  // The events' times feed every stage they state (source_columns.fields: `event_at`).
  const at = columnOf('at');
  if (ctx.columnsOf(input).has(at)) {
    await ctx.notePrecision(input, [at]);
    ctx.noteField(input, at, 'event_at');
  }
  const knownList = `[${ctx.knownStages.map((k) => ctx.constants.bind(k)).join(', ')}]::VARCHAR[]`;
  const checks: [string, string, string][] = [
    ['order_id IS NULL', 'order_id', `'order_id is empty'`],
    ['channel IS NULL', 'channel', `'channel is empty'`],
    [`NOT regexp_full_match(channel, '${CHANNEL_PATTERN}')`, 'channel', notChannelCodeSql('channel')],
    ['"at" IS NULL', 'at', `'at is empty'`],
    ['type IS NULL', 'type', `'type is empty'`],
    [
      `type NOT IN (${EVENT_TYPES.map((t) => `'${t}'`).join(', ')})`,
      'type',
      `'unknown event type ''' || left(type, 40) || ''' (expected ${EVENT_TYPES.join(', ')})'`,
    ],
    [`type = 'stage' AND stage IS NULL`, 'stage', `'a stage event needs a stage'`],
    [`NOT regexp_full_match(stage, '^[a-z][a-z0-9_]{0,39}$')`, 'stage', `'stage ''' || left(stage, 40) || ''' is not a stage name'`],
    [
      `type = 'stage' AND regexp_full_match(stage, '^[a-z][a-z0-9_]{0,39}$') AND NOT list_contains(${knownList}, stage)`,
      'stage',
      `'stage ''' || stage || ''' is not one the tenant knows; did you mean ''' || list_sort(list_transform(${knownList}, k -> {'d': levenshtein(stage, k), 'k': k}))[1].k || '''? Declare custom stages in the mapping''s "pipeline" or "customStages"'`,
    ],
    ['minutes < 0', 'minutes', `'minutes is negative: ' || minutes`],
    ['cost < 0', 'cost', `'cost is negative: ' || cost`],
  ];
  for (const [condition, field, reason] of checks) await ctx.reject(input, 'm_events', condition, columnOf(field), reason);
  // Each event's order, by its channel and order id: this import's orders and the stored ones (only
  // those the events name: a NOT IN over every stored order hashed them all, 2.3 s for 10k events
  // into a store of 10M orders). Orders of two sources may share both: such an event is ambiguous.
  await ctx.run(
    `CREATE OR REPLACE TEMP TABLE event_orders AS
     SELECT channel, order_id, min(order_key) AS order_key, count(DISTINCT order_key) AS candidates FROM (
       SELECT channel, order_id, order_key FROM stg_orders
       UNION ALL
       SELECT o.channel, o.order_id, o.order_key FROM orders o SEMI JOIN (SELECT DISTINCT channel, order_id FROM m_events) k
         ON k.channel = o.channel AND k.order_id = o.order_id
       WHERE o.tenant_id = ${ctx.constants.bind(ctx.tenant)}
     ) GROUP BY ALL`,
  );
  // One join gives each line its order (and how many orders of different sources match it).
  await ctx.run(
    `CREATE OR REPLACE TEMP TABLE m_events AS
     SELECT m.*, e.order_key, e.candidates AS __candidates, ${ctx.constants.bind(`${ctx.mapping.name}/events`)} AS origin
     FROM m_events m LEFT JOIN event_orders e USING (channel, order_id)`,
  );
  await ctx.reject(input, 'm_events', 'order_key IS NULL AND channel IS NOT NULL AND order_id IS NOT NULL', columnOf('order_id'), `'no order ' || order_id || ' in channel ' || channel || ' (in the store or this import)'`);
  await ctx.reject(
    input,
    'm_events',
    '__candidates > 1',
    columnOf('order_id'),
    `'order ' || order_id || ' of channel ' || channel || ' is ' || __candidates || ' orders, of different sources: name the order''s source in the events'' mapping'`,
  );
  await ctx.dropRejected(input, 'm_events');
  // Only an expedite's cost is priced (friction-cost): say so rather than keep another's silently.
  const [unpriced] = await ctx.rows<{ n: number; types: string }>(
    `SELECT count(*)::DOUBLE AS n, string_agg(DISTINCT type, ', ' ORDER BY type) AS types FROM m_events WHERE cost IS NOT NULL AND type <> 'expedite'`,
  );
  if (unpriced && unpriced.n > 0) {
    ctx.warnings.push(
      `${ctx.inputs.get(input)!.file}: ${unpriced.n} ${unpriced.types} event${unpriced.n === 1 ? '' : 's'} carry a cost, which friction-cost does not count: ` +
        `only expedites are priced by their cost; exceptions and contacts by their minutes, data moves by the settings`,
    );
  }
  // A view rather than a copy into stg_events (the orders' stage events): 126 ms for 969k events.
  await ctx.run(
    `CREATE OR REPLACE TEMP VIEW staged_events AS SELECT * FROM stg_events UNION ALL BY NAME SELECT COLUMNS(c -> NOT starts_with(c, '__')) FROM m_events`,
  );
}

/** Stages the promotions input into `stg_promotions`. */
export async function stagePromotions(ctx: ImportContext, section: NonNullable<Mapping['promotions']>): Promise<void> {
  const input = section.input;
  const columnOf = await stageLines(ctx, section, PROMOTION_FIELDS, { required: ['promotion_id'], lower: ['channel'] }, 'stg_promotions');
  await ctx.reject(input, 'stg_promotions', 'promotion_id IS NULL', columnOf('promotion_id'), `'promotion_id is empty'`);
  await ctx.reject(input, 'stg_promotions', 'ends_at < starts_at', columnOf('ends_at'), `'ends before it starts'`);
  await ctx.reject(input, 'stg_promotions', 'spend < 0', columnOf('spend'), `'spend is negative: ' || spend`);
  await ctx.rejectRepeats(input, 'stg_promotions', ['promotion_id'], columnOf('promotion_id'), `'promotion ' || promotion_id`);
  await ctx.dropRejected(input, 'stg_promotions');
}
