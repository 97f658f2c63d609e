/** Converts between instants and wall-clock times in IANA time zones with `Intl` only. */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
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
const WITH_OFFSET = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})$/;

/**
 * Parses an API time: `YYYY-MM-DD` (local midnight), a local date-time, or a
 * date-time with `Z`/offset. Returns epoch ms, or undefined if it is none of these
 * or names a day that does not exist.
 */
export function parseApiTime(text: string, timeZone: string): number | undefined {
  const date = DATE.exec(text);
  const local = date ? [...date, '00', '00', '00', '0'] : LOCAL.exec(text);
  if (local) {
    const [y, mo, d, h, mi, s = '0', frac = '0'] = local.slice(1).map((v) => v ?? '0') as string[];
    const probe = new Date(Date.UTC(+y!, +mo! - 1, +d!));
    if (probe.getUTCMonth() !== +mo! - 1 || probe.getUTCDate() !== +d! || +h! > 23 || +mi! > 59 || +s > 59) return undefined;
    return zonedToInstant(+y!, +mo!, +d!, +h!, +mi!, +s, +frac.padEnd(3, '0'), timeZone);
  }
  if (WITH_OFFSET.test(text)) {
    const ms = Date.parse(text.replace(' ', 'T').replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
    return Number.isNaN(ms) ? undefined : ms;
  }
  return undefined;
}
