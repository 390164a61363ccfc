//! Compact JSON for the artifacts, written by a serde `Serializer` of our own.
//!
//! The output is byte for byte what `serde_json::to_writer` writes (a test
//! holds the two side by side); what differs is the cost. Artifacts are
//! mostly strings (SQL, descriptions, column names, unique ids, and the
//! field names of every entry), and `serde_json` looks at each byte of a
//! string alone to decide whether it needs escaping. Here eight bytes are
//! looked at a time, and the serializer appends to a `Vec` instead of
//! going through `io::Write` for every fragment. On a generated 1,000-model
//! project, `serde_json`'s string writing was 17% of a compile's
//! instructions; this module's is 12% (BENCHMARKS.md).
//!
//! Numbers are formatted by `serde_json`'s own formatter, so they read the
//! same too.

use serde::ser::{self, Serialize};
use serde_json::ser::{CompactFormatter, Formatter};
use std::fmt::{self, Display};
use std::io::Write;

/// An artifact that could not be written: an I/O failure, or a value JSON
/// cannot hold (a map key that is not a string, a serialiser's own error).
#[derive(Debug)]
pub enum Error {
    Io(std::io::Error),
    Message(String),
}

impl Display for Error {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Io(error) => error.fmt(formatter),
            Error::Message(message) => formatter.write_str(message),
        }
    }
}

impl std::error::Error for Error {}

impl ser::Error for Error {
    fn custom<T: Display>(message: T) -> Self {
        Error::Message(message.to_string())
    }
}

impl From<Error> for std::io::Error {
    fn from(error: Error) -> Self {
        match error {
            Error::Io(error) => error,
            Error::Message(message) => std::io::Error::other(message),
        }
    }
}

pub type Result<T> = std::result::Result<T, Error>;

/// JSON text produced elsewhere (by [`to_vec`]), written as it is when
/// serialised by this module's serializer. Other serializers see a string.
pub struct RawJson<'a>(pub &'a str);

/// The newtype name by which [`RawJson`] tells this module's serializer
/// that the string it carries is JSON already.
const RAW_JSON: &str = "\0fusionc::json::RawJson";

impl Serialize for RawJson<'_> {
    fn serialize<S: ser::Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        serializer.serialize_newtype_struct(RAW_JSON, self.0)
    }
}

/// Serialises `value` as compact JSON into `writer`.
pub fn to_writer<W: Write, T: Serialize + ?Sized>(writer: W, value: &T) -> Result<()> {
    let mut serializer = Serializer::new(writer, FLUSH_AT);
    value.serialize(&mut serializer)?;
    serializer.flush()
}

/// Serialises `value` as compact JSON into a string.
pub fn to_string<T: Serialize + ?Sized>(value: &T) -> Result<String> {
    let mut serializer = Serializer::new(std::io::sink(), usize::MAX);
    value.serialize(&mut serializer)?;
    // Only whole `str`s and ASCII are ever appended, so the text is UTF-8.
    String::from_utf8(serializer.out).map_err(|error| Error::Message(error.to_string()))
}

/// How much output is gathered before it is handed to the writer.
const FLUSH_AT: usize = 1 << 18;

/// The serializer: output gathers in `out` and goes to `sink` in blocks.
pub struct Serializer<W> {
    out: Vec<u8>,
    sink: W,
    flush_at: usize,
    /// Set by [`RawJson`]: the next string is JSON text, written unquoted.
    raw_next: bool,
}

impl<W: Write> Serializer<W> {
    fn new(sink: W, flush_at: usize) -> Self {
        Serializer {
            out: Vec::with_capacity(if flush_at == usize::MAX {
                256
            } else {
                flush_at + 4096
            }),
            sink,
            flush_at,
            raw_next: false,
        }
    }

    /// Hands the gathered output to the sink once there is a block of it.
    /// Called between values, so a block may end anywhere in the text.
    fn maybe_flush(&mut self) -> Result<()> {
        if self.out.len() >= self.flush_at {
            self.sink.write_all(&self.out).map_err(Error::Io)?;
            self.out.clear();
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<()> {
        self.sink.write_all(&self.out).map_err(Error::Io)?;
        self.out.clear();
        self.sink.flush().map_err(Error::Io)
    }

    fn formatted(&mut self, write: impl FnOnce(&mut Vec<u8>) -> std::io::Result<()>) -> Result<()> {
        write(&mut self.out).map_err(Error::Io)
    }
}

/// Appends `text` as a JSON string, quotes included, escaped as
/// `serde_json` escapes: `"` and `\`, control characters (`\n` and its
/// kin by their short names, the rest as `\u00XX`); everything else,
/// non-ASCII included, as it is.
pub fn write_escaped(out: &mut Vec<u8>, text: &str) {
    let bytes = text.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    // Most strings need no escape: one look at them, one copy.
    let mut start = 0;
    let mut special = first_special(bytes);
    while let Some(position) = special {
        out.extend_from_slice(&bytes[start..position]);
        write_escape(out, bytes[position]);
        start = position + 1;
        special = next_special(bytes, start);
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

/// The position of the first byte of `bytes` that must be escaped.
fn first_special(bytes: &[u8]) -> Option<usize> {
    if bytes.len() < 8 {
        return bytes
            .iter()
            .position(|&byte| NEEDS_ESCAPE[usize::from(byte)]);
    }
    let mut chunks = bytes.chunks_exact(8);
    let mut checked = 0;
    for chunk in &mut chunks {
        let mask = special_bytes(word_of(chunk));
        if mask != 0 {
            return Some(checked + (mask.trailing_zeros() / 8) as usize);
        }
        checked += 8;
    }
    if chunks.remainder().is_empty() {
        return None;
    }
    // The last eight bytes, read as one word: those before the tail were
    // found clean, and a clean byte marks nothing, so the mask is exact.
    let word_start = bytes.len() - 8;
    let mask = special_bytes(word_of(&bytes[word_start..]));
    (mask != 0).then(|| word_start + (mask.trailing_zeros() / 8) as usize)
}

/// The bytes `serde_json` escapes.
const NEEDS_ESCAPE: [bool; 256] = {
    let mut table = [false; 256];
    let mut byte = 0;
    while byte < 256 {
        table[byte] = needs_escape(byte as u8);
        byte += 1;
    }
    table
};

/// The position of the first byte at or after `from` that must be escaped.
fn next_special(bytes: &[u8], from: usize) -> Option<usize> {
    let rest = bytes.get(from..)?;
    let mut chunks = rest.chunks_exact(8);
    let mut checked = from;
    for chunk in &mut chunks {
        let mask = special_bytes(word_of(chunk));
        if mask != 0 {
            return Some(checked + (mask.trailing_zeros() / 8) as usize);
        }
        checked += 8;
    }
    let tail = chunks.remainder();
    if tail.is_empty() {
        return None;
    }
    if bytes.len() < 8 {
        return tail
            .iter()
            .position(|&byte| needs_escape(byte))
            .map(|offset| checked + offset);
    }
    // The last eight bytes of the text, read as one word; the bytes before
    // the tail are masked off (checked already, or before `from`).
    let word_start = bytes.len() - 8;
    let skipped = (checked - word_start) as u32;
    let mask = special_bytes(word_of(&bytes[word_start..])) & (u64::MAX << (8 * skipped));
    if mask == 0 {
        return None;
    }
    let candidate = word_start + (mask.trailing_zeros() / 8) as usize;
    // A special byte among the masked ones can mark the byte above it by
    // a borrow: look again at the bytes themselves.
    if needs_escape(bytes[candidate]) {
        return Some(candidate);
    }
    bytes[candidate..]
        .iter()
        .position(|&byte| needs_escape(byte))
        .map(|offset| candidate + offset)
}

/// Eight bytes as a little-endian word (the first byte lowest).
fn word_of(chunk: &[u8]) -> u64 {
    let mut word = [0u8; 8];
    word.copy_from_slice(&chunk[..8]);
    u64::from_le_bytes(word)
}

const LOW_BITS: u64 = 0x0101_0101_0101_0101;
const HIGH_BITS: u64 = 0x8080_8080_8080_8080;

/// The high bit of each byte of `word` that is a control character, `"` or
/// `\`. Exact for the lowest such byte, which is the only one read: a
/// borrow may mark a byte above it that needs nothing.
fn special_bytes(word: u64) -> u64 {
    let control = word.wrapping_sub(LOW_BITS * 0x20) & !word;
    let quote = word ^ (LOW_BITS * u64::from(b'"'));
    let quote = quote.wrapping_sub(LOW_BITS) & !quote;
    let backslash = word ^ (LOW_BITS * u64::from(b'\\'));
    let backslash = backslash.wrapping_sub(LOW_BITS) & !backslash;
    (control | quote | backslash) & HIGH_BITS
}

const fn needs_escape(byte: u8) -> bool {
    byte < 0x20 || byte == b'"' || byte == b'\\'
}

fn write_escape(out: &mut Vec<u8>, byte: u8) {
    let short = match byte {
        b'"' => b'"',
        b'\\' => b'\\',
        0x08 => b'b',
        0x0C => b'f',
        b'\n' => b'n',
        b'\r' => b'r',
        b'\t' => b't',
        _ => {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.extend_from_slice(&[
                b'\\',
                b'u',
                b'0',
                b'0',
                HEX[usize::from(byte >> 4)],
                HEX[usize::from(byte & 0xF)],
            ]);
            return;
        }
    };
    out.extend_from_slice(&[b'\\', short]);
}

impl<'a, W: Write> ser::Serializer for &'a mut Serializer<W> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Compound<'a, W>;
    type SerializeTuple = Compound<'a, W>;
    type SerializeTupleStruct = Compound<'a, W>;
    type SerializeTupleVariant = Compound<'a, W>;
    type SerializeMap = Compound<'a, W>;
    type SerializeStruct = Compound<'a, W>;
    type SerializeStructVariant = Compound<'a, W>;

    fn serialize_bool(self, value: bool) -> Result<()> {
        self.out
            .extend_from_slice(if value { b"true" } else { b"false" });
        Ok(())
    }

    fn serialize_i8(self, value: i8) -> Result<()> {
        self.formatted(|out| CompactFormatter.write_i8(out, value))
    }

    fn serialize_i16(self, value: i16) -> Result<()> {
        self.formatted(|out| CompactFormatter.write_i16(out, value))
    }

    fn serialize_i32(self, value: i32) -> Result<()> {
        self.formatted(|out| CompactFormatter.write_i32(out, value))
    }

    fn serialize_i64(self, value: i64) -> Result<()> {
        self.formatted(|out| CompactFormatter.write_i64(out, value))
    }

    fn serialize_i128(self, value: i128) -> Result<()> {
        self.formatted(|out| CompactFormatter.write_i128(out, value))
    }

    fn serialize_u8(self, value: u8) -> Result<()> {
        self.formatted(|out| CompactFormatter.write_u8(out, value))
    }

    fn serialize_u16(self, value: u16) -> Result<()> {
        self.formatted(|out| CompactFormatter.write_u16(out, value))
    }

    fn serialize_u32(self, value: u32) -> Result<()> {
        self.formatted(|out| CompactFormatter.write_u32(out, value))
    }

    fn serialize_u64(self, value: u64) -> Result<()> {
        self.formatted(|out| CompactFormatter.write_u64(out, value))
    }

    fn serialize_u128(self, value: u128) -> Result<()> {
        self.formatted(|out| CompactFormatter.write_u128(out, value))
    }

    fn serialize_f32(self, value: f32) -> Result<()> {
        if value.is_finite() {
            self.formatted(|out| CompactFormatter.write_f32(out, value))
        } else {
            self.serialize_unit()
        }
    }

    fn serialize_f64(self, value: f64) -> Result<()> {
        if value.is_finite() {
            self.formatted(|out| CompactFormatter.write_f64(out, value))
        } else {
            self.serialize_unit()
        }
    }

    fn serialize_char(self, value: char) -> Result<()> {
        self.serialize_str(value.encode_utf8(&mut [0; 4]))
    }

    fn serialize_str(self, value: &str) -> Result<()> {
        if std::mem::take(&mut self.raw_next) {
            self.out.extend_from_slice(value.as_bytes());
        } else {
            write_escaped(&mut self.out, value);
        }
        Ok(())
    }

    fn serialize_bytes(self, value: &[u8]) -> Result<()> {
        use ser::SerializeSeq;
        let mut sequence = self.serialize_seq(Some(value.len()))?;
        for byte in value {
            sequence.serialize_element(byte)?;
        }
        sequence.end()
    }

    fn serialize_none(self) -> Result<()> {
        self.serialize_unit()
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<()> {
        value.serialize(self)
    }

    fn serialize_unit(self) -> Result<()> {
        self.out.extend_from_slice(b"null");
        Ok(())
    }

    fn serialize_unit_struct(self, _name: &'static str) -> Result<()> {
        self.serialize_unit()
    }

    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<()> {
        self.serialize_str(variant)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        value: &T,
    ) -> Result<()> {
        if name == RAW_JSON {
            self.raw_next = true;
            let result = value.serialize(&mut *self);
            self.raw_next = false;
            return result;
        }
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<()> {
        self.out.push(b'{');
        write_escaped(&mut self.out, variant);
        self.out.push(b':');
        value.serialize(&mut *self)?;
        self.out.push(b'}');
        Ok(())
    }

    fn serialize_seq(self, length: Option<usize>) -> Result<Compound<'a, W>> {
        self.out.push(b'[');
        if length == Some(0) {
            self.out.push(b']');
            return Ok(Compound::closed(self));
        }
        Ok(Compound::open(self, b']', b'\0'))
    }

    fn serialize_tuple(self, length: usize) -> Result<Compound<'a, W>> {
        self.serialize_seq(Some(length))
    }

    fn serialize_tuple_struct(self, _name: &'static str, length: usize) -> Result<Compound<'a, W>> {
        self.serialize_seq(Some(length))
    }

    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        length: usize,
    ) -> Result<Compound<'a, W>> {
        self.out.push(b'{');
        write_escaped(&mut self.out, variant);
        self.out.extend_from_slice(b":[");
        if length == 0 {
            self.out.extend_from_slice(b"]}");
            return Ok(Compound::closed(self));
        }
        Ok(Compound::open(self, b']', b'}'))
    }

    fn serialize_map(self, length: Option<usize>) -> Result<Compound<'a, W>> {
        self.out.push(b'{');
        if length == Some(0) {
            self.out.push(b'}');
            return Ok(Compound::closed(self));
        }
        Ok(Compound::open(self, b'}', b'\0'))
    }

    fn serialize_struct(self, _name: &'static str, length: usize) -> Result<Compound<'a, W>> {
        self.serialize_map(Some(length))
    }

    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        length: usize,
    ) -> Result<Compound<'a, W>> {
        self.out.push(b'{');
        write_escaped(&mut self.out, variant);
        self.out.extend_from_slice(b":{");
        if length == 0 {
            self.out.extend_from_slice(b"}}");
            return Ok(Compound::closed(self));
        }
        Ok(Compound::open(self, b'}', b'}'))
    }
}

/// An array or object being written.
pub struct Compound<'a, W> {
    serializer: &'a mut Serializer<W>,
    /// Nothing written inside yet (no comma before the next value).
    first: bool,
    /// Already closed (it was empty): `end` writes nothing.
    closed: bool,
    /// What `end` writes: the closing bracket, then, for a variant, `}`
    /// (`\0` for nothing).
    close: u8,
    close_variant: u8,
}

impl<'a, W: Write> Compound<'a, W> {
    fn open(serializer: &'a mut Serializer<W>, close: u8, close_variant: u8) -> Self {
        Compound {
            serializer,
            first: true,
            closed: false,
            close,
            close_variant,
        }
    }

    fn closed(serializer: &'a mut Serializer<W>) -> Self {
        Compound {
            serializer,
            first: true,
            closed: true,
            close: b'\0',
            close_variant: b'\0',
        }
    }

    fn comma(&mut self) {
        if self.first {
            self.first = false;
        } else {
            self.serializer.out.push(b',');
        }
    }

    fn element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        self.comma();
        value.serialize(&mut *self.serializer)?;
        self.serializer.maybe_flush()
    }

    fn key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<()> {
        self.comma();
        key.serialize(KeySerializer {
            out: &mut self.serializer.out,
        })?;
        self.serializer.out.push(b':');
        Ok(())
    }

    fn value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        value.serialize(&mut *self.serializer)?;
        self.serializer.maybe_flush()
    }

    fn field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result<()> {
        self.comma();
        write_escaped(&mut self.serializer.out, key);
        self.serializer.out.push(b':');
        self.value(value)
    }

    fn finish(self) -> Result<()> {
        if !self.closed {
            self.serializer.out.push(self.close);
            if self.close_variant != b'\0' {
                self.serializer.out.push(self.close_variant);
            }
        }
        Ok(())
    }
}

impl<W: Write> ser::SerializeSeq for Compound<'_, W> {
    type Ok = ();
    type Error = Error;

    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        self.element(value)
    }

    fn end(self) -> Result<()> {
        self.finish()
    }
}

impl<W: Write> ser::SerializeTuple for Compound<'_, W> {
    type Ok = ();
    type Error = Error;

    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        self.element(value)
    }

    fn end(self) -> Result<()> {
        self.finish()
    }
}

impl<W: Write> ser::SerializeTupleStruct for Compound<'_, W> {
    type Ok = ();
    type Error = Error;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        self.element(value)
    }

    fn end(self) -> Result<()> {
        self.finish()
    }
}

impl<W: Write> ser::SerializeTupleVariant for Compound<'_, W> {
    type Ok = ();
    type Error = Error;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        self.element(value)
    }

    fn end(self) -> Result<()> {
        self.finish()
    }
}

impl<W: Write> ser::SerializeMap for Compound<'_, W> {
    type Ok = ();
    type Error = Error;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<()> {
        self.key(key)
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        self.value(value)
    }

    fn end(self) -> Result<()> {
        self.finish()
    }
}

impl<W: Write> ser::SerializeStruct for Compound<'_, W> {
    type Ok = ();
    type Error = Error;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<()> {
        self.field(key, value)
    }

    fn end(self) -> Result<()> {
        self.finish()
    }
}

impl<W: Write> ser::SerializeStructVariant for Compound<'_, W> {
    type Ok = ();
    type Error = Error;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<()> {
        self.field(key, value)
    }

    fn end(self) -> Result<()> {
        self.finish()
    }
}

/// Writes a map key: JSON keys are strings, so strings are written as they
/// are and numbers, booleans and characters in quotes, as `serde_json`
/// does; anything else is an error.
struct KeySerializer<'a> {
    out: &'a mut Vec<u8>,
}

fn key_must_be_a_string() -> Error {
    Error::Message("key must be a string".to_owned())
}

impl KeySerializer<'_> {
    fn quoted(self, write: impl FnOnce(&mut Vec<u8>) -> std::io::Result<()>) -> Result<()> {
        self.out.push(b'"');
        write(self.out).map_err(Error::Io)?;
        self.out.push(b'"');
        Ok(())
    }
}

impl ser::Serializer for KeySerializer<'_> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = ser::Impossible<(), Error>;
    type SerializeTuple = ser::Impossible<(), Error>;
    type SerializeTupleStruct = ser::Impossible<(), Error>;
    type SerializeTupleVariant = ser::Impossible<(), Error>;
    type SerializeMap = ser::Impossible<(), Error>;
    type SerializeStruct = ser::Impossible<(), Error>;
    type SerializeStructVariant = ser::Impossible<(), Error>;

    fn serialize_str(self, value: &str) -> Result<()> {
        write_escaped(self.out, value);
        Ok(())
    }

    fn serialize_char(self, value: char) -> Result<()> {
        self.serialize_str(value.encode_utf8(&mut [0; 4]))
    }

    fn serialize_bool(self, value: bool) -> Result<()> {
        self.out
            .extend_from_slice(if value { b"\"true\"" } else { b"\"false\"" });
        Ok(())
    }

    fn serialize_i8(self, value: i8) -> Result<()> {
        self.quoted(|out| CompactFormatter.write_i8(out, value))
    }

    fn serialize_i16(self, value: i16) -> Result<()> {
        self.quoted(|out| CompactFormatter.write_i16(out, value))
    }

    fn serialize_i32(self, value: i32) -> Result<()> {
        self.quoted(|out| CompactFormatter.write_i32(out, value))
    }

    fn serialize_i64(self, value: i64) -> Result<()> {
        self.quoted(|out| CompactFormatter.write_i64(out, value))
    }

    fn serialize_i128(self, value: i128) -> Result<()> {
        self.quoted(|out| CompactFormatter.write_i128(out, value))
    }

    fn serialize_u8(self, value: u8) -> Result<()> {
        self.quoted(|out| CompactFormatter.write_u8(out, value))
    }

    fn serialize_u16(self, value: u16) -> Result<()> {
        self.quoted(|out| CompactFormatter.write_u16(out, value))
    }

    fn serialize_u32(self, value: u32) -> Result<()> {
        self.quoted(|out| CompactFormatter.write_u32(out, value))
    }

    fn serialize_u64(self, value: u64) -> Result<()> {
        self.quoted(|out| CompactFormatter.write_u64(out, value))
    }

    fn serialize_u128(self, value: u128) -> Result<()> {
        self.quoted(|out| CompactFormatter.write_u128(out, value))
    }

    fn serialize_f32(self, value: f32) -> Result<()> {
        if !value.is_finite() {
            return Err(key_must_be_a_string());
        }
        self.quoted(|out| CompactFormatter.write_f32(out, value))
    }

    fn serialize_f64(self, value: f64) -> Result<()> {
        if !value.is_finite() {
            return Err(key_must_be_a_string());
        }
        self.quoted(|out| CompactFormatter.write_f64(out, value))
    }

    fn serialize_bytes(self, _value: &[u8]) -> Result<()> {
        Err(key_must_be_a_string())
    }

    fn serialize_none(self) -> Result<()> {
        Err(key_must_be_a_string())
    }

    fn serialize_some<T: Serialize + ?Sized>(self, _value: &T) -> Result<()> {
        Err(key_must_be_a_string())
    }

    fn serialize_unit(self) -> Result<()> {
        Err(key_must_be_a_string())
    }

    fn serialize_unit_struct(self, _name: &'static str) -> Result<()> {
        Err(key_must_be_a_string())
    }

    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<()> {
        self.serialize_str(variant)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<()> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _value: &T,
    ) -> Result<()> {
        Err(key_must_be_a_string())
    }

    fn serialize_seq(self, _length: Option<usize>) -> Result<Self::SerializeSeq> {
        Err(key_must_be_a_string())
    }

    fn serialize_tuple(self, _length: usize) -> Result<Self::SerializeTuple> {
        Err(key_must_be_a_string())
    }

    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        _length: usize,
    ) -> Result<Self::SerializeTupleStruct> {
        Err(key_must_be_a_string())
    }

    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _length: usize,
    ) -> Result<Self::SerializeTupleVariant> {
        Err(key_must_be_a_string())
    }

    fn serialize_map(self, _length: Option<usize>) -> Result<Self::SerializeMap> {
        Err(key_must_be_a_string())
    }

    fn serialize_struct(
        self,
        _name: &'static str,
        _length: usize,
    ) -> Result<Self::SerializeStruct> {
        Err(key_must_be_a_string())
    }

    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _length: usize,
    ) -> Result<Self::SerializeStructVariant> {
        Err(key_must_be_a_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Every byte value in every position of a word, and every length up
    /// to two words: the escaping reads as `serde_json`'s.
    #[test]
    fn strings_escape_as_serde_json_escapes_them() {
        let mut texts: Vec<String> = Vec::new();
        for byte in 0u8..0x80 {
            for position in 0..17 {
                let mut text = "abcdefghijklmnopq".to_owned();
                text.replace_range(position..position + 1, &char::from(byte).to_string());
                texts.push(text);
            }
        }
        for length in 0..20 {
            texts.push("é\"\u{1}\\ \u{7f}".repeat(length));
            texts.push("x".repeat(length));
        }
        texts.push("select 1\n\tfrom \"t\"\r\n-- ünïcödé ✓ \u{1f600}\u{1f}".to_owned());
        for text in &texts {
            assert_eq!(
                to_string(text).unwrap(),
                serde_json::to_string(text).unwrap(),
                "{text:?}"
            );
        }
    }

    #[derive(serde::Serialize)]
    enum Shape<'a> {
        Unit,
        Newtype(u8),
        Tuple(i32, &'a str),
        EmptyTuple(),
        Struct { name: &'a str, size: f64 },
        EmptyStruct {},
    }

    #[derive(serde::Serialize)]
    struct Everything<'a> {
        shapes: Vec<Shape<'a>>,
        numbers: (i8, i64, u64, i128, u128, f32, f64, f64, f64),
        text: (char, &'a str, Option<&'a str>, Option<bool>, ()),
        bytes: &'a [u8],
        #[serde(with = "serde_bytes_as_seq")]
        empty: Vec<u8>,
        keys: std::collections::BTreeMap<i32, bool>,
        bool_keys: std::collections::BTreeMap<bool, &'a str>,
        value: serde_json::Value,
        nested: Vec<Vec<()>>,
    }

    mod serde_bytes_as_seq {
        pub fn serialize<S: serde::Serializer>(
            value: &[u8],
            serializer: S,
        ) -> Result<S::Ok, S::Error> {
            serializer.serialize_bytes(value)
        }
    }

    #[test]
    fn values_serialise_as_serde_json_serialises_them() {
        let value = Everything {
            shapes: vec![
                Shape::Unit,
                Shape::Newtype(7),
                Shape::Tuple(-3, "t"),
                Shape::EmptyTuple(),
                Shape::Struct {
                    name: "s",
                    size: 0.1,
                },
                Shape::EmptyStruct {},
            ],
            numbers: (
                -128,
                i64::MIN,
                u64::MAX,
                i128::MIN,
                u128::MAX,
                1.5,
                0.0,
                f64::NAN,
                1e300,
            ),
            text: ('"', "tab\there", None, Some(true), ()),
            bytes: b"\x00\xff",
            empty: Vec::new(),
            keys: [(-1, true), (20, false)].into_iter().collect(),
            bool_keys: [(false, "no"), (true, "yes")].into_iter().collect(),
            value: json!({"b": [1, 2.5, null, {"c": "d\ne"}], "a": {}, "z": []}),
            nested: vec![vec![], vec![(), ()]],
        };
        assert_eq!(
            to_string(&value).unwrap(),
            serde_json::to_string(&value).unwrap()
        );
        let mut written = Vec::new();
        to_writer(&mut written, &value).unwrap();
        assert_eq!(written, serde_json::to_vec(&value).unwrap());
    }

    #[test]
    fn raw_json_is_written_as_it_is() {
        let inner = to_string(&json!({"k": [1, "v"]})).unwrap();
        let outer = [RawJson(&inner), RawJson("null")];
        assert_eq!(to_string(&outer).unwrap(), r#"[{"k":[1,"v"]},null]"#);
        // Any other serializer sees a string.
        assert_eq!(serde_json::to_string(&RawJson("1")).unwrap(), r#""1""#);
    }

    #[test]
    fn keys_that_are_not_strings_are_errors() {
        let map: std::collections::BTreeMap<Vec<u8>, u8> = [(vec![1], 1)].into_iter().collect();
        assert!(to_string(&map).is_err());
        assert!(serde_json::to_string(&map).is_err());
    }

    /// Output larger than one block reaches the writer whole.
    #[test]
    fn long_output_is_flushed_in_blocks() {
        let rows: Vec<String> = (0..40_000).map(|row| format!("row {row}\n")).collect();
        let mut written = Vec::new();
        to_writer(&mut written, &rows).unwrap();
        assert!(written.len() > FLUSH_AT);
        assert_eq!(written, serde_json::to_vec(&rows).unwrap());
    }
}
