//! What the agent declares to the chain (`provers.set_capabilities`): the
//! programs of its `[[programs]]`, the kinds of its `[[kinds]]` and its
//! `max_jobs`. The auction deals a prover only requests for what it declared
//! (a prover that never declared is dealt none) and never more than
//! `max_jobs` at once. Pure functions, unit-tested without a chain: the
//! agent compares the wanted declaration with the one on chain and sends a
//! transaction only when they differ.

use super::config::{kind_name, Config};
use std::fmt;

/// A declaration, normalized as the chain stores it: programs and kinds
/// sorted, without duplicates.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Declaration {
	/// Program ids.
	pub programs: Vec<[u8; 32]>,
	/// Kind indexes (3 SP1, 4 RISC Zero).
	pub kinds: Vec<u8>,
	/// Jobs taken at once.
	pub max_jobs: u32,
}

impl Declaration {
	/// A normalized declaration (sorted, deduplicated).
	pub fn new(
		programs: impl IntoIterator<Item = [u8; 32]>,
		kinds: impl IntoIterator<Item = u8>,
		max_jobs: u32,
	) -> Self {
		let mut programs: Vec<[u8; 32]> = programs.into_iter().collect();
		programs.sort();
		programs.dedup();
		let mut kinds: Vec<u8> = kinds.into_iter().collect();
		kinds.sort();
		kinds.dedup();
		Declaration { programs, kinds, max_jobs }
	}

	/// What the configuration serves.
	pub fn from_config(cfg: &Config) -> Self {
		Declaration::new(
			cfg.programs.iter().map(|p| p.id),
			cfg.kinds.iter().map(|k| k.kind.index()),
			cfg.max_jobs,
		)
	}

	/// The same declaration, normalized (a chain that stored it unsorted still compares equal).
	pub fn normalized(&self) -> Self {
		Declaration::new(self.programs.iter().copied(), self.kinds.iter().copied(), self.max_jobs)
	}
}

impl fmt::Display for Declaration {
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		let programs: Vec<String> = self.programs.iter().map(short_id).collect();
		let kinds: Vec<String> = self.kinds.iter().map(|k| kind_name(*k)).collect();
		write!(
			f,
			"programs [{}], kinds [{}], max_jobs {}",
			programs.join(", "),
			kinds.join(", "),
			self.max_jobs
		)
	}
}

/// `0x` and the first 8 hex digits of a program id (log lines).
pub fn short_id(id: &[u8; 32]) -> String {
	format!("0x{}..", hex::encode(&id[..4]))
}

/// How the declaration on chain differs from the wanted one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
	/// Nothing declared on chain (a new prover, or a runtime upgrade that
	/// introduced declarations): no auction work until it is sent.
	Undeclared,
	/// Declared, but otherwise.
	Differs {
		/// Programs in the configuration, not on chain.
		added: Vec<[u8; 32]>,
		/// Programs on chain, not in the configuration.
		removed: Vec<[u8; 32]>,
		/// Kinds (chain, configuration), when they differ.
		kinds: Option<(Vec<u8>, Vec<u8>)>,
		/// `max_jobs` (chain, configuration), when it differs.
		max_jobs: Option<(u32, u32)>,
	},
}

impl fmt::Display for Change {
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		match self {
			Change::Undeclared => write!(f, "nothing declared on chain"),
			Change::Differs { added, removed, kinds, max_jobs } => {
				let mut parts: Vec<String> = Vec::new();
				if !added.is_empty() {
					let ids: Vec<String> = added.iter().map(short_id).collect();
					parts.push(format!("programs to add [{}]", ids.join(", ")));
				}
				if !removed.is_empty() {
					let ids: Vec<String> = removed.iter().map(short_id).collect();
					parts.push(format!("programs to remove [{}]", ids.join(", ")));
				}
				if let Some((from, to)) = kinds {
					let names =
						|v: &[u8]| v.iter().map(|k| kind_name(*k)).collect::<Vec<_>>().join(", ");
					parts.push(format!("kinds [{}] -> [{}]", names(from), names(to)));
				}
				if let Some((from, to)) = max_jobs {
					parts.push(format!("max_jobs {from} -> {to}"));
				}
				write!(f, "{}", parts.join("; "))
			}
		}
	}
}

/// What must change on chain for it to hold `want`: `None` when the
/// declaration on chain (`have`; `None` if nothing is declared) already
/// matches, and no transaction is sent. Both sides are normalized first.
pub fn diff(want: &Declaration, have: Option<&Declaration>) -> Option<Change> {
	let Some(have) = have else { return Some(Change::Undeclared) };
	let (want, have) = (want.normalized(), have.normalized());
	if want == have {
		return None;
	}
	let added = want.programs.iter().filter(|p| !have.programs.contains(p)).copied().collect();
	let removed = have.programs.iter().filter(|p| !want.programs.contains(p)).copied().collect();
	Some(Change::Differs {
		added,
		removed,
		kinds: (want.kinds != have.kinds).then(|| (have.kinds.clone(), want.kinds.clone())),
		max_jobs: (want.max_jobs != have.max_jobs).then_some((have.max_jobs, want.max_jobs)),
	})
}

#[cfg(test)]
mod tests {
	use super::*;

	fn d(programs: &[u8], kinds: &[u8], max_jobs: u32) -> Declaration {
		Declaration {
			programs: programs.iter().map(|b| [*b; 32]).collect(),
			kinds: kinds.to_vec(),
			max_jobs,
		}
	}

	#[test]
	fn new_sorts_and_dedups() {
		let x = Declaration::new([[2; 32], [1; 32], [2; 32]], [4, 3, 4], 2);
		assert_eq!(x, d(&[1, 2], &[3, 4], 2));
		assert_eq!(x.normalized(), x);
	}

	#[test]
	fn nothing_to_send_when_it_matches() {
		let want = d(&[1, 2], &[3], 2);
		assert_eq!(diff(&want, Some(&want)), None);
		// Order and duplicates do not matter on either side.
		assert_eq!(diff(&d(&[2, 1, 1], &[3], 2), Some(&d(&[1, 2], &[3, 3], 2))), None);
	}

	#[test]
	fn undeclared_is_a_change() {
		assert_eq!(diff(&d(&[1], &[], 1), None), Some(Change::Undeclared));
		// Even an empty wish: a prover that never declared gets no auction work,
		// and declaring makes that explicit (the agent always has something to declare).
		assert_eq!(diff(&d(&[], &[], 1), None), Some(Change::Undeclared));
	}

	#[test]
	fn differences_are_named() {
		let want = d(&[1, 2], &[3], 2);
		let c = diff(&want, Some(&d(&[2, 5], &[3, 4], 4))).unwrap();
		assert_eq!(
			c,
			Change::Differs {
				added: vec![[1; 32]],
				removed: vec![[5; 32]],
				kinds: Some((vec![3, 4], vec![3])),
				max_jobs: Some((4, 2)),
			}
		);
		assert_eq!(
			c.to_string(),
			"programs to add [0x01010101..]; programs to remove [0x05050505..]; \
			 kinds [sp1, risc0] -> [sp1]; max_jobs 4 -> 2"
		);
		// Only max_jobs.
		let c = diff(&want, Some(&d(&[1, 2], &[3], 1))).unwrap();
		assert_eq!(c.to_string(), "max_jobs 1 -> 2");
		assert_eq!(Change::Undeclared.to_string(), "nothing declared on chain");
	}

	#[test]
	fn from_config() {
		let cfg = super::super::config::parse(
			"url = \"ws://x:1\"\nsuri = \"//Bob\"\nstake = \"0\"\nmax_jobs = 3\n\
			 [[programs]]\nid = \"0x0202020202020202020202020202020202020202020202020202020202020202\"\n\
			 backend = \"command\"\ncommand = [\"/bin/p\"]\nmin_price = \"0\"\nmax_collateral = \"0\"\nprove_secs = 1\n\
			 [[programs]]\nid = \"0x0101010101010101010101010101010101010101010101010101010101010101\"\n\
			 backend = \"command\"\ncommand = [\"/bin/p\"]\nmin_price = \"0\"\nmax_collateral = \"0\"\nprove_secs = 1\n\
			 [[kinds]]\nkind = \"risc0\"\nbackend = \"command\"\ncommand = [\"/bin/r\"]\nmin_price = \"1\"\nprove_secs = 30\n\
			 [[kinds]]\nkind = \"sp1\"\nbackend = \"command\"\ncommand = [\"/bin/s\"]\nmin_price = \"1\"\nprove_secs = 30\n",
		)
		.unwrap();
		let want = Declaration::from_config(&cfg);
		assert_eq!(want, d(&[1, 2], &[3, 4], 3));
		assert_eq!(
			want.to_string(),
			"programs [0x01010101.., 0x02020202..], kinds [sp1, risc0], max_jobs 3"
		);
	}
}
