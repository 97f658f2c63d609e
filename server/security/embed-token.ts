import { createHash, randomUUID } from 'node:crypto';
import { decode, sign, verify } from 'hono/jwt';
import { z } from 'zod';
import { ApiError } from '../errors.js';
import { CHANNEL_CODE_MESSAGE, CHANNEL_PATTERN } from '../channel-code.js';
import { canonicalTimeZone } from '../settings.js';
import { DEFAULT_TENANT, tenantId } from '../tenants.js';
import { parseApiTime } from '../metrics/zoned-time.js';
import type { EmbedSecret } from './secrets.js';
import { ORDER_ROW_FIELDS, type OrderRowField } from '../orders/fields.js';

/** Longest lifetime of a token, in seconds, counted from its `iat`. */
export const MAX_TOKEN_SECONDS = 86_400;

/**
 * One locked value: stored values are trimmed at import, so a blank value or one with blanks
 * around it would match nothing, or (before locks travelled as lists) everything.
 */
const lockedValue = z
  .string()
  .max(200)
  .refine((v) => v.trim().length > 0, { message: 'a locked value may not be blank' })
  .refine((v) => v.trim() === v, { message: 'a locked value may not start or end with blanks' });
const lockedList = z.array(lockedValue).min(1).max(1000);
const lockedChannels = z.array(
  z
    .string()
    .max(40)
    .transform((v) => v.toLowerCase())
    .pipe(z.string().regex(new RegExp(CHANNEL_PATTERN), CHANNEL_CODE_MESSAGE)),
)
  .min(1)
  .max(1000);

const LIST_SHAPE = {
  channel: lockedChannels.optional(),
  region: lockedList.optional(),
  skuSeries: lockedList.optional(),
  customerTier: lockedList.optional(),
  promotion: lockedList.optional(),
  warehouse: lockedList.optional(),
  /**
   * A customer's own orders (an order tracker for that customer): such a token reads orders only
   * (GET /api/orders, one order, order-forecast), never a metric or the extent, which count others' orders.
   */
  customer: lockedList.optional(),
};
export const LOCKED_LISTS = ['channel', 'region', 'skuSeries', 'customerTier', 'promotion', 'warehouse', 'customer'] as const;
export type LockedListName = (typeof LOCKED_LISTS)[number];

/** Filters an admin asks a token to lock: lists, and a range read in `tz` (default: the tenant's zone). */
export const lockRequestSchema = z
  .object({
    ...LIST_SHAPE,
    from: z.string().optional(),
    to: z.string().optional(),
    tz: z.string().optional(),
  })
  .strict();

/** An instant as the token carries it: UTC ISO 8601, fixed when the token was minted. */
const instantText = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/, 'a UTC instant');

/** Locked filters as a token carries them: lists end to end, the range as instants. */
export const tokenFiltersSchema = z
  .object({
    ...LIST_SHAPE,
    from: instantText.optional(),
    to: instantText.optional(),
    /** The zone the range was read in, for the record; requests never re-read the range in any zone. */
    tz: z.string().optional(),
  })
  .strict();
export type TokenFilters = z.infer<typeof tokenFiltersSchema>;

export const mintRequestSchema = z
  .object({
    tenant: tenantId.default(DEFAULT_TENANT),
    metrics: z.array(z.string()).min(1).optional(),
    filters: lockRequestSchema.default({}),
    /** Whether the token may list orders (GET /api/orders): off unless asked for. */
    orders: z.boolean().default(false),
    /** The order fields it may see (default: all but customer_id and events). */
    orderFields: z
      .array(z.enum(ORDER_ROW_FIELDS, { error: (issue) => `'${String(issue.input)}' is not an order field; fields are ${ORDER_ROW_FIELDS.join(', ')}` }))
      .min(1)
      .optional(),
    /** Lifetime in seconds: at most a day. */
    expiresIn: z.number().int().min(60).max(MAX_TOKEN_SECONDS).default(3600),
  })
  .strict();
export type MintRequest = z.infer<typeof mintRequestSchema>;

const badFilter = (parameter: string, message: string) =>
  new ApiError(400, 'invalid_token_request', `filters.${parameter}: ${message}`, { parameter: `filters.${parameter}` });

/**
 * A mint request's filters as the token will carry them: the range read once, here, as strictly as
 * a query reads `from`/`to` (in the filters' `tz`, else the tenant's zone) and fixed to instants.
 */
export function tokenFilters(filters: MintRequest['filters'], tenantZone: string): TokenFilters {
  const { from, to, tz, ...lists } = filters;
  const zone = tz === undefined ? tenantZone : canonicalTimeZone(tz);
  if (zone === undefined) throw badFilter('tz', `unknown IANA time zone '${tz}' (e.g. Asia/Shanghai)`);
  const instant = (name: 'from' | 'to', value: string | undefined) => {
    if (value === undefined) return undefined;
    const ms = parseApiTime(value, zone);
    if (ms === undefined) throw badFilter(name, `'${value}' is not a date (YYYY-MM-DD) or an ISO 8601 date-time`);
    return ms;
  };
  const fromMs = instant('from', from);
  const toMs = instant('to', to);
  if (fromMs !== undefined && toMs !== undefined && fromMs >= toMs) throw badFilter('from', 'must be before to');
  const deduped = Object.fromEntries(Object.entries(lists).map(([name, values]) => [name, [...new Set(values)]]));
  return {
    ...deduped,
    ...(fromMs === undefined ? {} : { from: new Date(fromMs).toISOString() }),
    ...(toMs === undefined ? {} : { to: new Date(toMs).toISOString() }),
    ...(tz === undefined ? {} : { tz: zone }),
  };
}

export interface EmbedClaims {
  tenant: string;
  metrics: string[] | null;
  filters: TokenFilters;
  /** Whether it may list orders, and which of their fields (null: the default set). */
  orders: boolean;
  orderFields: OrderRowField[] | null;
  exp: number;
  /** What the rate limit counts against: the token's id, the same for every spelling of it. */
  identity: string;
}

const claimsSchema = z.object({
  tenant: tenantId,
  metrics: z.array(z.string().max(100)).max(100).nullable().default(null),
  filters: tokenFiltersSchema.default({}),
  orders: z.boolean().default(false),
  orderFields: z.array(z.enum(ORDER_ROW_FIELDS)).max(ORDER_ROW_FIELDS.length).nullable().default(null),
  exp: z.number().int(),
  iat: z.number().int(),
  jti: z.string().max(100).optional(),
});

const jwk = (s: EmbedSecret) => ({ kty: 'oct', k: Buffer.from(s.secret).toString('base64url'), alg: 'HS256', kid: s.kid }) as const;

/** Signs a token with the newest secret (its key id in the header, so older secrets can still verify). */
export async function mintEmbedToken(
  secrets: EmbedSecret[],
  request: { tenant: string; metrics?: string[] | undefined; filters: TokenFilters; expiresIn: number; orders?: boolean; orderFields?: OrderRowField[] | undefined },
  now = Date.now(),
) {
  const iat = Math.floor(now / 1000);
  const exp = iat + request.expiresIn;
  const claims = {
    tenant: request.tenant,
    metrics: request.metrics ?? null,
    filters: request.filters,
    ...(request.orders ? { orders: true, orderFields: request.orderFields ?? null } : {}),
    exp,
    iat,
    jti: randomUUID(),
  };
  const token = await sign(claims, jwk(secrets[0]!));
  return { token, expiresAt: new Date(exp * 1000).toISOString() };
}

/** Base64url as JWTs write it: no padding, and no unused bits set in the last character. */
const canonicalSegment = (segment: string) => /^[A-Za-z0-9_-]*$/.test(segment) && Buffer.from(segment, 'base64url').toString('base64url') === segment;

/**
 * Verifies a token: 401 with a reason when it is malformed, tampered, expired, not yet valid,
 * lives longer than a day, or is signed with an unknown key. Whether its tenant exists is the
 * caller's check.
 */
export async function verifyEmbedToken(secrets: EmbedSecret[], token: string): Promise<EmbedClaims> {
  const unauthorized = (message: string) => new ApiError(401, 'invalid_token', message);
  const segments = token.split('.');
  // Each token has one spelling: otherwise unused bits and padding give it eight, each rate-limited apart.
  if (segments.length !== 3 || !segments.every(canonicalSegment)) throw unauthorized('the token is not a JWT');
  let kid: string | undefined;
  try {
    kid = decode(token).header.kid;
  } catch {
    throw unauthorized('the token is not a JWT');
  }
  const secret = secrets.find((s) => s.kid === kid);
  if (!secret) throw unauthorized(`the token was signed with an unknown key id '${kid ?? ''}'`);
  let payload: Record<string, unknown>;
  try {
    payload = (await verify(token, jwk(secret), 'HS256')) as Record<string, unknown>;
  } catch (error) {
    const name = (error as Error).name;
    // A code of its own: a widget asks its tokenProvider for a new token on this one alone.
    if (name === 'JwtTokenExpired') throw new ApiError(401, 'token_expired', 'the token has expired');
    if (name === 'JwtTokenNotBefore' || name === 'JwtTokenIssuedAt') throw unauthorized('the token is not valid yet (its nbf or iat is in the future)');
    throw unauthorized('the token signature is not valid');
  }
  const claims = claimsSchema.safeParse(payload);
  if (!claims.success) {
    const issue = claims.error.issues[0]!;
    const path = issue.path.join('.');
    if (path === 'exp' || path === 'iat') throw unauthorized(`the token has no ${path}: tokens must say when they were issued and when they expire`);
    throw unauthorized(`the token carries a malformed claim '${path}'`);
  }
  const { tenant, metrics, filters, orders, orderFields, exp, iat, jti } = claims.data;
  if (exp - iat > MAX_TOKEN_SECONDS) throw unauthorized(`the token lives longer than ${MAX_TOKEN_SECONDS / 3600} hours from its iat`);
  const identity = jti ?? createHash('sha256').update(segments[1]!).digest('base64url');
  return { tenant, metrics, filters, orders, orderFields, exp, identity: `${tenant}:${identity}` };
}
