// MS-DOS date/time: 2-second resolution, years 1980..2107, local time by convention.
// We encode and decode in UTC so that output is reproducible across machines.

/** Decodes DOS date and time fields; invalid fields are clamped, never thrown. */
export function fromDosDateTime(date: number, time: number): Date {
  const year = ((date >>> 9) & 0x7f) + 1980;
  const month = Math.max(1, (date >>> 5) & 0x0f) - 1;
  const day = Math.max(1, date & 0x1f);
  const hours = (time >>> 11) & 0x1f;
  const minutes = (time >>> 5) & 0x3f;
  const seconds = (time & 0x1f) * 2;
  return new Date(Date.UTC(year, month, day, hours, minutes, seconds));
}

/** Encodes a Date as DOS {date, time}; dates outside 1980..2107 are clamped. */
export function toDosDateTime(d: Date): { date: number; time: number } {
  let year = d.getUTCFullYear();
  if (year < 1980) return { date: (1 << 5) | 1, time: 0 }; // 1980-01-01 00:00:00
  if (year > 2107) year = 2107;
  const date = ((year - 1980) << 9) | ((d.getUTCMonth() + 1) << 5) | d.getUTCDate();
  const time = (d.getUTCHours() << 11) | (d.getUTCMinutes() << 5) | (d.getUTCSeconds() >>> 1);
  return { date, time };
}
