//! Attachment policy: size limit, extension allowlist (seed 003) and file-name sanitising.
//!
//! Seed 003 allows files up to 50 MB with the extensions `.pdf .doc .docx .txt .jpg .jpeg .png
//! .gif .zip .tar .gz .log`; both are configurable. File names are sanitised before anything
//! else looks at them ([`sanitize_file_name`]): path components are dropped, so
//! `../../etc/passwd` becomes `passwd`.
//!
//! ```
//! use ticket_core::attachment::AttachmentPolicy;
//! let policy = AttachmentPolicy::default();
//! let ok = policy.validate("C:\\Users\\me\\router-log.TXT", 1024, None).unwrap();
//! assert_eq!(ok.file_name, "router-log.TXT");
//! assert_eq!(ok.extension, "txt");
//! assert_eq!(ok.content_type, "text/plain");
//!
//! let err = policy.validate("payload.exe", 10, None).unwrap_err();
//! assert!(err.to_string().starts_with("File type '.exe' is not allowed"));
//! ```

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};

/// Seed 003's 50 MB, in bytes (50 × 1024 × 1024, as `MAX_FILE_SIZE_MB` is applied).
pub const DEFAULT_MAX_SIZE_BYTES: u64 = 50 * 1024 * 1024;

/// Seed 003's `ALLOWED_FILE_EXTENSIONS`, without dots.
pub const DEFAULT_ALLOWED_EXTENSIONS: [&str; 12] = [
    "pdf", "doc", "docx", "txt", "jpg", "jpeg", "png", "gif", "zip", "tar", "gz", "log",
];

/// Maximum length of a sanitised file name, in bytes.
pub const MAX_FILE_NAME_BYTES: usize = 255;

/// Name used when nothing usable is left of a file name.
pub const FALLBACK_FILE_NAME: &str = "attachment";

const WINDOWS_RESERVED: [&str; 22] = [
    "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8",
    "COM9", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
];

/// Size and type limits for uploads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachmentPolicy {
    /// Largest accepted file, in bytes.
    pub max_size_bytes: u64,
    /// Accepted extensions, lower-case without the dot.
    pub allowed_extensions: Vec<String>,
}

impl Default for AttachmentPolicy {
    /// Seed 003: 50 MB and its allowlist.
    fn default() -> Self {
        AttachmentPolicy {
            max_size_bytes: DEFAULT_MAX_SIZE_BYTES,
            allowed_extensions: DEFAULT_ALLOWED_EXTENSIONS
                .iter()
                .map(|s| s.to_string())
                .collect(),
        }
    }
}

/// An upload that passed the policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValidatedAttachment {
    /// The sanitised file name to store and show.
    pub file_name: String,
    /// Its extension, lower-case, without the dot.
    pub extension: String,
    /// The content type: the one supplied if it was given and consistent, else the one the
    /// extension implies.
    pub content_type: String,
    /// Size in bytes.
    pub size_bytes: u64,
}

impl AttachmentPolicy {
    /// A policy with another size limit.
    pub fn with_max_size(mut self, bytes: u64) -> Self {
        self.max_size_bytes = bytes;
        self
    }

    /// A policy with another allowlist; entries may have a leading dot and any case
    /// (`".PDF"` and `"pdf"` are the same).
    pub fn with_extensions<I, S>(mut self, exts: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        self.allowed_extensions = exts
            .into_iter()
            .map(|e| {
                e.as_ref()
                    .trim()
                    .trim_start_matches('.')
                    .to_ascii_lowercase()
            })
            .filter(|e| !e.is_empty())
            .collect();
        self
    }

    /// Parses seed 003's `ALLOWED_FILE_EXTENSIONS` format: `".pdf,.doc,.txt"`.
    pub fn with_extension_list(self, list: &str) -> Self {
        self.with_extensions(list.split(','))
    }

    /// Whether an extension (any case, with or without dot) is allowed.
    pub fn allows_extension(&self, ext: &str) -> bool {
        let e = ext.trim().trim_start_matches('.');
        self.allowed_extensions
            .iter()
            .any(|a| a.eq_ignore_ascii_case(e))
    }

    /// Sanitises the name and checks size, extension and (when given) content type.
    ///
    /// Errors (Validation): empty file, file larger than the limit, no or a disallowed
    /// extension, and a content type that contradicts the extension (e.g. `image/png` for a
    /// `.pdf`). `application/octet-stream` is accepted for any extension.
    pub fn validate(
        &self,
        file_name: &str,
        size_bytes: u64,
        content_type: Option<&str>,
    ) -> Result<ValidatedAttachment> {
        let name = sanitize_file_name(file_name);
        if size_bytes == 0 {
            return Err(Error::validation(format!("File '{name}' is empty")));
        }
        if size_bytes > self.max_size_bytes {
            return Err(Error::validation(format!(
                "File '{name}' is {} bytes; the maximum size is {} bytes ({})",
                size_bytes,
                self.max_size_bytes,
                human_size(self.max_size_bytes)
            )));
        }
        let allowed = || {
            self.allowed_extensions
                .iter()
                .map(|e| format!(".{e}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let ext = match name.rsplit_once('.') {
            Some((stem, e)) if !stem.is_empty() && !e.is_empty() => e.to_ascii_lowercase(),
            _ => {
                return Err(Error::validation(format!(
                    "File '{name}' has no extension. Allowed types: {}",
                    allowed()
                )));
            }
        };
        if !self.allows_extension(&ext) {
            return Err(Error::validation(format!(
                "File type '.{ext}' is not allowed. Allowed types: {}",
                allowed()
            )));
        }
        let implied = content_type_for(&ext);
        let content_type = match content_type.map(|c| c.trim()).filter(|c| !c.is_empty()) {
            None => implied.to_string(),
            Some(given) => {
                let essence = given
                    .split(';')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .to_ascii_lowercase();
                if essence == "application/octet-stream" || content_type_matches(&ext, &essence) {
                    essence
                } else {
                    return Err(Error::validation(format!(
                        "Content type '{given}' does not match the file type '.{ext}' (expected {implied})"
                    )));
                }
            }
        };
        Ok(ValidatedAttachment {
            file_name: name,
            extension: ext,
            content_type,
            size_bytes,
        })
    }
}

fn human_size(bytes: u64) -> String {
    const MB: u64 = 1024 * 1024;
    if bytes.is_multiple_of(MB) {
        format!("{} MB", bytes / MB)
    } else {
        format!("{bytes} bytes")
    }
}

/// The content type an extension implies (`application/octet-stream` when unknown).
pub fn content_type_for(ext: &str) -> &'static str {
    match ext.trim_start_matches('.').to_ascii_lowercase().as_str() {
        "pdf" => "application/pdf",
        "doc" => "application/msword",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "txt" | "log" => "text/plain",
        "jpg" | "jpeg" => "image/jpeg",
        "png" => "image/png",
        "gif" => "image/gif",
        "zip" => "application/zip",
        "tar" => "application/x-tar",
        "gz" => "application/gzip",
        "csv" => "text/csv",
        "json" => "application/json",
        _ => "application/octet-stream",
    }
}

fn content_type_matches(ext: &str, essence: &str) -> bool {
    let implied = content_type_for(ext);
    if implied == "application/octet-stream" || implied == essence {
        return true;
    }
    // Common aliases browsers and tools send.
    matches!(
        (ext, essence),
        ("zip", "application/x-zip-compressed")
            | ("gz", "application/x-gzip")
            | ("jpg" | "jpeg", "image/pjpeg")
            | ("log", "text/x-log")
    )
}

/// Makes a client-supplied file name safe to store and show:
///
/// 1. keep only the last path component (separators `/` and `\`), so `..` and directories are
///    gone;
/// 2. drop control characters (including NUL, CR, LF, DEL) and Unicode bidi overrides;
/// 3. replace characters Windows forbids (`< > : " | ? *`) with `_`;
/// 4. trim whitespace, leading dots (no hidden files, no `..`) and trailing dots/spaces;
/// 5. prefix Windows reserved device names (`CON`, `nul.txt`, `COM1`...) with `_`;
/// 6. cut to [`MAX_FILE_NAME_BYTES`] bytes, keeping the extension;
/// 7. if nothing is left, use [`FALLBACK_FILE_NAME`].
///
/// ```
/// use ticket_core::attachment::sanitize_file_name;
/// assert_eq!(sanitize_file_name("../../etc/passwd"), "passwd");
/// assert_eq!(sanitize_file_name("..\\..\\boot.ini"), "boot.ini");
/// assert_eq!(sanitize_file_name(".bashrc"), "bashrc");
/// assert_eq!(sanitize_file_name("con.txt"), "_con.txt");
/// assert_eq!(sanitize_file_name("../"), "attachment");
/// ```
pub fn sanitize_file_name(raw: &str) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = last
        .chars()
        .filter(|c| !c.is_control() && !is_bidi_control(*c))
        .map(|c| {
            if matches!(c, '<' | '>' | ':' | '"' | '|' | '?' | '*') {
                '_'
            } else {
                c
            }
        })
        .collect();
    let trimmed = cleaned
        .trim()
        .trim_start_matches(['.', ' '])
        .trim_end_matches(['.', ' '])
        .to_string();
    let mut name = if trimmed.is_empty() {
        FALLBACK_FILE_NAME.to_string()
    } else {
        trimmed
    };
    let stem = name.split('.').next().unwrap_or("").trim_end();
    if WINDOWS_RESERVED
        .iter()
        .any(|r| r.eq_ignore_ascii_case(stem))
    {
        name.insert(0, '_');
    }
    let cut = truncate_keeping_extension(name, MAX_FILE_NAME_BYTES);
    // Cutting may expose a trailing dot or space again.
    let cut = cut.trim_end_matches(['.', ' ']);
    if cut.is_empty() {
        FALLBACK_FILE_NAME.to_string()
    } else {
        cut.to_string()
    }
}

fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}')
}

fn truncate_keeping_extension(name: String, max: usize) -> String {
    if name.len() <= max {
        return name;
    }
    let (stem, ext) = match name.rsplit_once('.') {
        Some((s, e)) if !s.is_empty() && e.len() <= 16 => (s.to_string(), format!(".{e}")),
        _ => (name.clone(), String::new()),
    };
    let budget = max - ext.len();
    let mut cut = budget.min(stem.len());
    while !stem.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}{}", &stem[..cut], ext)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nasty_names() {
        let cases = [
            ("../../etc/passwd", "passwd"),
            ("/etc/shadow", "shadow"),
            ("..\\..\\windows\\system32\\cmd.exe", "cmd.exe"),
            ("a/b\\c/d.txt", "d.txt"),
            ("..", "attachment"),
            ("...", "attachment"),
            (".", "attachment"),
            ("", "attachment"),
            ("   ", "attachment"),
            ("/", "attachment"),
            ("foo/..", "attachment"),
            ("....//....//x.log", "x.log"),
            (".htaccess", "htaccess"),
            ("..hidden.txt", "hidden.txt"),
            ("report.pdf.", "report.pdf"),
            ("report.pdf   ", "report.pdf"),
            ("  spaced name.txt", "spaced name.txt"),
            ("evil\0.txt", "evil.txt"),
            ("line\r\nbreak.txt", "linebreak.txt"),
            ("tab\there.txt", "tabhere.txt"),
            ("del\u{7f}.txt", "del.txt"),
            ("a<b>c:d\"e|f?g*h.txt", "a_b_c_d_e_f_g_h.txt"),
            ("CON", "_CON"),
            ("nul.txt", "_nul.txt"),
            ("Com1.log", "_Com1.log"),
            ("lpt9", "_lpt9"),
            ("console.txt", "console.txt"),
            ("invoice\u{202E}fdp.exe", "invoicefdp.exe"),
            ("résumé.pdf", "résumé.pdf"),
            ("C:\\fakepath\\photo.jpg", "photo.jpg"),
            ("file:stream.txt", "file_stream.txt"),
        ];
        for (raw, want) in cases {
            assert_eq!(sanitize_file_name(raw), want, "{raw:?}");
        }
    }

    #[test]
    fn long_names_keep_extension_and_char_boundaries() {
        let long = format!("{}.pdf", "é".repeat(300));
        let s = sanitize_file_name(&long);
        assert!(s.len() <= MAX_FILE_NAME_BYTES);
        assert!(s.ends_with(".pdf"));
        let no_ext = "x".repeat(400);
        assert_eq!(sanitize_file_name(&no_ext).len(), MAX_FILE_NAME_BYTES);
        // A cut that lands after a space or dot does not leave it trailing.
        let spaced = format!("{} tail", "y".repeat(254));
        assert_eq!(sanitize_file_name(&spaced), "y".repeat(254));
    }

    #[test]
    fn sanitised_names_are_never_empty_or_traversing() {
        for raw in [
            "../",
            "..\\",
            "\u{1}\u{2}",
            "./.",
            "/..",
            "\\\\server\\share\\",
        ] {
            let s = sanitize_file_name(raw);
            assert!(!s.is_empty());
            assert!(
                !s.contains('/') && !s.contains('\\') && !s.starts_with('.'),
                "{s}"
            );
        }
    }

    #[test]
    fn size_limits() {
        let p = AttachmentPolicy::default();
        assert!(p.validate("a.pdf", DEFAULT_MAX_SIZE_BYTES, None).is_ok());
        let err = p
            .validate("a.pdf", DEFAULT_MAX_SIZE_BYTES + 1, None)
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "File 'a.pdf' is 52428801 bytes; the maximum size is 52428800 bytes (50 MB)"
        );
        assert!(
            p.validate("a.pdf", 0, None)
                .unwrap_err()
                .to_string()
                .contains("is empty")
        );
        let small = AttachmentPolicy::default().with_max_size(10);
        assert!(small.validate("a.pdf", 11, None).is_err());
    }

    #[test]
    fn allowlist_from_seed() {
        let p = AttachmentPolicy::default();
        for ok in [
            "a.pdf",
            "a.doc",
            "a.docx",
            "a.txt",
            "a.jpg",
            "a.jpeg",
            "a.png",
            "a.gif",
            "a.zip",
            "a.tar",
            "a.gz",
            "a.log",
            "backup.tar.gz",
            "UPPER.PDF",
        ] {
            assert!(p.validate(ok, 1, None).is_ok(), "{ok}");
        }
        for bad in ["a.exe", "a.sh", "a.html", "a.svg", "a.php", "a.pdf.exe"] {
            let err = p.validate(bad, 1, None).unwrap_err();
            assert!(err.to_string().contains("is not allowed"), "{bad}: {err}");
        }
        let err = p.validate("../../etc/passwd", 1, None).unwrap_err();
        assert!(err.to_string().contains("'passwd' has no extension"));
        assert!(
            p.validate(".pdf", 1, None)
                .unwrap_err()
                .to_string()
                .contains("no extension")
        );
        let custom = AttachmentPolicy::default().with_extension_list(".PDF, .csv");
        assert!(custom.validate("x.csv", 1, None).is_ok());
        assert!(custom.validate("x.txt", 1, None).is_err());
    }

    #[test]
    fn content_type_consistency() {
        let p = AttachmentPolicy::default();
        assert_eq!(
            p.validate("a.png", 1, Some("image/png"))
                .unwrap()
                .content_type,
            "image/png"
        );
        assert_eq!(
            p.validate("a.txt", 1, Some("text/plain; charset=utf-8"))
                .unwrap()
                .content_type,
            "text/plain"
        );
        assert_eq!(
            p.validate("a.zip", 1, Some("application/octet-stream"))
                .unwrap()
                .content_type,
            "application/octet-stream"
        );
        assert!(
            p.validate("a.zip", 1, Some("application/x-zip-compressed"))
                .is_ok()
        );
        let err = p.validate("a.pdf", 1, Some("text/html")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Content type 'text/html' does not match the file type '.pdf' (expected application/pdf)"
        );
    }
}
