import { describe, expect, it } from 'vitest'
import { MAX_PASSENGERS, cleanName, nameProblem, passengerList, resize } from '../src/passengers'

describe('nameProblem', () => {
  it('accepts names of any script with spaces, hyphens and apostrophes', () => {
    for (const name of ['Ada', 'Anne-Marie', "O'Brien", 'D’Arcy', 'José María', 'Zoë', 'प्रिया', 'Nguyễn', '  Li  ']) {
      expect(nameProblem(name), name).toBe('')
    }
    expect(nameProblem('Nguyễn'.normalize('NFD'))).toBe('')
  })

  it('says what to fix, as the API would refuse it', () => {
    expect(nameProblem('')).toBe('Enter a name.')
    expect(nameProblem('   ')).toBe('Enter a name.')
    expect(nameProblem('R2-D2')).toBe('Use letters, spaces, hyphens and apostrophes only.')
    expect(nameProblem('<b>Ada</b>')).toBe('Use letters, spaces, hyphens and apostrophes only.')
    expect(nameProblem('-Ada')).toBe('Use letters, spaces, hyphens and apostrophes only.')
    expect(nameProblem('Love--lace')).toBe('Use letters, spaces, hyphens and apostrophes only.')
    expect(nameProblem('A'.repeat(51))).toBe('Use at most 50 characters.')
    expect(nameProblem('Ä'.repeat(50))).toBe('')
  })
})

describe('passenger lists', () => {
  it('resizes to 1 to 9 passengers keeping the names typed', () => {
    const typed = [{ firstName: 'Ada', lastName: 'Lovelace' }]
    expect(resize(typed, 3)).toEqual([typed[0], { firstName: '', lastName: '' }, { firstName: '', lastName: '' }])
    expect(resize(resize(typed, 3), 1)).toEqual(typed)
    expect(resize(typed, 0)).toHaveLength(1)
    expect(resize(typed, 20)).toHaveLength(MAX_PASSENGERS)
  })

  it('cleans names as the API stores them and lists them', () => {
    expect(cleanName('  José   María ')).toBe('José María')
    expect(passengerList([{ firstName: 'Ada', lastName: 'Lovelace' }, { firstName: 'Alan', lastName: 'Turing' }])).toBe(
      'Ada Lovelace, Alan Turing',
    )
  })
})
