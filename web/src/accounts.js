// Names of the well-known development accounts (sr25519 //Alice ... //Ferdie),
// by public key, so they are found whatever the chain's SS58 prefix.
import { decodeAddress } from '@polkadot/util-crypto';
import { u8aToHex } from '@polkadot/util';

const DEV_ACCOUNTS = {
  '0xd43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d': 'Alice',
  '0x8eaf04151687736326c9fea17e25fc5287613693c912909cb226aa4794f26a48': 'Bob',
  '0x90b5ab205c6974c9ea841be688864633dc9ca8a357843eeacf2314649965fe22': 'Charlie',
  '0x306721211d5404bd9da88e0204360a1a9ab8b87c66c1bc2fcdd37f3c2222cc20': 'Dave',
  '0xe659a7a1628cdd93febc04a4e0646ea20e9f5f0ce097d9a05290d4a9e054df4e': 'Eve',
  '0x1cbd2d43530a44705ad088af313e18f80b53ef16b36177cd4b77b846f2a5f07c': 'Ferdie',
};

const names = new Map();

/** "Alice" for a dev account's SS58 address, else null. */
export function accountName(ss58) {
  if (!names.has(ss58)) {
    let name = null;
    try {
      name = DEV_ACCOUNTS[u8aToHex(decodeAddress(ss58))] ?? null;
    } catch (_) { /* not an address: no name */ }
    names.set(ss58, name);
  }
  return names.get(ss58);
}

/** The dev account's name, or the address shortened to 5Grw…utQY. */
export function accountLabel(ss58) {
  return accountName(ss58) ?? (ss58.length > 12 ? `${ss58.slice(0, 4)}…${ss58.slice(-4)}` : ss58);
}
