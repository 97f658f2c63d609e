import { decode, sign, verify } from 'hono/jwt';
import { z } from 'zod';
import { ApiError } from '../errors.js';
import { DEFAULT_TENANT, tenantId } from '../tenants.js';
import type { EmbedSecret } from './secrets.js';

/** Filters a token locks: every query of the token is narrowed to them. */
export const lockedFiltersSchema = z
  .object({
    channel: z.array(z.string().min(1)).min(1).optional(),
    region: z.array(z.string().min(1)).min(1).optional(),
    skuSeries: z.array(z.string().min(1)).min(1).optional(),
    customerTier: z.array(z.string().min(1)).min(1).optional(),
    promotion: z.array(z.string().min(1)).min(1).optional(),
    from: z.string().optional(),
    to: z.string().optional(),
  })
  .strict();
export type LockedFilters = z.infer<typeof lockedFiltersSchema>;

export const mintRequestSchema = z
  .object({
    tenant: tenantId.default(DEFAULT_TENANT),
    metrics: z.array(z.string()).min(1).optional(),
    filters: lockedFiltersSchema.default({}),
    /** Lifetime in seconds: at most a day. */
    expiresIn: z.number().int().min(60).max(86_400).default(3600),
  })
  .strict();

export interface EmbedClaims {
  tenant: string;
  metrics: string[] | null;
  filters: LockedFilters;
  exp: number;
}

const jwk = (s: EmbedSecret) => ({ kty: 'oct', k: Buffer.from(s.secret).toString('base64url'), alg: 'HS256', kid: s.kid }) as const;

/** Signs a token with the newest secret (its key id in the header, so older secrets can still verify). */
export async function mintEmbedToken(secrets: EmbedSecret[], request: z.infer<typeof mintRequestSchema>, now = Date.now()) {
  const exp = Math.floor(now / 1000) + request.expiresIn;
  const token = await sign({ tenant: request.tenant, metrics: request.metrics ?? null, filters: request.filters, exp, iat: Math.floor(now / 1000) }, jwk(secrets[0]!));
  return { token, expiresAt: new Date(exp * 1000).toISOString() };
}

/**
 * Verifies a token: 401 with a reason when it is malformed, tampered, expired
 * or signed with an unknown key. Whether its tenant exists is the caller's check.
 */
export async function verifyEmbedToken(secrets: EmbedSecret[], token: string): Promise<EmbedClaims> {
  const unauthorized = (message: string) => new ApiError(401, 'invalid_token', message);
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
    if (name === 'JwtTokenExpired') throw unauthorized('the token has expired');
    throw unauthorized('the token signature is not valid');
  }
  if (typeof payload.tenant !== 'string') throw unauthorized('the token names no tenant');
  const filters = lockedFiltersSchema.safeParse(payload.filters ?? {});
  if (!filters.success) throw unauthorized('the token carries malformed filters');
  return { tenant: String(payload.tenant), metrics: (payload.metrics as string[] | null) ?? null, filters: filters.data, exp: Number(payload.exp) };
}
