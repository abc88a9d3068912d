//! The `cloudwall` binary.
fn main() {
    println!("cloudwall");
}
