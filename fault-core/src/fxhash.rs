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

/// Append-only string interner: `&str -> Sym` in one hash probe, each string stored once, all
/// of them back to back in one buffer (no allocation per string).
///
/// The index is an open-addressing table (linear probing, load <= 1/2) of 8-byte entries: the
/// symbol and 32 bits of the string's hash, so a lookup usually touches one table line and the
/// string it finds; [`Interner::prefetch`] lets batch callers start that miss early.
#[derive(Debug, Default, Clone)]
pub struct Interner {
    /// the interned strings, concatenated
    text: String,
    /// end offset in `text` of each symbol's string (its start is the previous one's end)
    ends: Vec<usize>,
    /// (hash tag, symbol); symbol `u32::MAX` marks an empty entry
    table: Vec<(u32, u32)>,
}

const EMPTY_ENTRY: (u32, u32) = (0, u32::MAX);

impl Interner {
    /// The hash [`Interner::get_hashed`] and [`Interner::intern_hashed`] take.
    #[inline]
    pub fn hash(s: &str) -> u64 {
        hash_bytes(s.as_bytes())
    }

    #[inline]
    fn tag(h: u64) -> u32 {
        (h >> 32) as u32
    }

    /// Hint the CPU to load the table entry of hash `h` (no effect on the result of anything).
    #[inline]
    pub fn prefetch(&self, h: u64) {
        if !self.table.is_empty() {
            let i = h as usize & (self.table.len() - 1);
            prefetch_read(&self.table[i]);
        }
    }

    /// Look a string up without inserting it.
    #[inline]
    pub fn get(&self, s: &str) -> Option<Sym> {
        self.get_hashed(s, Self::hash(s))
    }

    /// [`Interner::get`] with the string's precomputed [`Interner::hash`].
    #[inline]
    pub fn get_hashed(&self, s: &str, h: u64) -> Option<Sym> {
        if self.table.is_empty() {
            return None;
        }
        let mask = self.table.len() - 1;
        let tag = Self::tag(h);
        let mut i = h as usize & mask;
        loop {
            let (t, id) = self.table[i];
            if id == u32::MAX {
                return None;
            }
            if t == tag && self.string(id) == s {
                return Some(Sym(id));
            }
            i = (i + 1) & mask;
        }
    }

    /// Intern a string.
    #[inline]
    pub fn intern(&mut self, s: &str) -> Sym {
        self.intern_hashed(s, Self::hash(s))
    }

    /// [`Interner::intern`] with the string's precomputed [`Interner::hash`].
    pub fn intern_hashed(&mut self, s: &str, h: u64) -> Sym {
        if (self.ends.len() + 1) * 2 > self.table.len() {
            self.grow();
        }
        let mask = self.table.len() - 1;
        let tag = Self::tag(h);
        let mut i = h as usize & mask;
        loop {
            let (t, id) = self.table[i];
            if id == u32::MAX {
                break;
            }
            if t == tag && self.string(id) == s {
                return Sym(id);
            }
            i = (i + 1) & mask;
        }
        let id = self.ends.len() as u32;
        assert!(id < u32::MAX - 1, "interner full");
        self.table[i] = (tag, id);
        self.text.push_str(s);
        self.ends.push(self.text.len());
        Sym(id)
    }

    fn grow(&mut self) {
        let n = (self.table.len() * 2).max(16);
        self.table = vec![EMPTY_ENTRY; n];
        let mask = n - 1;
        for id in 0..self.ends.len() {
            let h = Self::hash(self.string(id as u32));
            let mut i = h as usize & mask;
            while self.table[i].1 != u32::MAX {
                i = (i + 1) & mask;
            }
            self.table[i] = (Self::tag(h), id as u32);
        }
    }

    #[inline]
    fn string(&self, id: u32) -> &str {
        let i = id as usize;
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.text[start..self.ends[i]]
    }

    /// Intern an optional string ([`NO_SYM`] for `None`).
    #[inline]
    pub fn intern_opt(&mut self, s: Option<&str>) -> Sym {
        s.map_or(NO_SYM, |s| self.intern(s))
    }

    /// The string of a symbol (`""` for [`NO_SYM`]).
    #[inline]
    pub fn resolve(&self, s: Sym) -> &str {
        if s == NO_SYM { "" } else { self.string(s.0) }
    }

    /// Number of interned strings.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// True when nothing is interned.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }
}

/// Hint the CPU to load the cache line of `p` (a no-op off x86-64).
#[inline]
pub fn prefetch_read<T>(p: &T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: prefetching is a hint without memory effects; the pointer comes from a live
    // reference.
    unsafe {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        _mm_prefetch::<_MM_HINT_T0>((p as *const T).cast::<i8>());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
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
    fn interner_survives_growth_and_colliding_tags() {
        let mut i = Interner::default();
        assert_eq!(i.get("x"), None);
        let syms: Vec<Sym> = (0..5000).map(|n| i.intern(&format!("node-{n}"))).collect();
        for (n, s) in syms.iter().enumerate() {
            assert_eq!(i.get(&format!("node-{n}")), Some(*s));
            assert_eq!(i.resolve(*s), format!("node-{n}"));
        }
        // same hash, different strings: the string comparison decides
        let h = Interner::hash("a");
        let a = i.intern_hashed("a", h);
        let b = i.intern_hashed("b", h);
        assert_ne!(a, b);
        assert_eq!(i.get_hashed("b", h), Some(b));
        assert_eq!(i.get_hashed("c", h), None);
        assert_eq!(i.len(), 5002);
    }

    #[test]
    fn hash_is_deterministic_and_length_sensitive() {
        assert_eq!(hash_bytes(b"abc"), hash_bytes(b"abc"));
        assert_ne!(hash_bytes(b"abc"), hash_bytes(b"abc\0"));
        assert_ne!(hash_bytes(b"a"), hash_bytes(b"b"));
    }
}
