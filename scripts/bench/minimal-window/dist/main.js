// Report the first painted view the way Authlens does: two animation frames after the content is there.
requestAnimationFrame(() =>
  requestAnimationFrame(() => window.__TAURI_INTERNALS__.invoke('ui_ready')),
);
