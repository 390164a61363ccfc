//! File checksums as dbt writes them in the manifest: SHA-256, in hex.

use sha2::{Digest, Sha256};

/// The SHA-256 digest of `data` as lower-case hex.
pub fn sha256_hex(data: &[u8]) -> String {
    let digest = Sha256::digest(data);
    let mut hex = String::with_capacity(64);
    for byte in digest {
        hex.push(char::from_digit(u32::from(byte >> 4), 16).unwrap_or('0'));
        hex.push(char::from_digit(u32::from(byte & 0x0f), 16).unwrap_or('0'));
    }
    hex
}

/// A project file's checksum as dbt computes it: dbt reads SQL and seed
/// files with leading and trailing whitespace stripped, and hashes what is
/// left, so a file and the same file with one more trailing newline have
/// the same checksum (and `state:modified` agrees with dbt's manifests).
pub fn file_checksum(text: &str) -> String {
    sha256_hex(text.trim().as_bytes())
}

#[cfg(test)]
mod tests {
    use super::sha256_hex;

    #[test]
    fn known_digests() {
        assert_eq!(
            sha256_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
