// Who is signed in (Amplify Auth against the Cognito user pool): username, sub, and whether an Admin.
import { fetchAuthSession, getCurrentUser, signOut } from 'aws-amplify/auth'
import { reactive } from 'vue'

export interface User {
  username: string
  /** The user's `sub`: the `customer` of their bookings and subscriptions. */
  sub: string
  isAdmin: boolean
}

export const session = reactive<{ loading: boolean; user: User | null }>({ loading: true, user: null })

export const ADMINS_GROUP = 'Admins'

export async function loadSession(): Promise<User | null> {
  try {
    const current = await getCurrentUser()
    const auth = await fetchAuthSession()
    const groups = auth.tokens?.idToken?.payload['cognito:groups']
    session.user = {
      username: current.username,
      sub: current.userId,
      isAdmin: Array.isArray(groups) && groups.includes(ADMINS_GROUP),
    }
  } catch {
    session.user = null
  }
  session.loading = false
  return session.user
}

export async function endSession(): Promise<void> {
  try {
    await signOut()
  } finally {
    session.user = null
  }
}
