// Loyalty tiers as the API defines them (SILVER from 50,000 points, GOLD from 100,000) and the way to the next one.
import type { LoyaltyLevel } from './generated/graphql'

export const TIER_THRESHOLDS: Record<LoyaltyLevel, number> = { BRONZE: 0, SILVER: 50_000, GOLD: 100_000 }
const NEXT: Record<LoyaltyLevel, LoyaltyLevel | null> = { BRONZE: 'SILVER', SILVER: 'GOLD', GOLD: null }

export interface TierProgress {
  level: LoyaltyLevel
  next: LoyaltyLevel | null
  /** 0..100, whole numbers: what the progress bar shows. */
  percent: number
  remaining: number
  summary: string
}

export function tierName(level: LoyaltyLevel): string {
  return level[0] + level.slice(1).toLowerCase()
}

/** The progress to the next tier from the API's loyalty answer (its percentage is trusted but clamped). */
export function tierProgress(loyalty: {
  level: LoyaltyLevel
  points: number
  remainingPoints: number
  percentage: number
}): TierProgress {
  const next = NEXT[loyalty.level]
  const percent = next === null ? 100 : Math.min(100, Math.max(0, Math.round(loyalty.percentage)))
  const remaining = next === null ? 0 : Math.max(0, loyalty.remainingPoints)
  const summary =
    next === null
      ? `${tierName(loyalty.level)}: the top tier.`
      : `${new Intl.NumberFormat('en').format(remaining)} points to ${tierName(next)}.`
  return { level: loyalty.level, next, percent, remaining, summary }
}
