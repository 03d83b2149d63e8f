import { describe, expect, it } from 'vitest'
import { STATUS_LABELS, heldUntil, mayReplace, statusSentence } from '../src/status'

describe('booking statuses', () => {
  it('names a hold and an expired hold as people read them', () => {
    expect(STATUS_LABELS.HELD).toBe('Held')
    expect(STATUS_LABELS.EXPIRED).toBe('Expired')
  })

  it('says what a hold keeps and what an expiry gave back', () => {
    expect(statusSentence('ABC234', 'HELD', null)).toBe(
      'Booking ABC234 is held: the seats are kept for you, nothing is charged until you pay.',
    )
    expect(statusSentence('ABC234', 'EXPIRED', null)).toBe(
      'Booking ABC234 expired before it was paid: its seats went back and nothing was charged.',
    )
  })

  it('says until when a booking is held, in UTC', () => {
    expect(heldUntil('2026-12-01T21:45:00Z', 'en-GB')).toBe('Held until Tue, 1 Dec 2026 21:45 UTC')
  })
})

describe('mayReplace: a booking never moves back', () => {
  it.each([
    [undefined, 'HELD'],
    ['HELD', 'PENDING'],
    ['HELD', 'EXPIRED'],
    ['HELD', 'CANCELLED'],
    ['PENDING', 'CONFIRMED'],
    ['PENDING', 'FAILED'],
    ['CONFIRMED', 'CANCELLED'],
  ] as const)('%s → %s is taken', (known, next) => {
    expect(mayReplace(known, next)).toBe(true)
  })

  it.each([
    ['CONFIRMED', 'PENDING'],
    ['PENDING', 'HELD'],
    ['CONFIRMED', 'HELD'],
    ['EXPIRED', 'HELD'],
    ['EXPIRED', 'PENDING'],
    ['FAILED', 'PENDING'],
  ] as const)('a late %s is not undone by %s', (known, next) => {
    expect(mayReplace(known, next)).toBe(false)
  })
})
