import { defineConfig } from 'vite';

// The web UI, built into dist/ui (served by the service at /ui/). No dev server proxy:
// `npm run build` then `npm start`.
export default defineConfig({
  root: import.meta.dirname,
  base: '/ui/',
  logLevel: 'warn',
  build: {
    outDir: '../dist/ui',
    emptyOutDir: true,
    chunkSizeWarningLimit: 2500,
    sourcemap: false,
  },
});
