/** Converts between instants and wall-clock times in IANA time zones with `Intl` only. */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    // Zones reach here canonicalised (resolveTimeZone), so this holds one entry per zone; the bound is a backstop.
    if (formatters.size >= 1000) formatters.clear();
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Wall-clock fields of an instant in a zone. */
function wallClock(ms: number, timeZone: string) {
  const parts = Object.fromEntries(formatter(timeZone).formatToParts(new Date(ms)).map((p) => [p.type, p.value]));
  return { y: +parts.year!, mo: +parts.month!, d: +parts.day!, h: +parts.hour!, mi: +parts.minute!, s: +parts.second! };
}

/** Offset of the zone from UTC at an instant, in minutes (east positive). */
export function offsetMinutes(ms: number, timeZone: string): number {
  const w = wallClock(ms, timeZone);
  const asUtc = Date.UTC(w.y, w.mo - 1, w.d, w.h, w.mi, w.s);
  return Math.round((asUtc - Math.floor(ms / 1000) * 1000) / 60_000);
}

/** The instant a wall-clock time in a zone denotes (the earlier one in a DST overlap, shifted forward in a gap). */
export function zonedToInstant(y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number, timeZone: string): number {
  const asUtc = Date.UTC(y, mo - 1, d, h, mi, s, ms);
  const first = asUtc - offsetMinutes(asUtc, timeZone) * 60_000;
  const candidates = [...new Set([first, asUtc - offsetMinutes(first, timeZone) * 60_000])].sort((a, b) => a - b);
  const shows = (t: number) => {
    const w = wallClock(t, timeZone);
    return w.y === y && w.mo === mo && w.d === d && w.h === h && w.mi === mi;
  };
  // Both show the time in an overlap: the earlier. Neither does in a gap: the later, past the jump.
  return candidates.find(shows) ?? candidates.at(-1)!;
}

/** ISO 8601 with the zone's offset, e.g. `2025-03-01T00:00:00+08:00`; milliseconds only when not zero. */
export function isoInZone(ms: number, timeZone: string): string {
  const offset = offsetMinutes(ms, timeZone);
  const w = wallClock(ms, timeZone);
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  const fraction = ms % 1000 === 0 ? '' : `.${pad(((ms % 1000) + 1000) % 1000, 3)}`;
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  return `${pad(w.y, 4)}-${pad(w.mo)}-${pad(w.d)}T${pad(w.h)}:${pad(w.mi)}:${pad(w.s)}${fraction}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const LOCAL = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3})\d*)?)?$/;
const WITH_OFFSET = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3})\d*)?)?(Z|([+-])(\d{2}):?(\d{2}))$/;

/**
 * Whether wall-clock fields name a real moment: years 1000-9999 (the range imports may be widened
 * to; Date.UTC reads years 0-99 as 1900-1999, so 0050-01-01 was 1950), a day the month has, and
 * a time of day.
 */
function realFields(y: number, mo: number, d: number, h: number, mi: number, s: number): boolean {
  if (y < 1000 || h > 23 || mi > 59 || s > 59) return false;
  const probe = new Date(Date.UTC(y, mo - 1, d));
  return probe.getUTCMonth() === mo - 1 && probe.getUTCDate() === d;
}

/**
 * Parses an API time: `YYYY-MM-DD` (local midnight), a local date-time, or a
 * date-time with `Z`/offset (`+08:00`, `+0800`). Returns epoch ms, or undefined if it is none of
 * these or names a day that does not exist (2025-02-30 included: Date.parse would roll it over).
 */
export function parseApiTime(text: string, timeZone: string): number | undefined {
  const date = DATE.exec(text);
  const local = date ? [...date, '00', '00', '00', '0'] : LOCAL.exec(text);
  if (local) {
    const [y, mo, d, h, mi, s] = local.slice(1, 7).map((v) => Number(v ?? '0')) as number[];
    if (!realFields(y!, mo!, d!, h!, mi!, s!)) return undefined;
    return zonedToInstant(y!, mo!, d!, h!, mi!, s!, Number((local[7] ?? '0').padEnd(3, '0')), timeZone);
  }
  const offset = WITH_OFFSET.exec(text);
  if (offset) {
    const [y, mo, d, h, mi, s] = offset.slice(1, 7).map((v) => Number(v ?? '0')) as number[];
    if (!realFields(y!, mo!, d!, h!, mi!, s!)) return undefined;
    const ms = Number((offset[7] ?? '0').padEnd(3, '0'));
    const offsetMin = offset[8] === 'Z' ? 0 : (offset[9] === '-' ? -1 : 1) * (Number(offset[10]) * 60 + Number(offset[11]));
    if (Math.abs(offsetMin) > 18 * 60) return undefined;
    return Date.UTC(y!, mo! - 1, d!, h!, mi!, s!, ms) - offsetMin * 60_000;
  }
  return undefined;
}
/** `YYYY-MM-DD` of the first of the month `months` after the month of local day `day`. */
export function monthStart(day: string, months: number): string {
  const [y, m] = day.split('-').map(Number) as [number, number];
  const index = y * 12 + (m - 1) + months;
  return `${String(Math.floor(index / 12)).padStart(4, '0')}-${String((index % 12) + 1).padStart(2, '0')}-01`;
}

