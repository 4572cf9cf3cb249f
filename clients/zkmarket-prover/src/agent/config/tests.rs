//! Tests of the configuration parser.

use super::*;
use zkmarket_client::amount::ZK;

const GOOD: &str = r#"
url = "ws://127.0.0.1:9944"
suri = "//Bob"
stake = "100"
max_jobs = 2
metrics_port = 9616
pause_on_exit = true
lock_offers = true
take_bounties = false

[[programs]]
id = "demo"
backend = "demo"
min_price = "0.001"
max_collateral = 5
prove_secs = 3

[[programs]]
id = "0x1111111111111111111111111111111111111111111111111111111111111111"
backend = "command"
command = ["/bin/my-prover", "--fast"]
min_price = "1.5"
max_collateral = "10"
prove_secs = 60
"#;

#[test]
fn parses_the_example_and_a_full_file() {
	let c = parse(GOOD).unwrap();
	assert_eq!(c.stake, 100 * ZK);
	assert_eq!(c.max_jobs, 2);
	assert_eq!(c.metrics_port, 9616);
	assert!(c.pause_on_exit && c.lock_offers && !c.take_bounties);
	assert_eq!(c.margin_secs, DEFAULT_MARGIN_SECS);
	assert_eq!(c.programs.len(), 2);
	let demo = c.program(&zkmarket_demo_circuit::program_id()).unwrap();
	assert_eq!(demo.backend, Backend::Demo);
	assert_eq!(demo.min_price, ZK / 1000);
	assert_eq!(demo.max_collateral, 5 * ZK);
	let other = c.program(&[0x11; 32]).unwrap();
	assert_eq!(other.backend, Backend::Command(vec!["/bin/my-prover".into(), "--fast".into()]));
	assert_eq!(other.min_price, 3 * ZK / 2);
	let example = include_str!("../../../prover.example.toml");
	let e = parse(example).unwrap();
	assert!(!e.programs.is_empty());
}

#[test]
fn defaults() {
	let c = parse(
		"url = \"ws://x:1\"\nsuri = \"//Bob\"\nstake = \"0\"\n[[programs]]\nid = \"demo\"\nbackend = \"demo\"\nmin_price = \"0\"\nmax_collateral = \"0\"\nprove_secs = 1\n",
	)
	.unwrap();
	assert_eq!(c.max_jobs, 1);
	assert_eq!(c.metrics_port, 0);
	assert!(!c.pause_on_exit && c.lock_offers && c.take_bounties);
	assert_eq!(c.metrics_addr, "127.0.0.1");
	assert_eq!(
		c.requesters,
		Policy { failure_limit: 3, block_secs: 86_400, max_locks: 1 },
		"issue 28's defaults"
	);
	assert_eq!(c.requesters, Policy::default());
	assert_eq!(c.programs[0].preflight, None);
}

/// Issue 28: a command backend's preflight, and the requester record.
#[test]
fn preflights_and_requesters() {
	let text = GOOD.replace(
		"command = [\"/bin/my-prover\", \"--fast\"]",
		"command = [\"/bin/my-prover\", \"--fast\"]\npreflight = [\"/bin/my-witness\"]",
	);
	let c = parse(&text).unwrap();
	let p = c.program(&[0x11; 32]).unwrap();
	assert_eq!(
		p.preflight,
		Some(Preflight {
			argv: vec!["/bin/my-witness".into()],
			timeout_secs: DEFAULT_PREFLIGHT_TIMEOUT_SECS
		})
	);
	assert!(describe(p).contains("preflight [\"/bin/my-witness\"] (at most 30 s)"));
	let timed = text.replace(
		"preflight = [\"/bin/my-witness\"]",
		"preflight = [\"/bin/my-witness\"]\npreflight_timeout_secs = 5",
	);
	assert_eq!(parse(&timed).unwrap().programs[1].preflight.as_ref().unwrap().timeout_secs, 5);
	let keys = GOOD.replace(
		"take_bounties = false",
		"take_bounties = false\nrequester_failure_limit = 2\nrequester_block_secs = 3600\n\
		 requester_max_locks = 2",
	);
	assert_eq!(
		parse(&keys).unwrap().requesters,
		Policy { failure_limit: 2, block_secs: 3600, max_locks: 2 }
	);
	// 0 seconds turns the record off.
	let off = GOOD.replace("take_bounties = false", "requester_block_secs = 0");
	assert_eq!(parse(&off).unwrap().requesters.block_secs, 0);
	// A whole kind may have one (run before its assignments).
	let sp1 = SP1.replace("prove_secs = 40", "prove_secs = 40\npreflight = [\"/bin/sp1-execute\"]");
	let k = parse(&format!("{GOOD}{sp1}")).unwrap();
	assert!(k.kinds[0].preflight.is_some());
	assert!(k.program_for(&[0x22; 32], Some(3)).unwrap().preflight.is_some());

	let errors: &[(&str, &str)] = &[
		("preflight = [\"/bin/my-witness\"]", "preflight = []"),
		("preflight = [\"/bin/my-witness\"]", "preflight = [\"\"]"),
		("preflight = [\"/bin/my-witness\"]", "preflight_timeout_secs = 5"),
		(
			"preflight = [\"/bin/my-witness\"]",
			"preflight = [\"/bin/my-witness\"]\npreflight_timeout_secs = 0",
		),
		("take_bounties = false", "requester_failure_limit = 0"),
		("take_bounties = false", "requester_max_locks = 0"),
		("take_bounties = false", "requester_max_locks = 5"),
	];
	let expect = [
		"`programs[1].preflight`: a non-empty argv",
		"`programs[1].preflight`: a non-empty argv",
		"`programs[1].preflight_timeout_secs` without `programs[1].preflight`",
		"`programs[1].preflight_timeout_secs` must be at least 1",
		"`requester_failure_limit` must be at least 1",
		"`requester_max_locks` = 0: must be between 1 and 4",
		"`requester_max_locks` = 5: must be between 1 and 4",
	];
	for ((from, to), expect) in errors.iter().zip(expect) {
		let base = if from.starts_with("preflight") { &text } else { GOOD };
		assert!(base.contains(from), "{from}");
		let e = parse(&base.replacen(from, to, 1)).unwrap_err().to_string();
		assert!(e.contains(expect), "{to}: {e}");
	}
	// The demo backend has its own (the witness search).
	let demo = GOOD.replace("prove_secs = 3", "prove_secs = 3\npreflight = [\"/bin/w\"]");
	assert!(parse(&demo)
		.unwrap_err()
		.to_string()
		.contains("only the \"command\" backend takes a preflight"));
	// The example's commented keys parse as documented.
	let example = include_str!("../../../prover.example.toml");
	let uncommented: String = example
		.lines()
		.map(|l| l.strip_prefix("# requester_").map(|r| format!("requester_{r}")))
		.map(|l| l.unwrap_or_default() + "\n")
		.collect();
	let head = GOOD.split("[[programs]]").next().unwrap();
	let c = parse(&format!("{head}{uncommented}{}", &GOOD[head.len()..])).unwrap();
	assert_eq!(c.requesters, Policy::default(), "the example shows the defaults");
}

#[test]
fn clear_errors() {
	let cases: &[(&str, &str, &str)] = &[
		("url = \"ws://127.0.0.1:9944\"", "url = \"http://x\"", "must start with ws://"),
		("stake = \"100\"", "stake = \"-1\"", "`stake`: bad amount"),
		("stake = \"100\"", "stake = 1.5", "stake"),
		("max_jobs = 2", "max_jobs = 0", "`max_jobs` = 0: must be between 1 and 4"),
		("max_jobs = 2", "max_jobs = 5", "`max_jobs` = 5: must be between 1 and 4"),
		("max_jobs = 2", "max_jobs = -1", "max_jobs"),
		("suri = \"//Bob\"", "suri = \" \"", "suri"),
		("backend = \"demo\"", "backend = \"gpu\"", "unknown backend `gpu`"),
		("command = [\"/bin/my-prover\", \"--fast\"]", "command = []", "non-empty argv"),
		("min_price = \"1.5\"", "min_price = \"1.2.3\"", "programs[1].min_price"),
		("prove_secs = 3", "prove_secs = 0", "programs[0].prove_secs"),
		(
			"id = \"0x1111111111111111111111111111111111111111111111111111111111111111\"",
			"id = \"0x11\"",
			"not 32 bytes",
		),
		(
			"id = \"0x1111111111111111111111111111111111111111111111111111111111111111\"",
			"id = \"demo\"",
			"configured twice",
		),
		("take_bounties = false", "take_bountys = false", "unknown field"),
		// A malformed secret is reported by key and line, never echoed.
		("suri = \"//Bob\"", "suri = bottom drive obey", "line 3: `suri`"),
	];
	for (from, to, expect) in cases {
		assert!(GOOD.contains(from), "{from}");
		let text = GOOD.replacen(from, to, 1);
		let e = parse(&text).unwrap_err().to_string();
		assert!(e.contains(expect), "{to}: {e}");
		assert!(!e.contains("bottom"), "the secret is not echoed: {e}");
	}
	// The demo backend for another program, and no programs at all.
	let e = parse(&GOOD.replace(
		"backend = \"command\"\ncommand = [\"/bin/my-prover\", \"--fast\"]",
		"backend = \"demo\"",
	))
	.unwrap_err();
	assert!(e.to_string().contains("only proves the demo program"), "{e}");
	let head = GOOD.split("[[programs]]").next().unwrap();
	assert!(parse(head).unwrap_err().to_string().contains("no [[programs]]"));
}

const SP1: &str = "\n[[kinds]]\nkind = \"sp1\"\nbackend = \"command\"\ncommand = [\"/bin/sp1-any\"]\nmin_price = \"0.5\"\nprove_secs = 40\n";

#[test]
fn kinds() {
	// None by default.
	assert!(parse(GOOD).unwrap().kinds.is_empty());
	let c = parse(&format!("{GOOD}{SP1}")).unwrap();
	assert_eq!(
		c.kinds,
		vec![KindEntry {
			kind: ServedKind::Sp1,
			backend: Backend::Command(vec!["/bin/sp1-any".into()]),
			preflight: None,
			min_price: ZK / 2,
			prove_secs: 40,
		}]
	);
	assert_eq!(c.kind(3).unwrap().kind, ServedKind::Sp1);
	assert!(c.kind(4).is_none());
	// A configured program keeps its own entry; another SP1 program gets the
	// kind's terms (never collateral); another kind gets nothing.
	assert_eq!(c.program_for(&[0x11; 32], Some(3)).unwrap().prove_secs, 60);
	let any = c.program_for(&[0x22; 32], Some(3)).unwrap();
	assert_eq!((any.id, any.prove_secs, any.max_collateral), ([0x22; 32], 40, 0));
	assert!(c.program_for(&[0x22; 32], Some(4)).is_none());
	assert!(c.program_for(&[0x22; 32], None).is_none());
	// Kinds alone are a configuration.
	let head = GOOD.split("[[programs]]").next().unwrap();
	let only = parse(&format!("{head}{SP1}")).unwrap();
	assert!(only.programs.is_empty() && only.kinds.len() == 1);
	assert_eq!(ServedKind::Risc0.index(), 4);
	assert_eq!(ServedKind::parse("risc0"), Ok(ServedKind::Risc0));
}

#[test]
fn kind_errors() {
	let text = format!("{GOOD}{SP1}");
	let cases: &[(&str, &str, &str)] = &[
		("kind = \"sp1\"", "kind = \"gnark\"", "`kinds[0].kind`: `gnark` programs are circuits"),
		("kind = \"sp1\"", "kind = \"snarkjs\"", "list them under [[programs]]"),
		("kind = \"sp1\"", "kind = \"cairo\"", "`kinds[0].kind`: unknown kind `cairo`"),
		(
			"backend = \"command\"\ncommand = [\"/bin/sp1-any\"]",
			"backend = \"demo\"",
			"`kinds[0].backend`: a whole kind needs a \"command\" backend",
		),
		("command = [\"/bin/sp1-any\"]", "command = []", "`kinds[0].command`"),
		("prove_secs = 40", "prove_secs = 0", "`kinds[0].prove_secs` must be at least 1"),
		("min_price = \"0.5\"", "min_price = \"x\"", "kinds[0].min_price"),
		// Offers are never locked for a whole kind: no collateral.
		(
			"prove_secs = 40",
			"prove_secs = 40\nmax_collateral = 1",
			"unknown field `max_collateral`",
		),
	];
	for (from, to, expect) in cases {
		assert!(text.contains(from), "{from}");
		// Replace in the [[kinds]] table (after the programs).
		let at = text.find("[[kinds]]").unwrap();
		let (head, tail) = text.split_at(at);
		let changed = format!("{head}{}", tail.replacen(from, to, 1));
		let e = parse(&changed).unwrap_err().to_string();
		assert!(e.contains(expect), "{to}: {e}");
	}
	let twice = format!("{text}{}", SP1);
	assert!(parse(&twice)
		.unwrap_err()
		.to_string()
		.contains("`kinds[1].kind`: kind `sp1` is configured twice"));
	// The list form names what is expected.
	let e = parse(&format!("{}\nkinds = [\"sp1\"]\n", GOOD.split("[[programs]]").next().unwrap()))
		.unwrap_err()
		.to_string();
	assert!(e.contains("[[kinds]] table"), "{e}");
}

#[test]
fn at_most_16_programs() {
	let head = GOOD.split("[[programs]]").next().unwrap();
	let program = |i: usize| {
		format!(
			"[[programs]]\nid = \"0x{:064x}\"\nbackend = \"command\"\ncommand = [\"/bin/p\"]\nmin_price = \"0\"\nmax_collateral = \"0\"\nprove_secs = 1\n",
			i + 1
		)
	};
	let text = |n: usize| format!("{head}{}", (0..n).map(program).collect::<String>());
	assert_eq!(parse(&text(MAX_PROGRAMS)).unwrap().programs.len(), MAX_PROGRAMS);
	let e = parse(&text(MAX_PROGRAMS + 1)).unwrap_err().to_string();
	assert!(e.contains("`programs`: 17 programs configured, at most 16"), "{e}");
}

#[test]
fn log_format() {
	assert_eq!(parse(GOOD).unwrap().log_format, None);
	let json =
		GOOD.replace("take_bounties = false", "take_bounties = false\nlog_format = \"json\"");
	assert_eq!(parse(&json).unwrap().log_format, Some(LogFormat::Json));
	let bad = GOOD.replace("take_bounties = false", "log_format = \"yaml\"");
	let e = parse(&bad).unwrap_err();
	assert!(matches!(e, ConfigError::LogFormat(_)), "{e}");
	assert_eq!(e.to_string(), "`log_format`: unknown format `yaml` (\"text\" or \"json\")");
	// Errors are typed, and keep their messages.
	let e = parse(&GOOD.replace("max_jobs = 2", "max_jobs = 9")).unwrap_err();
	assert!(matches!(e, ConfigError::MaxJobs(9)), "{e}");
}
