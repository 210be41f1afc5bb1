//! faultdesk-storage (being written)
