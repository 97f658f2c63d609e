import { z } from 'zod';
import safeRegex from 'safe-regex2';
import { stageName, timeZoneName } from '../settings.js';

/** Canonical columns an import can fill, with the type each is parsed as. */
export const ORDER_FIELDS = {
  order_id: 'text',
  channel: 'text',
  created_at: 'instant',
  promised_at: 'instant',
  customer_id: 'text',
  customer_tier: 'text',
  sku: 'text',
  sku_series: 'text',
  quantity: 'integer',
  amount: 'money',
  currency: 'text',
  promotion_id: 'text',
  region: 'text',
  tracking_number: 'text',
  carrier: 'text',
  warehouse: 'text',
} as const;

export const EVENT_FIELDS = {
  /** The export's own id of the event, if it has one: a re-sent event with the same id takes its new values. */
  event_id: 'text',
  order_id: 'text',
  channel: 'text',
  at: 'instant',
  type: 'text',
  stage: 'text',
  actor: 'text',
  minutes: 'number',
  cost: 'money',
} as const;

export const PROMOTION_FIELDS = {
  promotion_id: 'text',
  channel: 'text',
  name: 'text',
  starts_at: 'instant',
  ends_at: 'instant',
  spend: 'money',
} as const;

export type FieldType = 'text' | 'instant' | 'integer' | 'number' | 'money';
export type OrderField = keyof typeof ORDER_FIELDS;

const columnName = z.string().min(1).max(200);

/**
 * Where a canonical field's value comes from: a source column (the short form
 * is just its name), a constant, or both (the constant is the default when the
 * column is empty). `agg` says how several lines of one order combine.
 */
export const fieldSpec = z.union([
  columnName,
  z
    .object({
      column: columnName.optional(),
      value: z.union([z.string(), z.number()]).optional(),
      agg: z.enum(['first', 'sum', 'count', 'min', 'max'], { error: (issue) => `'${String(issue.input)}' is not an agg; aggs are first, sum, count, min, max` }).optional(),
      orderBy: columnName.optional(),
      /** The file may lack the column (its field is then left as stored, or empty); otherwise a missing column is an error. */
      optional: z.boolean().optional(),
      /** Rewrites values (after trimming): source value → stored value. */
      map: z.record(z.string(), z.string()).optional(),
      /** With `map`: the value of anything the map does not list (default: the value itself). */
      default: z.string().optional(),
      /** `slug`: lower-case, accents removed, every run of other characters one `_` (`Second Class` → `second_class`); `lower`, `upper`. */
      normalize: z.enum(['slug', 'lower', 'upper'], { error: (issue) => `'${String(issue.input)}' is not a normalization; use slug, lower or upper` }).optional(),
    })
    .strict()
    .refine((f) => f.column !== undefined || f.value !== undefined || f.agg === 'count', {
      message: 'a field needs a column, a value, or agg "count"',
    }),
]);
export type FieldSpec = z.infer<typeof fieldSpec>;

const fieldsOf = <T extends Record<string, FieldType>>(fields: T) =>
  z.partialRecord(
    z.enum(Object.keys(fields) as [keyof T & string, ...(keyof T & string)[]], { error: (issue) => `'${String(issue.input)}' is not a field; fields are ${Object.keys(fields).join(', ')}` }),
    fieldSpec,
  );

/** A stage's timestamp column: its name, or `{column, optional}`. */
const stageColumn = z.union([columnName, z.object({ column: columnName, optional: z.boolean().optional() }).strict()]);
export type StageColumn = z.infer<typeof stageColumn>;
export const stageColumnName = (spec: StageColumn) => (typeof spec === 'string' ? spec : spec.column);

/**
 * A file-name pattern: a JavaScript regular expression that compiles and cannot backtrack
 * catastrophically (no nested quantifiers such as `(a+)+`: safe-regex2's star-height check), since
 * it runs on the event loop that serves every tenant.
 */
const fileNamePattern = z
  .string()
  .min(1)
  .max(200)
  .superRefine((pattern, ctx) => {
    try {
      new RegExp(pattern, 'i');
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: `not a valid regular expression: ${(error as Error).message.replace(/^Invalid regular expression: /, '')}` });
      return;
    }
    if (!safeRegex(pattern)) ctx.addIssue({ code: 'custom', message: `'${pattern}' nests quantifiers (as in (a+)+), which can take exponential time; simplify it` });
  });

/** strptime specifiers DuckDB knows (its dateformat documentation); any other `%x` fails at parse time. */
const STRPTIME_SPECIFIERS = new Set(['a', 'A', 'w', 'd', '-d', 'b', 'h', 'B', 'm', '-m', 'y', '-y', 'Y', 'H', '-H', 'I', '-I', 'p', 'M', '-M', 'S', '-S', 'g', 'f', 'n', 'z', 'Z', 'j', '-j', 'U', 'W', 'c', 'x', 'X', '%', 'G', 'u', 'V']);
const timestampFormat = z
  .string()
  .min(2)
  .max(100)
  .superRefine((format, ctx) => {
    const specifiers = [...format.matchAll(/%(-?.?)/g)].map((m) => m[1]!);
    const unknown = specifiers.find((s) => !STRPTIME_SPECIFIERS.has(s));
    if (unknown !== undefined) ctx.addIssue({ code: 'custom', message: `'%${unknown}' in '${format}' is not a strptime specifier (e.g. %Y-%m-%d %H:%M:%S)` });
    else if (specifiers.some((s) => s === 'z' || s === 'Z')) {
      ctx.addIssue({ code: 'custom', message: `'${format}' reads a zone: the parser reads zone suffixes itself (Z, UTC, GMT, +08:00, an IANA name); leave them out of the format` });
    }
    else if (specifiers.every((s) => s === '%')) ctx.addIssue({ code: 'custom', message: `'${format}' has no date or time specifier` });
  });

/** A date (YYYY-MM-DD) of years 1000 to 9999: the range a mapping may widen its accepted dates to. */
const rangeDate = z.string().regex(/^[1-9]\d{3}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, 'a date YYYY-MM-DD from 1000-01-01 to 9999-12-31');

/** Dates an import accepts unless its mapping says otherwise: [from, to), as UTC midnights. */
export const DEFAULT_DATE_RANGE = { from: '1970-01-01', to: '2200-01-01' } as const;

const inputSpec = z
  .object({
    /** Regular expression tested against the file's base name. */
    match: fileNamePattern,
    format: z.enum(['csv', 'parquet', 'json', 'ndjson']).optional(),
    delimiter: z.string().length(1).optional(),
    required: z.boolean().optional(),
  })
  .strict();

const lookupSpec = z
  .object({
    input: z.string(),
    /** Column of the lookup input that identifies the row it describes. */
    key: columnName,
    /** Order field it joins to; default: the order key. */
    on: z.enum(Object.keys(ORDER_FIELDS) as [OrderField, ...OrderField[]]).optional(),
    fields: fieldsOf(ORDER_FIELDS),
  })
  .strict();

export const mappingSchema = z
  .object({
    name: z.string().min(1),
    description: z.string().optional(),
    /** Time zone of timestamps that carry no offset. */
    timeZone: timeZoneName.optional(),
    /** strptime formats tried after ISO 8601, e.g. "%m/%d/%Y %H:%M". */
    timestampFormats: z.array(timestampFormat).max(20).optional(),
    /** Values of date-time columns that mean "no date" (e.g. 9999-12-31, 0000-00-00): read as empty. */
    nullIf: z.array(z.string().min(1).max(60)).max(50).optional(),
    /**
     * Stages this source's orders pass, in order (custom ones such as view, cart, purchase
     * included): the import sets the tenant's pipeline to them in its transaction.
     */
    pipeline: z.array(stageName).min(2).max(100).optional(),
    /** Stages this source's events may carry besides the tenant's and DOMAIN.md's, without changing the pipeline. */
    customStages: z.array(stageName).max(100).optional(),
    /** Date-times outside [from, to) are rejected with their line (default DEFAULT_DATE_RANGE). */
    dateRange: z
      .object({ from: rangeDate, to: rangeDate })
      .strict()
      .refine((r) => r.from < r.to, { message: 'from must be before to' })
      .optional(),
    inputs: z.record(z.string().regex(/^[a-z][a-z0-9_]*$/), inputSpec),
    orders: z
      .object({
        input: z.string(),
        /** Source column(s) identifying the order; lines sharing it are one order. */
        key: z.union([columnName, z.array(columnName).min(1)]),
        /** True when an order spans several lines (one per line item); otherwise a repeated key is rejected. */
        multiLine: z.boolean().optional(),
        fields: fieldsOf(ORDER_FIELDS),
        /** Stage events from timestamp columns: stage name → column. */
        stages: z.partialRecord(stageName, stageColumn).optional(),
        /**
         * Stage events from a status column: value → stage (or stages), timed by the `at` column
         * (else at the order's latest known timestamp, which the import result warns about).
         */
        statusStages: z
          .object({ column: columnName, at: columnName.optional(), values: z.record(z.string(), z.union([stageName, z.array(stageName).min(1)])) })
          .strict()
          .optional(),
        lookups: z.array(lookupSpec).optional(),
      })
      .strict()
      .optional(),
    events: z.object({ input: z.string(), fields: fieldsOf(EVENT_FIELDS) }).strict().optional(),
    promotions: z.object({ input: z.string(), fields: fieldsOf(PROMOTION_FIELDS) }).strict().optional(),
  })
  .strict()
  .superRefine((m, ctx) => {
    const used = [m.orders?.input, m.events?.input, m.promotions?.input, ...(m.orders?.lookups ?? []).map((l) => l.input)];
    for (const name of used) {
      if (name !== undefined && !(name in m.inputs)) ctx.addIssue({ code: 'custom', message: `input '${name}' is not declared in "inputs"` });
    }
    if (!m.orders && !m.events && !m.promotions) ctx.addIssue({ code: 'custom', message: 'a mapping needs "orders", "events" or "promotions"' });
  });

export type Mapping = z.infer<typeof mappingSchema>;

/** The accepted date-times of a mapping's import, as UTC instants (ISO text). */
export function dateRangeOf(mapping: Mapping): { from: string; to: string } {
  const range = mapping.dateRange ?? DEFAULT_DATE_RANGE;
  return { from: `${range.from}T00:00:00Z`, to: `${range.to}T00:00:00Z` };
}

/** Column named by a field spec, if any. */
export function specColumn(spec: FieldSpec): string | undefined {
  return typeof spec === 'string' ? spec : spec.column;
}
