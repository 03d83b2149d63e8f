// Starts the app: the configuration comes from the server (/amplify-config.json), so one build runs anywhere.
import { Amplify, type ResourcesConfig } from 'aws-amplify'
import { createApp } from 'vue'
import App from './App.vue'
import './style.css'

async function start(): Promise<void> {
  const root = document.getElementById('app')
  try {
    const response = await fetch('/amplify-config.json', { cache: 'no-store' })
    if (!response.ok) throw new Error(`/amplify-config.json answered ${response.status}`)
    Amplify.configure((await response.json()) as ResourcesConfig)
  } catch {
    if (root) {
      root.innerHTML =
        '<main class="page"><h1>Flight App</h1><p role="alert">The app cannot load its configuration ' +
        '(/amplify-config.json). Is the API running?</p></main>'
    }
    return
  }
  createApp(App).mount('#app')
}

void start()
