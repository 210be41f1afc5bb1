//! Small, fast, deterministic hashing and string interning for the correlator's working set.
//!
//! The Fx hash (as used inside rustc) is not DoS-resistant; the correlator only hashes keys it
//! builds itself and resolves collisions by comparing the full key, so a collision costs time,
//! never correctness.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

/// The Fx hasher: one multiply and rotate per word.
#[derive(Default, Clone, Copy)]
pub struct FxHasher {
    hash: u64,
}

impl FxHasher {
    #[inline]
    fn add(&mut self, w: u64) {
        self.hash = (self.hash.rotate_left(5) ^ w).wrapping_mul(SEED);
    }
}

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            self.add(u64::from_le_bytes([
                c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7],
            ]));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut buf = [0u8; 8];
            buf[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(buf) ^ ((rest.len() as u64) << 56));
        }
    }
    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(i as u64);
    }
    #[inline]
    fn write_u32(&mut self, i: u32) {
        self.add(i as u64);
    }
    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }
    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }
    #[inline]
    fn finish(&self) -> u64 {
        // final avalanche so that the low bits used by the table are well mixed
        let mut h = self.hash;
        h ^= h >> 33;
        h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^= h >> 33;
        h
    }
}

/// A `HashMap` with the Fx hasher.
pub type FxHashMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

/// Hash a byte string with [`FxHasher`].
#[inline]
pub fn hash_bytes(b: &[u8]) -> u64 {
    let mut h = FxHasher::default();
    h.write(b);
    h.finish()
}

/// A hasher for keys that are already hashes (u64) or small ids: it passes them through.
#[derive(Default, Clone, Copy)]
pub struct IdentityHasher(u64);

impl Hasher for IdentityHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) ^ b as u64 ^ (self.0 >> 56);
        }
    }
    #[inline]
    fn write_u32(&mut self, i: u32) {
        self.0 = (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.0 = i;
    }
    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }
}

/// A `HashMap` keyed by precomputed hashes.
pub type HashedMap<V> = HashMap<u64, V, BuildHasherDefault<IdentityHasher>>;

/// An interned string: a small id valid inside one [`Interner`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Sym(pub u32);

/// Sentinel for "no symbol" (absent optional string).
pub const NO_SYM: Sym = Sym(u32::MAX);

/// Append-only string interner: `&str -> Sym` in one hash probe, each string stored once.
#[derive(Debug, Default, Clone)]
pub struct Interner {
    strings: Vec<Box<str>>,
    next: Vec<u32>,
    table: HashedMap<u32>,
}

impl Interner {
    /// Look a string up without inserting it.
    #[inline]
    pub fn get(&self, s: &str) -> Option<Sym> {
        let mut i = *self.table.get(&hash_bytes(s.as_bytes()))?;
        loop {
            if &*self.strings[i as usize] == s {
                return Some(Sym(i));
            }
            i = self.next[i as usize];
            if i == u32::MAX {
                return None;
            }
        }
    }

    /// Intern a string.
    #[inline]
    pub fn intern(&mut self, s: &str) -> Sym {
        let h = hash_bytes(s.as_bytes());
        let new_id = self.strings.len() as u32;
        match self.table.get(&h) {
            Some(&head) => {
                let mut i = head;
                loop {
                    if &*self.strings[i as usize] == s {
                        return Sym(i);
                    }
                    if self.next[i as usize] == u32::MAX {
                        break;
                    }
                    i = self.next[i as usize];
                }
                self.next[i as usize] = new_id;
            }
            None => {
                self.table.insert(h, new_id);
            }
        }
        self.strings.push(s.into());
        self.next.push(u32::MAX);
        Sym(new_id)
    }

    /// Intern an optional string ([`NO_SYM`] for `None`).
    #[inline]
    pub fn intern_opt(&mut self, s: Option<&str>) -> Sym {
        s.map_or(NO_SYM, |s| self.intern(s))
    }

    /// The string of a symbol (`""` for [`NO_SYM`]).
    #[inline]
    pub fn resolve(&self, s: Sym) -> &str {
        if s == NO_SYM {
            ""
        } else {
            &self.strings[s.0 as usize]
        }
    }

    /// Number of interned strings.
    pub fn len(&self) -> usize {
        self.strings.len()
    }

    /// True when nothing is interned.
    pub fn is_empty(&self) -> bool {
        self.strings.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interner_round_trips_and_dedups() {
        let mut i = Interner::default();
        let a = i.intern("olt-1");
        let b = i.intern("ont-1");
        assert_ne!(a, b);
        assert_eq!(i.intern("olt-1"), a);
        assert_eq!(i.get("ont-1"), Some(b));
        assert_eq!(i.get("nope"), None);
        assert_eq!(i.resolve(b), "ont-1");
        assert_eq!(i.resolve(NO_SYM), "");
        assert_eq!(i.len(), 2);
    }

    #[test]
    fn hash_is_deterministic_and_length_sensitive() {
        assert_eq!(hash_bytes(b"abc"), hash_bytes(b"abc"));
        assert_ne!(hash_bytes(b"abc"), hash_bytes(b"abc\0"));
        assert_ne!(hash_bytes(b"a"), hash_bytes(b"b"));
    }
}
