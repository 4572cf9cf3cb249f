//! Shared by the runtime integration tests: genesis storage from a preset.
use sp_runtime::BuildStorage;
use zkmarket_runtime::{genesis_config_presets, Runtime, RuntimeGenesisConfig, System};

fn merge(base: &mut serde_json::Value, patch: serde_json::Value) {
	match (base, patch) {
		(serde_json::Value::Object(b), serde_json::Value::Object(p)) => {
			for (k, v) in p {
				merge(b.entry(k).or_insert(serde_json::Value::Null), v);
			}
		}
		(b, p) => *b = p,
	}
}

/// Storage of a genesis preset (the default config with the preset's patch),
/// at block 1 with the clock at 1,700,000,000 s.
pub fn preset_ext(name: &str) -> sp_io::TestExternalities {
	let patch: serde_json::Value = serde_json::from_slice(
		&genesis_config_presets::get_preset(&name.into()).expect("preset exists"),
	)
	.unwrap();
	let mut config = serde_json::to_value(RuntimeGenesisConfig::default()).unwrap();
	merge(&mut config, patch);
	let config: RuntimeGenesisConfig = serde_json::from_value(config).unwrap();
	let mut ext: sp_io::TestExternalities = config.build_storage().unwrap().into();
	ext.execute_with(|| {
		System::set_block_number(1);
		pallet_timestamp::Now::<Runtime>::put(1_700_000_000_000u64);
	});
	ext
}
