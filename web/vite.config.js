// Vite build of the explorer: a static single page in dist/ (relative asset
// paths, so it can be served from any path). The custom RPC definitions are
// imported from docs/rpc-definitions.json, outside this folder.
import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

export default defineConfig({
  base: './',
  resolve: {
    alias: [
      // Read-only explorer: no WASM crypto (see src/wasm-crypto-none.js).
      { find: /^@polkadot\/wasm-crypto-init$/, replacement: fileURLToPath(new URL('./src/wasm-crypto-none.js', import.meta.url)) },
    ],
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // @polkadot/api is most of the bundle (~800 kB, ~210 kB gzipped).
    chunkSizeWarningLimit: 900,
    rollupOptions: {
      // @polkadot/x-global has a /*#__PURE__*/ Rollup cannot place: harmless.
      onwarn(warning, warn) {
        if (warning.code !== 'INVALID_ANNOTATION') warn(warning);
      },
    },
  },
  server: { fs: { allow: ['..'] } },
});
