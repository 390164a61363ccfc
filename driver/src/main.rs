//! The `fusionc` binary.
fn main() {}
