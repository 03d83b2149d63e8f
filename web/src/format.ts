// How the app shows prices, times and durations: Intl, in the user's locale, never hand-built strings.

/** A price given in minor units (pence, cents, yen) in the currency's own format, e.g. 12999 GBP → "£129.99". */
export function formatPrice(minorUnits: number, currency: string, locale?: string): string {
  const format = new Intl.NumberFormat(locale, { style: 'currency', currency })
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2
  return format.format(minorUnits / 10 ** digits)
}

/** The time of day of an AWSDateTime, in UTC (airports' schedules are published in UTC here). */
export function formatTime(isoDateTime: string, locale?: string): string {
  return new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit', timeZone: 'UTC', hour12: false }).format(
    new Date(isoDateTime),
  )
}

/** The date of an AWSDateTime, e.g. "Mon, 1 Dec 2026". */
export function formatDate(isoDateTime: string, locale?: string): string {
  return new Intl.DateTimeFormat(locale, {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    timeZone: 'UTC',
  }).format(new Date(isoDateTime))
}

/** A duration between two AWSDateTimes as "2 h 35 min". */
export function formatDuration(fromIso: string, toIso: string): string {
  const minutes = Math.max(0, Math.round((Date.parse(toIso) - Date.parse(fromIso)) / 60_000))
  const hours = Math.floor(minutes / 60)
  const rest = minutes % 60
  if (hours === 0) return `${rest} min`
  return rest === 0 ? `${hours} h` : `${hours} h ${rest} min`
}

/** "1 seat left", "12 seats left", "Sold out". */
export function seatsLeft(count: number): string {
  if (count <= 0) return 'Sold out'
  return count === 1 ? '1 seat left' : `${count} seats left`
}

/** A whole number with the locale's grouping, e.g. 52000 → "52,000". */
export function formatNumber(value: number, locale?: string): string {
  return new Intl.NumberFormat(locale).format(value)
}

/** Today's date as an AWSDate (YYYY-MM-DD), in UTC like the API's departureDate filter. */
export function todayIso(now: Date = new Date()): string {
  return now.toISOString().slice(0, 10)
}
