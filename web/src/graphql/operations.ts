// Every GraphQL operation the app sends; graphql-codegen types them (src/generated/graphql.ts).
export const listFlights = /* GraphQL */ `
  query ListFlights($filter: FlightFilter!, $limit: Int, $nextToken: String) {
    listFlights(filter: $filter, limit: $limit, nextToken: $nextToken) {
      items {
        id
        flightNumber
        departureAirportCode
        departureAirportName
        departureCity
        departureDateTime
        arrivalAirportCode
        arrivalAirportName
        arrivalCity
        arrivalDateTime
        ticketPrice
        ticketCurrency
        seatCapacity
        seatsAvailable
        status
        delayMinutes
      }
      nextToken
    }
  }
`

export const getBooking = /* GraphQL */ `
  query GetBooking($id: ID!) {
    getBooking(id: $id) {
      id
      bookingReference
      status
      statusReason
      customer
      passengers {
        firstName
        lastName
        seat
      }
      totalPrice
      currency
      checkedIn
      holdExpiresAt
      createdAt
      updatedAt
      outboundFlight {
        id
        flightNumber
        departureAirportCode
        departureAirportName
        departureCity
        departureDateTime
        arrivalAirportCode
        arrivalAirportName
        arrivalCity
        arrivalDateTime
        ticketPrice
        ticketCurrency
        seatCapacity
        seatsAvailable
        status
        delayMinutes
      }
    }
  }
`

// A passenger with the seat and boarding pass check-in gives (both null before).
const passengerFields = /* GraphQL */ `
  fragment PassengerFields on Passenger {
    firstName
    lastName
    seat
    boardingPass {
      passengerName
      seat
      boardingGroup
      sequenceNumber
      barcode
    }
  }
`

export const listBookings = /* GraphQL */ `
  query ListBookings($filter: BookingFilter, $limit: Int, $nextToken: String) {
    listBookings(filter: $filter, limit: $limit, nextToken: $nextToken) {
      items {
        id
        bookingReference
        status
        statusReason
        customer
        passengers {
          ...PassengerFields
        }
        totalPrice
        currency
        checkedIn
        holdExpiresAt
        createdAt
        updatedAt
        outboundFlight {
          id
          flightNumber
          departureAirportCode
          departureAirportName
          departureCity
          departureDateTime
          arrivalAirportCode
          arrivalAirportName
          arrivalCity
          arrivalDateTime
          ticketPrice
          ticketCurrency
          seatCapacity
          seatsAvailable
          status
          delayMinutes
        }
      }
      nextToken
    }
  }
  ${passengerFields}
`

export const getLoyalty = /* GraphQL */ `
  query GetLoyalty {
    getLoyalty {
      customer
      points
      level
      remainingPoints
      percentage
    }
  }
`

export const initBooking = /* GraphQL */ `
  mutation InitBooking($input: InitBookingInput!) {
    initBooking(input: $input) {
      id
      bookingReference
      status
      statusReason
      passengers {
        firstName
        lastName
      }
      totalPrice
      currency
      holdExpiresAt
    }
  }
`

export const cancelBooking = /* GraphQL */ `
  mutation CancelBooking($id: ID!) {
    cancelBooking(id: $id) {
      id
      bookingReference
      status
      statusReason
    }
  }
`

export const payBooking = /* GraphQL */ `
  mutation PayBooking($id: ID!, $paymentToken: String!, $idempotencyKey: String!) {
    payBooking(id: $id, paymentToken: $paymentToken, idempotencyKey: $idempotencyKey) {
      id
      bookingReference
      status
      statusReason
      holdExpiresAt
    }
  }
`

export const extendHold = /* GraphQL */ `
  mutation ExtendHold($id: ID!) {
    extendHold(id: $id) {
      id
      bookingReference
      status
      statusReason
      holdExpiresAt
    }
  }
`

export const checkIn = /* GraphQL */ `
  mutation CheckIn($bookingId: ID!) {
    checkIn(bookingId: $bookingId) {
      id
      checkedIn
      passengers {
        ...PassengerFields
      }
    }
  }
  ${passengerFields}
`

export const createFlight = /* GraphQL */ `
  mutation CreateFlight($input: CreateFlightInput!) {
    createFlight(input: $input) {
      id
      flightNumber
      departureAirportCode
      arrivalAirportCode
      departureDateTime
    }
  }
`

export const delayFlight = /* GraphQL */ `
  mutation DelayFlight($input: DelayFlightInput!) {
    delayFlight(input: $input) {
      flightId
      flightNumber
      delayMinutes
      reason
      affectedBookings
    }
  }
`

export const onBookingStatusChanged = /* GraphQL */ `
  subscription OnBookingStatusChanged($customer: ID!, $bookingId: ID) {
    onBookingStatusChanged(customer: $customer, bookingId: $bookingId) {
      bookingId
      customer
      status
      bookingReference
      statusReason
      occurredAt
    }
  }
`

export const onFlightDelayed = /* GraphQL */ `
  subscription OnFlightDelayed($flightId: ID, $departureAirportCode: String) {
    onFlightDelayed(flightId: $flightId, departureAirportCode: $departureAirportCode) {
      flightId
      flightNumber
      departureAirportCode
      arrivalAirportCode
      delayMinutes
      reason
      departureDateTime
      arrivalDateTime
      affectedBookings
      occurredAt
    }
  }
`
