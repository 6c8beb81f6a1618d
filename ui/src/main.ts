import { mount } from 'svelte';
import App from './App.svelte';
import { inTauri, tauriBackend, type Backend } from './lib/backend';
import './app.css';

performance.mark('authlens:script');
// Before the first layout: the font stacks differ on Linux (see app.css).
if (/\bLinux\b/.test(navigator.userAgent) && !/\bAndroid\b/.test(navigator.userAgent)) {
  document.documentElement.classList.add('linux');
}

async function pickBackend(): Promise<Backend> {
  if (inTauri()) return tauriBackend;
  // Browser-only dev mode: fixture data, runs that stream slowly enough to watch, times moved to now.
  const { createMockBackend } = await import('./lib/mock');
  return createMockBackend({ delayMs: 150, now: Date.now });
}

const target = document.getElementById('app');
if (target) {
  pickBackend().then((backend) => {
    mount(App, { target, props: { backend } });
    performance.mark('authlens:mounted');
  });
}
