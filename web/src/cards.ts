// The sandbox payment provider's test tokens (resolvers/payments/sandbox.py): what each one does.
export interface TestCard {
  token: string
  label: string
  outcome: string
}

export const TEST_CARDS: readonly TestCard[] = [
  { token: 'tok_visa', label: 'Visa', outcome: 'pays' },
  { token: 'tok_mastercard', label: 'Mastercard', outcome: 'pays' },
  { token: 'tok_transient', label: 'Flaky provider', outcome: 'fails twice, then pays' },
  { token: 'tok_declined', label: 'Declined card', outcome: 'is declined' },
  { token: 'tok_insufficient_funds', label: 'Empty account', outcome: 'has insufficient funds' },
  { token: 'tok_timeout', label: 'Slow provider', outcome: 'never answers in time' },
]
