//! `fusion-driver`: the fusionc command line.
