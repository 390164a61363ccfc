//! Checksums and hashes as dbt writes them in the manifest: files' SHA-256,
//! and the MD5-based suffix of generic tests' unique ids, in hex.

use crate::python_format::{write_hashable_mapping, write_repr_str};
use crate::schema_yaml::TestSpec;
use md5::Md5;
use serde_json::Value;
use sha2::{Digest, Sha256};

/// The SHA-256 digest of `data` as lower-case hex.
pub fn sha256_hex(data: &[u8]) -> String {
    lower_hex(&Sha256::digest(data))
}

fn lower_hex(bytes: &[u8]) -> String {
    let mut hex = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
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

/// The suffix dbt gives a generic test's unique id, so that ids agree with
/// dbt's manifests: the last ten hex digits of the MD5 digest of the test's
/// node name followed by Python's `repr()` of its metadata (the test's name,
/// its keyword arguments with `column_name` and the `model` it is attached
/// to, its namespace), every mapping's keys sorted and every leaf a string.
/// `target` is how dbt writes the attached node: `ref('orders')` or
/// `source('shop', 'orders')`.
pub fn generic_test_hash(node_name: &str, spec: &TestSpec, target: &str) -> String {
    let column_name = spec.column_name.clone().map(Value::String);
    let model = Value::String(format!("{{{{ get_where_subquery({target}) }}}}"));
    // {'kwargs': {...}, 'name': ..., 'namespace': ...}: the keys in order.
    let mut hashed = String::with_capacity(node_name.len() + 256);
    hashed.push_str(node_name);
    hashed.push_str("{'kwargs': ");
    let kwargs = spec
        .kwargs
        .iter()
        .filter(|(key, _)| *key != "column_name" && *key != "model")
        .map(|(key, value)| (key.as_str(), value))
        .chain(column_name.as_ref().map(|value| ("column_name", value)))
        .chain(std::iter::once(("model", &model)));
    write_hashable_mapping(kwargs, &mut hashed);
    hashed.push_str(", 'name': ");
    write_repr_str(&spec.test_name, &mut hashed);
    hashed.push_str(", 'namespace': ");
    write_repr_str(spec.namespace.as_deref().unwrap_or("None"), &mut hashed);
    hashed.push('}');
    let hex = md5_hex(&hashed);
    hex[hex.len() - 10..].to_string()
}

/// The MD5 digest of `text` as lower-case hex.
pub fn md5_hex(text: &str) -> String {
    lower_hex(&Md5::digest(text.as_bytes()))
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
