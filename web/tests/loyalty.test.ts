import { describe, expect, it } from 'vitest'
import { tierName, tierProgress } from '../src/loyalty'
import { statusSentence } from '../src/status'
import { TEST_CARDS } from '../src/cards'

describe('tierProgress', () => {
  it('shows the way from Bronze to Silver', () => {
    const progress = tierProgress({ level: 'BRONZE', points: 8_900, remainingPoints: 41_100, percentage: 17 })
    expect(progress).toMatchObject({ next: 'SILVER', percent: 17, remaining: 41_100 })
    expect(progress.summary).toBe('41,100 points to Silver.')
  })

  it('shows the way from Silver to Gold', () => {
    expect(tierProgress({ level: 'SILVER', points: 75_000, remainingPoints: 25_000, percentage: 50 })).toMatchObject({
      next: 'GOLD',
      percent: 50,
    })
  })

  it('is full at Gold, the top tier', () => {
    const progress = tierProgress({ level: 'GOLD', points: 150_000, remainingPoints: 0, percentage: 100 })
    expect(progress).toMatchObject({ next: null, percent: 100, remaining: 0, summary: 'Gold: the top tier.' })
  })

  it('clamps what the progress bar shows to 0..100', () => {
    expect(tierProgress({ level: 'BRONZE', points: 0, remainingPoints: 50_000, percentage: -3 }).percent).toBe(0)
    expect(tierProgress({ level: 'SILVER', points: 0, remainingPoints: 0, percentage: 140 }).percent).toBe(100)
  })

  it('names tiers as people read them', () => {
    expect(tierName('SILVER')).toBe('Silver')
  })
})

describe('booking status sentences', () => {
  it('says why a booking failed', () => {
    expect(statusSentence('ABC234', 'FAILED', 'The card was declined')).toBe(
      'Booking ABC234 failed: The card was declined.',
    )
    expect(statusSentence('ABC234', 'CONFIRMED', null)).toBe('Booking ABC234 is confirmed. Have a good flight!')
  })
})

describe('sandbox cards', () => {
  it('lists the test tokens of the sandbox provider, the paying one first', () => {
    expect(TEST_CARDS.map((c) => c.token)).toEqual([
      'tok_visa',
      'tok_mastercard',
      'tok_transient',
      'tok_declined',
      'tok_insufficient_funds',
      'tok_timeout',
    ])
  })
})
