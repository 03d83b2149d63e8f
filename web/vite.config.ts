/// <reference types="vitest/config" />
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'

export default defineConfig({
  plugins: [vue()],
  build: { target: 'es2022', chunkSizeWarningLimit: 1000 },
  // `npm run dev` against a running `make dev`: only the configuration is proxied; the app then calls the API
  // (TLS, CORS) directly, as it does when deployed.
  server: {
    proxy: { '/amplify-config.json': { target: process.env.AIRLINE_API ?? 'http://127.0.0.1:4000', changeOrigin: true } },
  },
  test: { include: ['tests/**/*.test.ts'], environment: 'node' },
})
