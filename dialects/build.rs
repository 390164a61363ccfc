//! Generates the parser of the function signature language
//! (`src/signature/grammar.lalrpop`) that every dialect's catalog is written in.

fn main() {
    if let Err(error) = lalrpop::Configuration::new()
        .use_cargo_dir_conventions()
        .process()
    {
        panic!("lalrpop failed to generate the signature parser: {error}");
    }
}
