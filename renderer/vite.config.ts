import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vite';
import { icedForBrowser } from '../build/vite/iced-browser.ts';

// Built with `vite build renderer` from the repository root: the root is this folder.
export default defineConfig({
  base: './',
  plugins: [svelte()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 5000,
    // Everything is bundled locally: no module preload polyfill that could fetch from elsewhere.
    modulePreload: { polyfill: false },
  },
  worker: { format: 'es', plugins: () => [icedForBrowser()] },
  server: { host: '127.0.0.1' },
});
