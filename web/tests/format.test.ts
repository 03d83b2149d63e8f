import { describe, expect, it } from 'vitest'
import { formatDate, formatDuration, formatPrice, formatTime, seatsLeft, todayIso } from '../src/format'

describe('formatPrice', () => {
  it('shows minor units in the currency of the flight', () => {
    expect(formatPrice(8_900, 'GBP', 'en-GB')).toBe('£89.00')
    expect(formatPrice(10_450, 'EUR', 'en-GB')).toBe('€104.50')
    expect(formatPrice(10_450, 'EUR', 'de-DE')).toBe('104,50\u00a0€')
  })

  it('knows currencies without minor units', () => {
    expect(formatPrice(12_000, 'JPY', 'en-GB')).toBe('JP¥12,000')
  })
})

describe('times and dates', () => {
  it('shows the time of day in UTC, 24-hour', () => {
    expect(formatTime('2026-12-02T07:15:00Z', 'en-GB')).toBe('07:15')
    expect(formatTime('2026-12-02T19:05:00.000Z', 'en-GB')).toBe('19:05')
  })

  it('shows the date with the weekday', () => {
    expect(formatDate('2026-12-02T07:15:00Z', 'en-GB')).toMatch(/^Wed,? 2 Dec 2026$/)
  })

  it('shows durations in hours and minutes', () => {
    expect(formatDuration('2026-12-02T07:15:00Z', '2026-12-02T09:35:00Z')).toBe('2 h 20 min')
    expect(formatDuration('2026-12-02T07:00:00Z', '2026-12-02T09:00:00Z')).toBe('2 h')
    expect(formatDuration('2026-12-02T07:00:00Z', '2026-12-02T07:45:00Z')).toBe('45 min')
  })

  it('gives today as an AWSDate in UTC', () => {
    expect(todayIso(new Date('2026-12-01T23:30:00Z'))).toBe('2026-12-01')
  })
})

describe('seatsLeft', () => {
  it('says how many seats are left in words', () => {
    expect(seatsLeft(0)).toBe('Sold out')
    expect(seatsLeft(1)).toBe('1 seat left')
    expect(seatsLeft(42)).toBe('42 seats left')
  })
})
