//! Everything of the market in one namespace, as the CLI and the prover
//! agent use it: the types ([`crate::types`]), reads at a block
//! ([`crate::reads`]), the `market_*` RPC ([`crate::rpc`]), request events
//! ([`crate::events`]) and transactions ([`crate::tx`]).
//!
//! Reads come in two forms: `x(conn, ..)` reads at the **best** block, and
//! `x_at(&AtBlock, ..)` at a block of your choice (see [`crate::Conn::block`];
//! several reads at one block see one consistent state). Transactions wait
//! until they are **in a block** (not finalized) and map a failed dispatch to
//! [`crate::Error::Dispatch`].

pub use crate::{events::*, reads::*, rpc::*, tx::*, types::*};
