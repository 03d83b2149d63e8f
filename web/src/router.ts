// A hash router: links stay real links, the back button works, the server needs no rewrite for it.
import { ref } from 'vue'

export type Route = 'search' | 'book' | 'bookings' | 'loyalty' | 'admin'
const ROUTES: readonly Route[] = ['search', 'book', 'bookings', 'loyalty', 'admin']

function parse(hash: string): Route {
  const name = hash.replace(/^#\/?/, '').split('/')[0] as Route
  return ROUTES.includes(name) ? name : 'search'
}

export const route = ref<Route>(parse(window.location.hash))
window.addEventListener('hashchange', () => (route.value = parse(window.location.hash)))

export function go(to: Route): void {
  window.location.hash = `#/${to}`
  route.value = to
}
