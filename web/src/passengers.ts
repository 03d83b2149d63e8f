// Who travels: the booking form's passengers, checked by the API's rule so the form can say at once what to fix.

export const MAX_PASSENGERS = 9
export const MAX_NAME_LENGTH = 50

export interface PassengerNames {
  firstName: string
  lastName: string
}

/** A name as the API stores it: NFC, without outer spaces, runs of spaces made one. */
export function cleanName(name: string): string {
  return name.normalize('NFC').trim().replace(/\s+/g, ' ')
}

// Words of letters of any script (with their combining marks) joined by one space, hyphen or apostrophe.
const NAME = /^\p{L}[\p{L}\p{M}]*(?:[ '’-]\p{L}[\p{L}\p{M}]*)*$/u

/** Why the API would refuse this first or last name, as a sentence; '' when it is fine. */
export function nameProblem(name: string): string {
  const clean = cleanName(name)
  if (!clean) return 'Enter a name.'
  if ([...clean].length > MAX_NAME_LENGTH) return `Use at most ${MAX_NAME_LENGTH} characters.`
  if (!NAME.test(clean)) return 'Use letters, spaces, hyphens and apostrophes only.'
  return ''
}

/** The list resized to `count` passengers, keeping the names already typed. */
export function resize(passengers: PassengerNames[], count: number): PassengerNames[] {
  const size = Math.min(Math.max(Math.trunc(count), 1), MAX_PASSENGERS)
  return Array.from({ length: size }, (_, i) => passengers[i] ?? { firstName: '', lastName: '' })
}

/** "Ada Lovelace, Alan Turing". */
export function passengerList(passengers: readonly PassengerNames[]): string {
  return passengers.map((p) => `${p.firstName} ${p.lastName}`).join(', ')
}
