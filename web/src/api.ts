// The API through Amplify JS v6: typed requests and subscriptions, signed in with the user pool.
import { generateClient, type GraphQLResult } from 'aws-amplify/api'
import { Hub } from 'aws-amplify/utils'

const client = generateClient()

type Variables = Record<string, unknown>

/** Sends a query or mutation as the signed-in user; answers its data or throws Amplify's `{errors}`. */
export async function request<TData, TVariables extends object = Variables>(
  query: string,
  variables?: TVariables,
): Promise<TData> {
  const options = { query, variables: variables as Variables, authMode: 'userPool' as const }
  const result = (await client.graphql(options)) as unknown as GraphQLResult<TData>
  if (result.errors && result.errors.length > 0) throw result
  return result.data
}

export interface Subscription {
  unsubscribe(): void
  /** Resolves once AppSync acknowledged the subscription (start_ack), or after `timeoutMs` at the latest. */
  ready: Promise<void>
}

interface Observable<T> {
  subscribe(observer: { next: (value: T) => void; error: (error: unknown) => void }): { unsubscribe(): void }
}

/** Subscribes over AppSync's real-time protocol; `next` gets each event's data. */
export function subscribe<TData, TVariables extends object = Variables>(
  query: string,
  variables: TVariables,
  next: (data: TData) => void,
  onError: (error: unknown) => void,
  timeoutMs = 10_000,
): Subscription {
  let stopListening = (): void => {}
  const ready = new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, timeoutMs)
    stopListening = Hub.listen('api', ({ payload }) => {
      const data = payload.data as { query?: string; variables?: Variables } | undefined
      if (payload.event === 'Subscription ack' && sameQuery(data?.query, query) && sameVariables(data?.variables, variables)) {
        clearTimeout(timer)
        stopListening()
        resolve()
      }
    })
  })
  const observable = client.graphql({
    query,
    variables: variables as Variables,
    authMode: 'userPool',
  }) as unknown as Observable<{ data: TData }>
  const handle = observable.subscribe({ next: ({ data }) => next(data), error: onError })
  return {
    ready,
    unsubscribe: () => {
      stopListening()
      handle.unsubscribe()
    },
  }
}

// Amplify re-prints the document it sends (graphql's print): compare without layout.
function sameQuery(a: string | undefined, b: string): boolean {
  const bare = (text: string) => text.replace(/[\s,]+/g, '')
  return a !== undefined && bare(a) === bare(b)
}

function sameVariables(a: Variables | undefined, b: object): boolean {
  return JSON.stringify(a ?? {}) === JSON.stringify(b)
}
