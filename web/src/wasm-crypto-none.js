// Replaces @polkadot/wasm-crypto-init in the bundle (vite.config.js alias):
// the explorer only reads the chain (no keys, no signatures), and the hashes
// it needs (xxhash and blake2 for storage keys and addresses) have pure-JS
// fallbacks in @polkadot/util-crypto, so the ~225 kB WASM blob is left out.
// Unlike @polkadot/wasm-crypto-init/none, this reports no error to the console.
// The API is created with `initWasm: false` (src/connection.js).
export const createWasm = async () => ({ error: null, type: 'none', wasm: null });
