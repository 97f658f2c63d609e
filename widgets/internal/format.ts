/** Number, currency, percentage, duration and date formatting for one locale and time zone, all through `Intl`. */
export class Formatter {
  private readonly cache = new Map<string, Intl.NumberFormat | Intl.DateTimeFormat>();

  constructor(
    readonly locale: string,
    readonly timeZone: string | undefined,
    readonly currency = 'CNY',
  ) {}

  private number(options: Intl.NumberFormatOptions): Intl.NumberFormat {
    const key = JSON.stringify(options);
    let f = this.cache.get(key) as Intl.NumberFormat | undefined;
    if (!f) {
      f = new Intl.NumberFormat(this.locale, options);
      this.cache.set(key, f);
    }
    return f;
  }

  integer(value: number): string {
    return this.number({ maximumFractionDigits: 0 }).format(value);
  }

  decimal(value: number, digits = 1): string {
    return this.number({ maximumFractionDigits: digits, minimumFractionDigits: 0 }).format(value);
  }

  /** A fraction (0.125) as a percentage (12.5 %). */
  percent(fraction: number, digits = 1): string {
    return this.number({ style: 'percent', maximumFractionDigits: digits, minimumFractionDigits: 0 }).format(fraction);
  }

  /** A change of a rate in percentage points, signed: +33 pp (zh: +33 个百分点). */
  pointsChange(value: number, digits = 1): string {
    const n = this.number({ maximumFractionDigits: digits, minimumFractionDigits: 0, signDisplay: 'exceptZero' }).format(value);
    return this.locale.startsWith('zh') ? `${n} 个百分点` : `${n} pp`;
  }

  /** A percentage already ×100 (63.5) as 63.5 %. */
  percentPoints(value: number, digits = 1): string {
    return this.percent(value / 100, digits);
  }

  money(value: number, digits = 2): string {
    return this.number({ style: 'currency', currency: this.currency, maximumFractionDigits: digits, minimumFractionDigits: 0 }).format(value);
  }

  /** Hours as the unit a person reads best: minutes under an hour, days from two days on. */
  hours(value: number): string {
    const abs = Math.abs(value);
    if (abs < 1) return this.number({ style: 'unit', unit: 'minute', unitDisplay: 'short', maximumFractionDigits: 0 }).format(value * 60);
    if (abs >= 48) return this.number({ style: 'unit', unit: 'day', unitDisplay: 'short', maximumFractionDigits: 1 }).format(value / 24);
    return this.number({ style: 'unit', unit: 'hour', unitDisplay: 'short', maximumFractionDigits: 1 }).format(value);
  }

  /**
   * A duration axis up to `maxHours`: every tick in one unit chosen from that range (minutes under an
   * hour, hours under two days, days from there; days when `days`: the data has dates only), so ticks
   * never read "20 hr, 40 hr, 2.5 days", and at a round step of that unit (1, 2 or 5 × 10ⁿ), so a
   * day axis reads 0, 1, 2, 3 days rather than 0.8, 1.7, 2.5 (ECharts' own step is in hours).
   */
  durationAxis(maxHours: number, days = false, ticks = 4): { formatter: (hours: number) => string; interval?: number } {
    const unit = days || maxHours >= 48 ? 'day' : maxHours >= 1 ? 'hour' : 'minute';
    const per = { day: 1 / 24, hour: 1, minute: 60 }[unit];
    const format = this.number({ style: 'unit', unit, unitDisplay: 'short', maximumFractionDigits: unit === 'minute' ? 0 : 1 });
    const step = niceStep((maxHours * per) / ticks, unit === 'minute' || (unit === 'day' && days));
    return { formatter: (hours) => format.format(hours * per), interval: step === undefined ? undefined : step / per };
  }

  /** Money axis ticks: cents while the axis is under 10 (CN¥0.25, not three "CN¥0"s), compact from 10,000 (CN¥120K, CN¥12万). */
  moneyAxis(max: number): (value: number) => string {
    const abs = Math.abs(max);
    const options: Intl.NumberFormatOptions = { style: 'currency', currency: this.currency, minimumFractionDigits: 0, maximumFractionDigits: abs < 10 ? 2 : 0 };
    const format = this.number(abs >= 10_000 ? { ...options, notation: 'compact', maximumFractionDigits: 1 } : options);
    return (value) => format.format(value);
  }

  /** Count axis ticks, compact from 10,000 (12K, 1.2万) where a tick has little room. */
  countAxis(max: number): (value: number) => string {
    const format = this.number(Math.abs(max) >= 10_000 ? { notation: 'compact', maximumFractionDigits: 1 } : { maximumFractionDigits: 2 });
    return (value) => format.format(value);
  }

  private dateFormat(options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
    const key = `d${JSON.stringify(options)}`;
    let f = this.cache.get(key) as Intl.DateTimeFormat | undefined;
    if (!f) {
      f = new Intl.DateTimeFormat(this.locale, { ...options, ...(this.timeZone ? { timeZone: this.timeZone } : {}) });
      this.cache.set(key, f);
    }
    return f;
  }

  /** How long before `now` an instant was, in the unit a person reads best ("12 minutes ago", "3 months ago"). */
  relative(iso: string, now = Date.now()): string {
    const minutes = (Date.parse(iso) - now) / 60_000;
    const abs = Math.abs(minutes);
    const [value, unit]: [number, Intl.RelativeTimeFormatUnit] =
      abs < 60 ? [minutes, 'minute'] : abs < 48 * 60 ? [minutes / 60, 'hour'] : abs < 60 * 1440 ? [minutes / 1440, 'day'] : [minutes / 43_200, 'month'];
    return new Intl.RelativeTimeFormat(this.locale, { numeric: 'auto' }).format(Math.round(value), unit);
  }

  /** An ISO instant as a date, a month or a date and hour. */
  date(iso: string, granularity: 'day' | 'week' | 'month' | 'hour' = 'day'): string {
    const date = new Date(iso);
    switch (granularity) {
      case 'month':
        return this.dateFormat({ year: 'numeric', month: 'short' }).format(date);
      case 'hour':
        return this.dateFormat({ month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(date);
      default:
        return this.dateFormat({ year: 'numeric', month: 'short', day: 'numeric' }).format(date);
    }
  }
}

/** A round tick step (1, 2 or 5 × 10ⁿ) at least `raw`; whole numbers only when `whole`. Undefined for an empty axis. */
export function niceStep(raw: number, whole = false): number | undefined {
  if (!(raw > 0) || !Number.isFinite(raw)) return undefined;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw)!;
  return whole ? Math.max(1, Math.round(step)) : step;
}
