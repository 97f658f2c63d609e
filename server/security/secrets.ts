import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Database } from '../db/database.js';

const sha256 = (text: string) => createHash('sha256').update(text).digest();

/** True when `candidate` is the key whose SHA-256 is `hash`, compared in constant time. */
export function matchesKey(candidate: string | undefined, hash: Buffer): boolean {
  if (!candidate) return false;
  return timingSafeEqual(sha256(candidate), hash);
}

/** A signing secret and the key id that names it in a token's header. */
export interface EmbedSecret {
  kid: string;
  secret: string;
}

/**
 * `ORDERPULSE_EMBED_SECRET`: one secret, or `kid:secret` pairs separated by
 * commas, newest first: the first signs, all verify (rotation). A bare secret's
 * key id comes from the secret itself, not its position, so putting a new one in
 * front keeps the tokens of the old one verifying.
 */
export function parseEmbedSecrets(value: string): EmbedSecret[] {
  return value
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => {
      const colon = part.indexOf(':');
      return colon > 0 ? { kid: part.slice(0, colon), secret: part.slice(colon + 1) } : { kid: `s-${sha256(part).toString('hex').slice(0, 12)}`, secret: part };
    });
}

async function storedOrNew(db: Database, key: string, make: () => string): Promise<{ value: string; created: boolean }> {
  const [row] = await db.query('SELECT value FROM store_settings WHERE key = $key', { key });
  if (row) return { value: row.value as string, created: false };
  const value = make();
  await db.transaction((c) => c.run('INSERT INTO store_settings VALUES ($key, $value)', { key, value }));
  return { value, created: true };
}

export interface SecurityConfig {
  adminKeyHash: Buffer;
  embedSecrets: EmbedSecret[];
  /** Metrics answer without a token (the demo); never the default. */
  publicMetrics: boolean;
  /** A generated admin key, to print once; undefined when it came from the environment or was made before. */
  generatedAdminKey?: string;
}

/**
 * Reads the admin key and embed secrets from the environment, or from the store
 * where they were generated on first start (the admin key is stored only as a hash).
 */
export async function loadSecurity(db: Database, env: NodeJS.ProcessEnv = process.env): Promise<SecurityConfig> {
  let adminKeyHash: Buffer;
  let generatedAdminKey: string | undefined;
  if (env.ORDERPULSE_ADMIN_KEY) {
    adminKeyHash = sha256(env.ORDERPULSE_ADMIN_KEY);
  } else {
    let fresh: string | undefined;
    const stored = await storedOrNew(db, 'admin_key_sha256', () => {
      fresh = randomBytes(24).toString('base64url');
      return sha256(fresh).toString('hex');
    });
    adminKeyHash = Buffer.from(stored.value, 'hex');
    generatedAdminKey = stored.created ? fresh : undefined;
  }
  const embed = env.ORDERPULSE_EMBED_SECRET
    ? parseEmbedSecrets(env.ORDERPULSE_EMBED_SECRET)
    : [{ kid: 'store', secret: (await storedOrNew(db, 'embed_secret', () => randomBytes(32).toString('base64url'))).value }];
  return { adminKeyHash, embedSecrets: embed, publicMetrics: env.ORDERPULSE_PUBLIC_DEMO === '1', ...(generatedAdminKey ? { generatedAdminKey } : {}) };
}

/** A configuration for tests and embedding: a known admin key and secret. */
export function staticSecurity(options: { adminKey: string; embedSecret?: string; publicMetrics?: boolean }): SecurityConfig {
  return {
    adminKeyHash: sha256(options.adminKey),
    embedSecrets: parseEmbedSecrets(options.embedSecret ?? 'test:embed-secret-for-tests'),
    publicMetrics: options.publicMetrics ?? false,
  };
}
