// zombienet js-script (issue 20): the validator set changes through the
// session pallet on a running network (release v101 or later).
//
// Dave's node runs with --validator but no session keys. It generates them
// (author_rotateKeysWithOwner on dave's own RPC, Dave's account as the owner,
// so the ownership proof is Dave's), Dave's account registers them
// (session.setKeys, a 1 ZK deposit held) and root adds Dave
// (validatorSet.addValidator, refused with NoSessionKeys before the keys).
// Within two session boundaries Dave must be in session.validators and his
// keys among the Aura and GRANDPA authorities and the verifier set (4
// verifiers, threshold 3); a block authored with his Aura key must appear, and
// his verifier key must vote on a proof submitted after he joined (rounds of
// one reverse Dutch offer each, proven at once by Ferdie: with 4 verifiers
// and threshold 3 the last vote of a proof comes after its verdict and is not
// recorded, so a round may miss Dave's). Then root removes Charlie: he must
// leave session.validators and the authorities (3 verifiers, threshold 2),
// and finality must go on without him: every node, dave included, finalizes
// the same block 5 blocks after the change.
// Returns 1; throws with the reason otherwise.
const c = require("./common.js");

const { ZK } = c;
const log = c.logger("validators");

/** Dave's new session keys, generated in dave's keystore with Dave's account as the owner. */
async function rotateKeys(daveConn, dave) {
  const r = await daveConn.provider.send("author_rotateKeysWithOwner", [c.hex(dave.publicKey)]);
  if (!r || !r.keys || !r.proof) {
    throw new Error(`author_rotateKeysWithOwner on dave returned ${JSON.stringify(r)}, expected { keys, proof } (SessionKeys runtime API v2)`);
  }
  // SCALE of SessionKeys { aura, grandpa, verifier }: three 32-byte keys.
  const bytes = Buffer.from(r.keys.replace(/^0x/, ""), "hex");
  if (bytes.length !== 96) throw new Error(`session keys of ${bytes.length} bytes, expected 96 (aura, grandpa, verifier)`);
  return {
    keys: r.keys,
    proof: r.proof,
    aura: c.hex(bytes.subarray(0, 32)),
    grandpa: c.hex(bytes.subarray(32, 64)),
    verifier: c.hex(bytes.subarray(64, 96)),
  };
}

/** `who`'s registered session keys as { aura, grandpa, verifier } hex (throws if none). */
async function sessionKeysOf(api, who, name) {
  const k = await api.query.session.nextKeys(who);
  if (k.isNone) throw new Error(`${name} has no session keys (session.nextKeys)`);
  const v = k.unwrap();
  return { aura: v.aura.toHex(), grandpa: v.grandpa.toHex(), verifier: v.verifier.toHex() };
}

/** The sets that follow the session, at the best block. */
async function consensusSets(api) {
  return {
    validators: (await api.query.session.validators()).map((a) => a.toString()),
    aura: (await api.query.aura.authorities()).map((a) => a.toHex()),
    grandpa: (await api.query.grandpa.authorities()).map(([id]) => id.toHex()),
    verifiers: (await api.query.verifier.verifiers()).map((v) => v.toHex()),
    sessionVerifiers: (await api.query.verifier.sessionVerifiers()).map((v) => v.toHex()),
    threshold: (await api.query.verifier.verdictThreshold()).toNumber(),
    pinned: (await api.query.verifier.verifierSetPinned()).isTrue,
  };
}

/**
 * What is wrong with `s` (consensusSets) for a session of `count` validators
 * with `present`'s keys and without `absent`'s (each { account, aura,
 * grandpa, verifier }); null when nothing is.
 */
function setProblem(s, count, present, absent) {
  const problems = [];
  const sizes = { validators: s.validators.length, aura: s.aura.length, grandpa: s.grandpa.length, verifiers: s.verifiers.length };
  for (const [set, n] of Object.entries(sizes)) if (n !== count) problems.push(`${n} ${set}`);
  const members = { validators: "account", aura: "aura", grandpa: "grandpa", verifiers: "verifier" };
  for (const [set, key] of Object.entries(members)) {
    if (present && !s[set].includes(present[key])) problems.push(`${present.name} not in ${set}`);
    if (absent && s[set].includes(absent[key])) problems.push(`${absent.name} still in ${set}`);
  }
  const majority = Math.floor(s.verifiers.length / 2) + 1;
  if (s.threshold !== majority) problems.push(`threshold ${s.threshold} of ${s.verifiers.length} verifiers`);
  if (s.pinned) problems.push("verifier set pinned");
  if (JSON.stringify(s.sessionVerifiers) !== JSON.stringify([...s.verifiers].sort())) problems.push("verifiers are not the session's");
  return problems.length ? problems.join(", ") : null;
}

/** Waits until the session's sets are `count` validators with `present` and without `absent`; returns the block. */
function waitSets(api, what, count, present, absent, timeoutMs) {
  return c.waitUntil(what, timeoutMs, async (seen) => {
    const n = await c.bestNumber(api);
    const s = await consensusSets(api);
    const problem = setProblem(s, count, present, absent);
    seen(`#${n}: ${problem}`);
    return !problem && n;
  });
}

/** Root `call` must fail with `error` (e.g. "validatorSet.NoSessionKeys"). */
async function expectRootRefused(api, call, sudoKey, error) {
  let outcome = "it succeeded";
  try {
    await c.sudo(api, call, sudoKey);
  } catch (err) {
    if (err.message.endsWith(error)) return;
    outcome = err.message;
  }
  throw new Error(`${call.method.section}.${call.method.method} should fail with ${error}: ${outcome}`);
}

/** Registers Dave's keys with session.setKeys; checks the stored keys, the deposit and dave's keystore. */
async function setDaveKeys(api, conns, dave, keys) {
  await c.send(api, api.tx.session.setKeys(keys.keys, keys.proof), dave, "session.setKeys(Dave)");
  const stored = await sessionKeysOf(api, dave.address, "Dave");
  for (const f of ["aura", "grandpa", "verifier"]) {
    if (stored[f] !== keys[f]) throw new Error(`Dave's stored ${f} key ${stored[f]} is not the rotated one, ${keys[f]}`);
  }
  const holds = await api.query.balances.holds(dave.address);
  const deposit = holds.find((h) => JSON.stringify(h.id.toJSON()) === JSON.stringify({ session: "Keys" }));
  if (!deposit || deposit.amount.toBigInt() !== ZK) throw new Error(`expected a 1 ZK session key deposit held from Dave, holds: ${JSON.stringify(holds.toJSON())}`);
  if (!(await conns.dave.provider.send("author_hasSessionKeys", [keys.keys]))) throw new Error("dave's keystore lacks the keys it rotated");
  if (await conns.alice.provider.send("author_hasSessionKeys", [keys.keys])) throw new Error("alice's keystore has Dave's new keys");
}

/** Names of the Aura keys of the accounts in `named` ({ name: address }), for messages. */
async function auraNames(api, named) {
  const out = new Map();
  for (const [name, who] of Object.entries(named)) {
    const k = await api.query.session.nextKeys(who);
    if (k.isSome) out.set(k.unwrap().aura.toHex(), name);
  }
  return out;
}

/** The Aura key that authored block `hash`: authorities (at its parent) [slot % count]. */
async function auraAuthor(api, hash) {
  const header = await api.rpc.chain.getHeader(hash);
  const pre = header.digest.logs.find((l) => l.isPreRuntime && l.asPreRuntime[0].isAura);
  if (!pre) throw new Error(`block ${hash} has no Aura pre-runtime digest`);
  const slot = api.registry.createType("u64", pre.asPreRuntime[1].toU8a(true)).toBigInt();
  const authorities = await (await api.at(header.parentHash)).query.aura.authorities();
  return authorities[Number(slot % BigInt(authorities.length))].toHex();
}

/** Waits for a block of the best chain from `from` on authored with `auraKey`; returns its number. */
function waitAuthoredBy(api, auraKey, from, names, timeoutMs) {
  const count = new Map();
  return c.followBlocks(api, from, "a block authored by Dave", timeoutMs, async (n, hash, seen) => {
    const author = await auraAuthor(api, hash);
    count.set(names.get(author) || author, (count.get(names.get(author) || author) || 0) + 1);
    seen(`authors ${JSON.stringify(Object.fromEntries(count))}`);
    return author === auraKey && n;
  });
}

/** A reverse Dutch offer of `requester`'s for demo input `x`, open from now; returns its id. */
async function openOffer(api, requester, program, x) {
  const pricing = {
    Offer: {
      minPrice: ZK / 10n, maxPrice: ZK / 5n, rampUpStart: await c.chainSecs(api), rampUpPeriod: 60,
      lockTimeout: 300, timeout: 600, lockCollateral: ZK / 10n,
    },
  };
  return c.submittedId(await c.send(api, api.tx.market.submitRequest(program.programId, [c.demoInput(x)], pricing, 0), requester, `offer x=${x}`));
}

/**
 * One round: an offer proven at once by `proverKey` (an unlocked offer takes
 * any eligible prover's proof); follows the chain to the proof's verdict.
 * Returns { proof, request, votes: [verifier hex] } (the recorded votes).
 */
async function proveOffer(api, requester, proverKey, program, x) {
  const id = await openOffer(api, requester, program, x);
  const sent = await c.send(api, api.tx.verifier.submitProof(id, c.demoProof(x, id, proverKey.address)), proverKey, `proof of request ${id}`);
  const submitted = c.findEvent(sent.events, "verifier.ProofSubmitted");
  if (!submitted) throw new Error(`request ${id}: no ProofSubmitted event`);
  const proof = submitted.data.proof.toNumber();
  const votes = [];
  await c.followBlocks(api, sent.blockNumber, `the verdict on proof ${proof} (request ${id})`, 180_000, async (n, hash, seen) => {
    const events = await c.eventsAt(api, hash);
    for (const e of events) {
      if (e.section === "verifier" && e.method === "VoteRecorded" && e.data.proof.toNumber() === proof) {
        if (!e.data.valid.isTrue) throw new Error(`proof ${proof}: an invalid vote by ${e.data.verifier}`);
        votes.push(e.data.verifier.toHex());
      }
    }
    seen(`${votes.length} vote(s)`);
    const verdict = c.findEvent(events, "verifier.VerdictReached", (d) => d.proof.toNumber() === proof);
    if (verdict && !verdict.data.valid.isTrue) throw new Error(`proof ${proof}: verdict invalid`);
    const timedOut = c.findEvent(events, "verifier.VerificationTimedOut", (d) => d.proof.toNumber() === proof);
    if (timedOut) throw new Error(`proof ${proof}: verification timed out with ${votes.length} vote(s)`);
    return verdict;
  });
  return { proof, request: id, votes };
}

/** Rounds of proveOffer until a vote by `verifierKey` is recorded; returns that round. */
async function waitVoteBy(api, k, verifierKey, names, timeoutMs) {
  await c.ensureProver(api, k.Ferdie, 100n * ZK);
  const program = await c.ensureDemoProgram(api, k.Alice);
  const deadline = Date.now() + timeoutMs;
  const rounds = [];
  for (let round = 1; Date.now() < deadline; round++) {
    const r = await proveOffer(api, k.Eve, k.Ferdie, program, 40 + round);
    rounds.push(r);
    if (r.votes.includes(verifierKey)) return r;
    log(`proof ${r.proof}: verdict from ${r.votes.map((v) => names.get(v) || v).join(", ")}; Dave's vote came too late, another round`);
  }
  throw new Error(`no vote by Dave's verifier key ${verifierKey} recorded within ${timeoutMs / 1000} s: ${rounds.map((r) => `proof ${r.proof} votes ${r.votes.map((v) => names.get(v) || v)}`).join("; ")}`);
}

/** The starting point: Dave no validator, Charlie one, the verifier set following the session. */
async function expectStart(api, k) {
  const wanted = (await api.query.validatorSet.validators()).map((a) => a.toString());
  if (wanted.includes(k.Dave.address)) throw new Error("Dave is already in validatorSet.validators: validators.js needs a network where he is not");
  if (!wanted.includes(k.Charlie.address)) throw new Error("Charlie is not a validator: validators.js removes him");
  const s = await consensusSets(api);
  const problem = setProblem(s, s.validators.length, null, null);
  if (problem) throw new Error(`before any change: ${problem}`);
  return s.validators.length;
}

async function run(nodeName, networkInfo) {
  const conns = await c.connectAll(networkInfo);
  const api = conns[nodeName].api;
  const k = c.devKeys();
  try {
    const before = await expectStart(api, k);
    const charlie = { name: "Charlie", account: k.Charlie.address, ...(await sessionKeysOf(api, k.Charlie.address, "Charlie")) };

    // ---- Dave joins.
    if ((await api.query.session.nextKeys(k.Dave.address)).isNone) {
      await expectRootRefused(api, api.tx.validatorSet.addValidator(k.Dave.address), k.Alice, "validatorSet.NoSessionKeys");
    }
    const keys = await rotateKeys(conns.dave, k.Dave);
    await setDaveKeys(api, conns, k.Dave, keys);
    const dave = { name: "Dave", account: k.Dave.address, ...keys };
    const added = await c.sudo(api, api.tx.validatorSet.addValidator(k.Dave.address), k.Alice);
    if (!c.findEvent(added.events, "validatorSet.ValidatorAdded")) throw new Error("addValidator(Dave): no ValidatorAdded event");
    log(`Dave's keys set (aura ${keys.aura}, verifier ${keys.verifier}), added in #${added.blockNumber}`);
    // Queued at the next session boundary, active from the one after: two
    // 10-block sessions, plus slack for missed slots.
    const joined = await waitSets(api, "Dave in the session's sets", before + 1, dave, null, 360_000);
    const names = await auraNames(api, { Alice: k.Alice.address, Bob: k.Bob.address, Charlie: k.Charlie.address, Dave: k.Dave.address });
    const authored = await waitAuthoredBy(api, keys.aura, joined, names, 240_000);
    log(`Dave validates from #${joined} (${before + 1} verifiers, threshold ${Math.floor((before + 1) / 2) + 1}); authored #${authored}`);
    const vnames = new Map();
    for (const who of ["Alice", "Bob", "Charlie", "Dave"]) {
      const kk = await api.query.session.nextKeys(k[who].address);
      if (kk.isSome) vnames.set(kk.unwrap().verifier.toHex(), who);
    }
    const vote = await waitVoteBy(api, k, keys.verifier, vnames, 480_000);
    log(`Dave voted on proof ${vote.proof} (request ${vote.request}) with ${vote.votes.map((v) => vnames.get(v) || v).join(", ")}`);

    // ---- Charlie leaves.
    const removed = await c.sudo(api, api.tx.validatorSet.removeValidator(k.Charlie.address), k.Alice);
    if (!c.findEvent(removed.events, "validatorSet.ValidatorRemoved")) throw new Error("removeValidator(Charlie): no ValidatorRemoved event");
    const left = await waitSets(api, "Charlie out of the session's sets", before, dave, charlie, 360_000);
    log(`Charlie removed in #${removed.blockNumber}, out from #${left} (${before} verifiers, threshold ${Math.floor(before / 2) + 1})`);
    const hash = await c.nodesAgreeAt(conns, left + 5, 300_000);
    log(`finalized #${left + 5} (${hash}) on every node, dave included`);
    return 1;
  } finally {
    await c.disconnectAll(conns);
  }
}

module.exports = { run };
