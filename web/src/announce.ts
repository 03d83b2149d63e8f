// One polite live region for the whole app: status changes are read out by screen readers.
import { ref } from 'vue'

export const announcement = ref('')

export function announce(message: string): void {
  // Clear first so the same message twice is announced twice.
  announcement.value = ''
  setTimeout(() => (announcement.value = message), 50)
}
