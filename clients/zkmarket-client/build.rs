//! The `#[subxt]` code generation reads `metadata/zkmarket.scale`, which cargo
//! does not track on its own: rebuild this crate when the file changes
//! (`scripts/build-metadata.sh`), or it would keep the old runtime's types.
fn main() {
	println!("cargo:rerun-if-changed=metadata/zkmarket.scale");
}
