pragma circom 2.0.0;

// zkmarket test program (tests/clients/circom.test.mjs, docs/circom.md): the
// prover knows x with Poseidon(x) == hash.
// Public signals: [hash, binding]; the request's input 0 is `hash`, and the
// binding (binding.circom) is declared last.
// Compile with the include path of tests/node_modules (circomlib):
//   npx circom2 preimage.circom --r1cs --wasm -l ../node_modules -o OUT
include "circomlib/circuits/poseidon.circom";
include "binding.circom";

template PoseidonPreimage() {
    signal input x;        // private: the preimage (witness)
    signal input hash;     // public: request input 0
    signal input binding;  // public: the zkmarket binding, DECLARED LAST

    component h = Poseidon(1);
    h.inputs[0] <== x;
    hash === h.out;

    component b = ZkmarketBinding();
    b.binding <== binding;
}

component main {public [hash, binding]} = PoseidonPreimage();
