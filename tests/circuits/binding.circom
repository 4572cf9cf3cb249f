pragma circom 2.0.0;

// zkmarket binding (docs/circom.md).
//
// Every zkmarket proof is bound to its request and its prover: the chain
// verifies it with one extra public input, the binding
//   blake2b-256(request id as u64 little-endian || prover's 32-byte account id),
//   read little-endian, mod r (the BN254 scalar field),
// after the request's own public inputs. A proof made for one request and
// prover is therefore invalid for any other, so it cannot be copied.
//
// The rule for a circom program: the binding must be the LAST public signal.
// circom orders the public signals as
//   1. the main component's outputs, in declaration order, then
//   2. its public inputs, in DECLARATION order;
// the order of the names inside `component main {public [...]}` does not
// matter. So declare `signal input binding;` after every other public
// `signal input` of the main component, list it in `public [...]`, and wire it
// to this template. Outputs and the other public inputs are the request's
// inputs (the requester must know them in advance).
//
// The template puts the binding in one quadratic constraint, so that no
// optimisation level (--O0/--O1/--O2) drops it and every proof depends on it
// (the Tornado Cash / Semaphore idiom for an otherwise unused public input).
template ZkmarketBinding() {
    signal input binding;
    signal bindingSquare;
    bindingSquare <== binding * binding;
}
