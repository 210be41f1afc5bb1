//! One page of a list result: `{ items, total, page, page_size, next_cursor }`.

use serde::{Deserialize, Serialize};

/// The largest page size a Desk list call accepts (seed 003). Larger requests are a
/// Validation error, not a silent clamp.
pub const MAX_PAGE_SIZE: u32 = 100;

/// The page size used when a list call does not give one.
pub const DEFAULT_PAGE_SIZE: u32 = 50;

/// One page of a list call.
///
/// Pages are numbered from 1. `total` counts every matching item over all pages.
/// `next_cursor`, when present, fetches the page after this one by keyset (stable and fast for
/// deep pages); `None` means this is the last page (or the list does not support cursors).
///
/// ```
/// use faultdesk::Page;
/// let p = Page { items: vec![1, 2], total: 5, page: 1, page_size: 2, next_cursor: None };
/// assert_eq!(p.total_pages(), 3);
/// let q = p.map(|n| n * 10);
/// assert_eq!(q.items, vec![10, 20]);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Page<T> {
    /// The items of this page.
    pub items: Vec<T>,
    /// Number of items matching the query over all pages.
    pub total: i64,
    /// This page's number, from 1 (for a cursor request: the page the cursor led to, counted
    /// from the first page when known, else 0).
    pub page: u32,
    /// The requested page size.
    pub page_size: u32,
    /// Cursor of the next page, `None` on the last page.
    pub next_cursor: Option<String>,
}

impl<T> Page<T> {
    /// Number of pages at this page size (0 when nothing matches).
    pub fn total_pages(&self) -> u64 {
        if self.page_size == 0 || self.total <= 0 {
            return 0;
        }
        (self.total as u64).div_ceil(self.page_size as u64)
    }

    /// The same page with each item converted.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            total: self.total,
            page: self.page,
            page_size: self.page_size,
            next_cursor: self.next_cursor,
        }
    }

    /// A page built from a storage result (`items`, `total`, `next_cursor`) and the request's
    /// page number and size.
    pub fn from_paged(paged: faultdesk_storage::Paged<T>, page: u32, page_size: u32) -> Page<T> {
        Page {
            items: paged.items,
            total: paged.total,
            page,
            page_size,
            next_cursor: paged.next_cursor,
        }
    }
}

/// Checks a page request: page numbers start at 1 and `page_size` is 1..=[`MAX_PAGE_SIZE`].
/// `None`s take the defaults (page 1, [`DEFAULT_PAGE_SIZE`]).
pub(crate) fn check_page(page: Option<u32>, page_size: Option<u32>) -> crate::Result<(u32, u32)> {
    let page = page.unwrap_or(1);
    let size = page_size.unwrap_or(DEFAULT_PAGE_SIZE);
    if page == 0 {
        return Err(crate::Error::validation(
            "page must be at least 1 (pages are numbered from 1)",
        ));
    }
    if size == 0 || size > MAX_PAGE_SIZE {
        return Err(crate::Error::validation(format!(
            "page_size must be between 1 and {MAX_PAGE_SIZE}, got {size}"
        )));
    }
    Ok((page, size))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_limits() {
        assert_eq!(check_page(None, None).unwrap(), (1, DEFAULT_PAGE_SIZE));
        assert_eq!(check_page(Some(3), Some(100)).unwrap(), (3, 100));
        let e = check_page(Some(1), Some(101)).unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::Validation);
        assert_eq!(e.message(), "page_size must be between 1 and 100, got 101");
        assert!(check_page(Some(0), None).is_err());
        assert!(check_page(None, Some(0)).is_err());
    }

    #[test]
    fn total_pages_rounds_up() {
        let p = Page::<u8> {
            items: vec![],
            total: 0,
            page: 1,
            page_size: 10,
            next_cursor: None,
        };
        assert_eq!(p.total_pages(), 0);
        let p = Page { total: 11, ..p };
        assert_eq!(p.total_pages(), 2);
    }
}
