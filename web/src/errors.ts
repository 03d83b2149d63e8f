// Errors as sentences: the API's typed errors (errorType) and Amplify Auth's (Cognito's __type), never raw JSON.

const API_ERRORS: Record<string, string> = {
  ValidationError: 'Some details are not valid.',
  NotFound: 'That flight or booking no longer exists.',
  Unauthorized: 'You are not allowed to do that.',
  SeatsUnavailable: 'This flight does not have enough seats left. Please choose another flight or fewer passengers.',
  IdempotencyConflict: 'This booking or payment attempt was already used with other details. Please start again.',
  BookingNotCancellable: 'Only confirmed or held bookings can be cancelled.',
  HoldExpired: 'The hold on these seats has expired and they went back on sale. Please book again.',
  BookingNotPayable: 'Only a held booking can be paid; this one is already paid, cancelled or expired.',
  HoldNotExtendable: 'This hold cannot be extended any further. Please pay now to keep the seats.',
  Conflict: 'Someone else changed this at the same moment. Please try again.',
  Throttled: 'We are busy right now. Please try again in a moment.',
}

const AUTH_ERRORS: Record<string, string> = {
  NotAuthorizedException: 'The username or password is incorrect.',
  UserNotFoundException: 'The username or password is incorrect.',
  UsernameExistsException: 'That username is taken. Please choose another one.',
  InvalidPasswordException: 'The password is too weak: use a longer one with upper and lower case letters, digits and a symbol.',
  InvalidParameterException: 'Some details are not valid.',
  CodeMismatchException: 'The confirmation code is not right. Please check it and try again.',
  ExpiredCodeException: 'The confirmation code has expired. Please ask for a new one.',
  UserNotConfirmedException: 'Please confirm your account first.',
  LimitExceededException: 'Too many attempts. Please wait a moment and try again.',
  TooManyRequestsException: 'Too many attempts. Please wait a moment and try again.',
  EmptySignInUsername: 'Please enter your username.',
  EmptySignInPassword: 'Please enter your password.',
  UserAlreadyAuthenticatedException: 'You are already signed in.',
  NetworkError: 'The service cannot be reached. Please check your connection and try again.',
}

const FALLBACK = 'Something went wrong. Please try again.'

interface GraphQLErrorLike {
  message?: string
  errorType?: string
  errorInfo?: { field?: string; retryable?: boolean } | null
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null
}

/** The first GraphQL error of what Amplify's client threw (`{errors: [...]}`) or of a GraphQL error itself. */
export function firstGraphQLError(error: unknown): GraphQLErrorLike | undefined {
  if (!isRecord(error)) return undefined
  if (Array.isArray(error.errors) && error.errors.length > 0 && isRecord(error.errors[0])) {
    return error.errors[0] as GraphQLErrorLike
  }
  if (typeof error.errorType === 'string') return error as GraphQLErrorLike
  return undefined
}

/** A sentence for a person: what went wrong and, where it helps, what to do. */
export function describeError(error: unknown): string {
  const graphQLError = firstGraphQLError(error)
  if (graphQLError) {
    const type = graphQLError.errorType ?? ''
    if (type === 'CheckInNotAvailable' && graphQLError.message) {
      // The API says when check-in opens, or that it closed: the customer needs exactly that.
      return sentence(graphQLError.message)
    }
    if (type === 'ValidationError' && graphQLError.message) {
      // The API's validation messages are written for people ("must be a three-letter IATA airport code…").
      return sentence(graphQLError.message.replace(/^[\w.[\]]+: /, ''))
    }
    if (type in API_ERRORS) return API_ERRORS[type] as string
    if (type.startsWith('UnauthorizedException') || /not authorized|unauthorized/i.test(graphQLError.message ?? '')) {
      return 'Your session has expired or does not allow this. Please sign in again.'
    }
    if (/network|fetch/i.test(graphQLError.message ?? '')) return AUTH_ERRORS.NetworkError as string
    return FALLBACK
  }
  if (isRecord(error) && error.name === 'InvalidPasswordException' && typeof error.message === 'string') {
    // Cognito names the rule the password broke ("Password not long enough").
    const rule = error.message.split(': ').pop() ?? ''
    if (rule) return `The password is too weak: ${rule.charAt(0).toLowerCase()}${rule.slice(1)}.`
  }
  if (isRecord(error) && typeof error.name === 'string' && error.name in AUTH_ERRORS) {
    return AUTH_ERRORS[error.name] as string
  }
  if (error instanceof TypeError && /fetch/i.test(error.message)) return AUTH_ERRORS.NetworkError as string
  return FALLBACK
}

function sentence(text: string): string {
  const trimmed = text.trim()
  if (!trimmed) return FALLBACK
  const capitalised = trimmed[0]!.toUpperCase() + trimmed.slice(1)
  return /[.!?]$/.test(capitalised) ? capitalised : `${capitalised}.`
}
