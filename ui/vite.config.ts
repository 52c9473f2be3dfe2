import { defineConfig } from 'vite';

// The web UI, built into dist/ui (served by the service at /ui/ and /api/inventory/ui/).
// Relative URLs (base './'): the page's <base>, set by the service, names the mount
// (src/web-ui/web-ui.ts). No dev server proxy: `npm run build` then `npm start`.
export default defineConfig({
  root: import.meta.dirname,
  base: './',
  logLevel: 'warn',
  build: {
    outDir: '../dist/ui',
    emptyOutDir: true,
    chunkSizeWarningLimit: 2500,
    sourcemap: false,
  },
});
