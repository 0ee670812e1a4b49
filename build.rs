//! Rebuild when the embedded course changes: `include_dir!` alone does not notice new files.
fn main() {
    println!("cargo:rerun-if-changed=labs");
    println!("cargo:rerun-if-changed=lessons");
}
