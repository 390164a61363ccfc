//! dbt's secret environment variables: the values of every `DBT_ENV_SECRET`
//! variable are masked as `*****` in everything a command prints, as dbt
//! masks them in its logs, so a secret read by `env_var()` in a profile
//! (a password, a user, a host) shows in no message.

use std::io::Write;

use fusion_frontend::profiles::SECRET_ENV_PREFIX;

/// What a secret is shown as.
const MASK: &str = "*****";

/// The values of the secret variables set now, longest first (so that a
/// secret holding another is masked whole), without empty ones.
pub(crate) fn secret_values() -> Vec<String> {
    let mut values: Vec<String> = std::env::vars_os()
        .filter_map(|(name, value)| {
            let name = name.to_str()?;
            let value = value.into_string().ok()?;
            (name.starts_with(SECRET_ENV_PREFIX) && !value.is_empty()).then_some(value)
        })
        .collect();
    values.sort_by_key(|value| std::cmp::Reverse(value.len()));
    values.dedup();
    values
}

/// A writer that masks the secrets in what passes through it. It holds a
/// line back until it ends (or the writer is flushed or dropped), so a
/// secret written in two pieces is still masked.
pub(crate) struct ScrubbingWriter<'a> {
    inner: &'a mut dyn Write,
    secrets: &'a [String],
    pending: Vec<u8>,
}

impl<'a> ScrubbingWriter<'a> {
    pub(crate) fn new(inner: &'a mut dyn Write, secrets: &'a [String]) -> ScrubbingWriter<'a> {
        ScrubbingWriter {
            inner,
            secrets,
            pending: Vec::new(),
        }
    }

    fn emit(&mut self, end: usize) -> std::io::Result<()> {
        let chunk: Vec<u8> = self.pending.drain(..end).collect();
        let mut text = String::from_utf8_lossy(&chunk).into_owned();
        for secret in self.secrets {
            if text.contains(secret.as_str()) {
                text = text.replace(secret.as_str(), MASK);
            }
        }
        self.inner.write_all(text.as_bytes())
    }
}

impl Write for ScrubbingWriter<'_> {
    fn write(&mut self, buffer: &[u8]) -> std::io::Result<usize> {
        self.pending.extend_from_slice(buffer);
        if let Some(last_newline) = self.pending.iter().rposition(|&byte| byte == b'\n') {
            self.emit(last_newline + 1)?;
        }
        Ok(buffer.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        let all = self.pending.len();
        self.emit(all)?;
        self.inner.flush()
    }
}

impl Drop for ScrubbingWriter<'_> {
    fn drop(&mut self) {
        // A failure to write the last piece has nowhere left to be reported.
        let _ = self.flush();
    }
}

#[cfg(test)]
mod tests {
    use super::ScrubbingWriter;
    use std::io::Write;

    #[test]
    fn secrets_are_masked_even_when_written_in_pieces() {
        let secrets = vec!["hunter22".to_string()];
        let mut sink = Vec::new();
        {
            let mut writer = ScrubbingWriter::new(&mut sink, &secrets);
            write!(writer, "password hun").expect("written");
            write!(writer, "ter22 refused\nand hunter22").expect("written");
        }
        assert_eq!(
            String::from_utf8(sink).expect("text"),
            "password ***** refused\nand *****"
        );
    }
}
