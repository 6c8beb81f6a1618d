import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { svelteTesting } from '@testing-library/svelte/vite';

// Dates in tests render in UTC whatever the machine says.
process.env.TZ = 'UTC';

export default defineConfig({
  plugins: [svelte(), svelteTesting()],
  // Tauri serves the built files from its own origin; relative URLs keep them working from anywhere.
  base: './',
  clearScreen: false,
  server: { port: 5173, strictPort: true },
  build: {
    target: 'es2022',
    // No data: URIs (CSP) and no inline module-preload polyfill.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
    reportCompressedSize: true,
  },
  test: {
    environment: 'jsdom',
    include: ['tests/**/*.test.ts'],
    setupFiles: ['tests/setup.ts'],
    // The machine's two cores are shared with Rust builds: generous timeouts, two workers at most.
    testTimeout: 20_000,
    pool: 'threads',
    poolOptions: { threads: { maxThreads: 2, minThreads: 1 } },
  },
});
