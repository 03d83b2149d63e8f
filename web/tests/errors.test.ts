import { describe, expect, it } from 'vitest'
import { describeError } from '../src/errors'

// What Amplify's generateClient throws: the GraphQL result with its errors.
const apiError = (errorType: string, message = 'raw message') => ({
  data: null,
  errors: [{ message, errorType, errorInfo: { retryable: false }, path: ['initBooking'] }],
})

describe('describeError', () => {
  it.each([
    ['SeatsUnavailable', 'This flight does not have enough seats left. Please choose another flight or fewer passengers.'],
    ['BookingNotCancellable', 'Only confirmed or held bookings can be cancelled.'],
    ['HoldExpired', 'The hold on these seats has expired and they went back on sale. Please book again.'],
    ['BookingNotPayable', 'Only a held booking can be paid; this one is already paid, cancelled or expired.'],
    ['HoldNotExtendable', 'This hold cannot be extended any further. Please pay now to keep the seats.'],
    ['IdempotencyConflict', 'This booking or payment attempt was already used with other details. Please start again.'],
    ['Unauthorized', 'You are not allowed to do that.'],
    ['NotFound', 'That flight or booking no longer exists.'],
    ['Throttled', 'We are busy right now. Please try again in a moment.'],
  ])('turns the API error %s into a sentence', (errorType, sentence) => {
    expect(describeError(apiError(errorType))).toBe(sentence)
  })

  it('keeps the readable part of a validation message, without the field path', () => {
    const error = apiError(
      'ValidationError',
      'filter.departureAirportCode: must be a three-letter IATA airport code in upper case, like LGW',
    )
    expect(describeError(error)).toBe('Must be a three-letter IATA airport code in upper case, like LGW.')
  })

  it('says when check-in opens, or that it closed, as the API words it', () => {
    const early = apiError('CheckInNotAvailable', 'Check-in opens 24 hours before departure, at 2026-12-24T08:30:00Z')
    expect(describeError(early)).toBe('Check-in opens 24 hours before departure, at 2026-12-24T08:30:00Z.')
    const late = apiError('CheckInNotAvailable', 'Check-in closed 1 hour before departure; see an agent at the airport')
    expect(describeError(late)).toBe('Check-in closed 1 hour before departure; see an agent at the airport.')
  })

  it('never shows raw JSON or an unknown type', () => {
    const sentence = describeError(apiError('Lambda:Unhandled', '{"errorMessage": "boom"}'))
    expect(sentence).toBe('Something went wrong. Please try again.')
    expect(describeError({ weird: true })).toBe('Something went wrong. Please try again.')
    expect(describeError(undefined)).toBe('Something went wrong. Please try again.')
  })

  it('maps an expired or missing token to signing in again', () => {
    const error = { errors: [{ message: 'Valid authorization header not provided.', errorType: 'UnauthorizedException' }] }
    expect(describeError(error)).toBe('Your session has expired or does not allow this. Please sign in again.')
  })

  it('turns Cognito errors from Amplify Auth into sentences', () => {
    const error = Object.assign(new Error('Incorrect username or password.'), { name: 'NotAuthorizedException' })
    expect(describeError(error)).toBe('The username or password is incorrect.')
    const taken = Object.assign(new Error('User already exists'), { name: 'UsernameExistsException' })
    expect(describeError(taken)).toBe('That username is taken. Please choose another one.')
  })

  it('names the password rule Cognito says was broken', () => {
    const weak = Object.assign(new Error('Password did not conform with policy: Password not long enough'), {
      name: 'InvalidPasswordException',
    })
    expect(describeError(weak)).toBe('The password is too weak: password not long enough.')
  })

  it('says when the service cannot be reached', () => {
    expect(describeError(new TypeError('Failed to fetch'))).toMatch(/cannot be reached/)
  })
})
