/** Calendar arithmetic on local dates (`YYYY-MM-DD`), with no time zone in it: the service reads them in its own. */

export const PRESETS = ['last7', 'last30', 'last90', 'thisWeek', 'thisMonth', 'lastMonth', 'thisQuarter', 'thisYear', 'lastYear'] as const;
export type Preset = (typeof PRESETS)[number];

const parse = (day: string) => new Date(`${day}T00:00:00Z`);
const format = (date: Date) => date.toISOString().slice(0, 10);

export function addDays(day: string, days: number): string {
  const date = parse(day);
  date.setUTCDate(date.getUTCDate() + days);
  return format(date);
}

export function addYears(day: string, years: number): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  // 29 February a year on is 28 February, not 1 March.
  const last = new Date(Date.UTC(y + years, m, 0)).getUTCDate();
  return format(new Date(Date.UTC(y + years, m - 1, Math.min(d, last))));
}

const monthStart = (day: string, monthsBack = 0) => {
  const [y, m] = day.split('-').map(Number) as [number, number];
  return format(new Date(Date.UTC(y, m - 1 - monthsBack, 1)));
};

/** The day a week starts on in a locale: 1 = Monday … 7 = Sunday (Intl's weekInfo where the browser has it). */
export function weekStart(locale: string): number {
  const info = new Intl.Locale(locale) as Intl.Locale & { getWeekInfo?: () => { firstDay: number }; weekInfo?: { firstDay: number } };
  const firstDay = info.getWeekInfo?.().firstDay ?? info.weekInfo?.firstDay;
  if (firstDay) return firstDay;
  return /^(en-US|en$|ja|he)/i.test(locale) ? 7 : 1;
}

/** A preset's range [from, to) ending with `today`, in `locale`'s weeks. */
export function presetRange(preset: Preset, today: string, locale: string): { from: string; to: string } {
  const tomorrow = addDays(today, 1);
  switch (preset) {
    case 'last7':
      return { from: addDays(today, -6), to: tomorrow };
    case 'last30':
      return { from: addDays(today, -29), to: tomorrow };
    case 'last90':
      return { from: addDays(today, -89), to: tomorrow };
    case 'thisWeek': {
      const weekday = parse(today).getUTCDay() || 7; // 1 = Monday … 7 = Sunday
      return { from: addDays(today, -((weekday - weekStart(locale) + 7) % 7)), to: tomorrow };
    }
    case 'thisMonth':
      return { from: monthStart(today), to: tomorrow };
    case 'lastMonth':
      return { from: monthStart(today, 1), to: monthStart(today) };
    case 'thisQuarter': {
      const month = Number(today.slice(5, 7));
      return { from: monthStart(today, (month - 1) % 3), to: tomorrow };
    }
    case 'thisYear':
      return { from: `${today.slice(0, 4)}-01-01`, to: tomorrow };
    case 'lastYear':
      return { from: `${Number(today.slice(0, 4)) - 1}-01-01`, to: `${today.slice(0, 4)}-01-01` };
  }
}

/** Today's date in a time zone (the browser's when none is given). */
export function todayIn(timeZone?: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}
