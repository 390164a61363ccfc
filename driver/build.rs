//! Generates the parsers of the driver's small languages (node selectors)
//! from their lalrpop grammars.

fn main() {
    if let Err(error) = lalrpop::Configuration::new()
        .use_cargo_dir_conventions()
        .process()
    {
        panic!("lalrpop failed to generate the selector parser: {error}");
    }
}
