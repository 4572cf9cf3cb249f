//! Capabilities: declarations and the capability indexes.
use crate::{mock::*, tests::*, Error, Event, Provers as ProversMap, SlotIndex};
use frame_support::{assert_noop, assert_ok};
use sp_runtime::DispatchResult;
use zkmarket_primitives::traits::{Capability, ProverRegistry};

const PA: [u8; 32] = [1u8; 32];
const PB: [u8; 32] = [2u8; 32];

fn declare(who: AccountId, programs: Vec<[u8; 32]>, kinds: Vec<u8>, jobs: u32) -> DispatchResult {
	Provers::set_capabilities(
		RuntimeOrigin::signed(who),
		programs.try_into().unwrap(),
		kinds.try_into().unwrap(),
		jobs,
	)
}

/// The provers `next_capable` walks for `cap`, in order.
fn walk(cap: Capability) -> Vec<AccountId> {
	let mut out = Vec::new();
	let mut cursor = None;
	while let Some((key, offer)) = P::next_capable(&cap, cursor.as_ref(), &mut 0) {
		if let Some(o) = offer {
			out.push(o.who);
		}
		cursor = Some(key);
	}
	out
}

#[test]
fn capabilities_are_validated_and_change_nothing_when_refused() {
	test(|| {
		assert_noop!(declare(1, vec![PA], vec![], 1), Error::<Test>::NotRegistered);
		register(1, 40 * ZK);
		assert_noop!(declare(1, vec![PA], vec![0], 1), Error::<Test>::KindNotServable);
		assert_noop!(declare(1, vec![PA, PA], vec![], 1), Error::<Test>::DuplicateCapability);
		assert_noop!(declare(1, vec![], vec![4, 4], 1), Error::<Test>::DuplicateCapability);
		assert_noop!(declare(1, vec![PA], vec![], 0), Error::<Test>::InvalidMaxJobs);
		assert_noop!(declare(1, vec![PA], vec![], 3), Error::<Test>::InvalidMaxJobs);
		assert_ok!(declare(1, vec![PB, PA], vec![4, 3], 2));
		let caps = crate::Capabilities::<Test>::get(1).unwrap();
		assert_eq!((caps.programs.to_vec(), caps.kinds.to_vec()), (vec![PA, PB], vec![3, 4]));
		assert_eq!(P::capabilities_view(&1).map(|c| c.max_jobs), Some(2),);
		assert!(has_event(Event::CapabilitiesSet {
			who: 1,
			programs: vec![PA, PB].try_into().unwrap(),
			kinds: vec![3, 4].try_into().unwrap(),
			max_jobs: 2
		}));
	});
}

#[test]
fn the_capability_index_walks_declared_provers_in_slot_order() {
	test(|| {
		register(1, 40 * ZK);
		register(2, 60 * ZK);
		register(3, 50 * ZK);
		register(4, 70 * ZK);
		assert_ok!(declare(1, vec![PA], vec![], 2));
		assert_ok!(declare(2, vec![PA, PB], vec![], 2));
		assert_ok!(declare(3, vec![PB], vec![3], 2));
		// 4 declared nothing: in the slot index, in no capability.
		assert_eq!(walk(Capability::Program(PA)), vec![2, 1]);
		assert_eq!(walk(Capability::Program(PB)), vec![2, 3]);
		assert_eq!(walk(Capability::Kind(3)), vec![3]);
		assert!(walk(Capability::Kind(4)).is_empty());
		assert_eq!(SlotIndex::<Test>::iter_keys().count(), 4);
		// A full prover (max_jobs reached) leaves every index; freeing a slot
		// brings it back.
		assert_ok!(declare(2, vec![PA, PB], vec![], 1));
		assert_ok!(P::occupy_slot(&2));
		assert_eq!(walk(Capability::Program(PA)), vec![1]);
		assert_eq!(walk(Capability::Program(PB)), vec![3]);
		assert_noop!(P::occupy_slot(&2), Error::<Test>::NoFreeSlot);
		P::release_slot(&2);
		assert_eq!(walk(Capability::Program(PA)), vec![2, 1]);
		// The rank moves with the stake: 1 bonds past 2.
		assert_ok!(Provers::bond_extra(RuntimeOrigin::signed(1), 30 * ZK));
		assert_eq!(walk(Capability::Program(PA)), vec![1, 2]);
		// Re-declaring replaces the declaration.
		assert_ok!(declare(1, vec![PB], vec![], 2));
		assert_eq!(walk(Capability::Program(PA)), vec![2]);
		assert_eq!(walk(Capability::Program(PB)), vec![1, 2, 3]);
		// Paused: in no index.
		assert_ok!(Provers::pause(RuntimeOrigin::signed(1)));
		assert_eq!(walk(Capability::Program(PB)), vec![2, 3]);
	});
}

#[test]
fn deregistering_removes_the_declaration() {
	test(|| {
		register(1, 40 * ZK);
		assert_ok!(declare(1, vec![PA], vec![4], 1));
		assert_ok!(Provers::unbond(RuntimeOrigin::signed(1), 40 * ZK));
		run_to(1 + UNBONDING + 1);
		assert_ok!(Provers::withdraw_unbonded(RuntimeOrigin::signed(1)));
		assert!(ProversMap::<Test>::get(1).is_none());
		assert!(crate::Capabilities::<Test>::get(1).is_none());
		assert!(walk(Capability::Program(PA)).is_empty());
		assert_eq!(crate::CapabilityIndex::<Test>::iter_keys().count(), 0);
	});
}
