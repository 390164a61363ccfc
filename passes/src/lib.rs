//! `fusion-passes`: analysis passes over the IR. Never names a dialect: all dialect knowledge comes through `DialectSemantics`.
