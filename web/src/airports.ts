// Airports the search offers, with their names (the API answers names with each flight too).
export interface Airport {
  code: string
  name: string
  city: string
}

export const AIRPORTS: readonly Airport[] = [
  { code: 'LGW', name: 'London Gatwick', city: 'London' },
  { code: 'MAD', name: 'Adolfo Suárez Madrid-Barajas', city: 'Madrid' },
  { code: 'CDG', name: 'Paris Charles de Gaulle', city: 'Paris' },
  { code: 'BCN', name: 'Barcelona-El Prat', city: 'Barcelona' },
  { code: 'FCO', name: 'Rome Fiumicino', city: 'Rome' },
  { code: 'LHR', name: 'London Heathrow', city: 'London' },
  { code: 'AMS', name: 'Amsterdam Schiphol', city: 'Amsterdam' },
  { code: 'DUB', name: 'Dublin', city: 'Dublin' },
  { code: 'LIS', name: 'Lisbon Humberto Delgado', city: 'Lisbon' },
  { code: 'FRA', name: 'Frankfurt', city: 'Frankfurt' },
]

export function airportLabel(code: string): string {
  const airport = AIRPORTS.find((a) => a.code === code)
  return airport ? `${airport.city} ${airport.name === airport.city ? '' : `${airport.name} `}(${code})`.replace('  ', ' ') : code
}
