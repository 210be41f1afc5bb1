//! Parsing of binding input that JavaScript passes as strings (UUIDs, enum names) and small
//! shared value types. Every failure is a faultdesk Validation error naming the field.

use napi::bindgen_prelude::{FromNapiValue, ToNapiValue, TypeName, ValidateNapiValue};
use napi::{ValueType, sys};
use std::str::FromStr;
use uuid::Uuid;

/// Parses a UUID given for `what`.
pub fn uuid(what: &str, s: &str) -> Result<Uuid, faultdesk::Error> {
    Uuid::parse_str(s.trim())
        .map_err(|_| faultdesk::Error::validation(format!("{what} must be a UUID, got '{s}'")))
}

/// Parses an optional UUID.
pub fn opt_uuid(what: &str, s: Option<&str>) -> Result<Option<Uuid>, faultdesk::Error> {
    s.map(|s| uuid(what, s)).transpose()
}

/// Parses a name with the core type's `FromStr` (whose error already names the accepted
/// values).
pub fn parse<T>(s: &str) -> Result<T, faultdesk::Error>
where
    T: FromStr,
    T::Err: Into<faultdesk::Error>,
{
    s.parse::<T>().map_err(Into::into)
}

/// Parses each name of a list.
pub fn parse_all<T>(xs: Option<Vec<String>>) -> Result<Vec<T>, faultdesk::Error>
where
    T: FromStr,
    T::Err: Into<faultdesk::Error>,
{
    xs.unwrap_or_default().iter().map(|s| parse(s)).collect()
}

/// A patch field: absent (`undefined`, keep), `null` (clear) or a value (set).
///
/// Used as `Option<Nullable<T>>` in input objects: napi-rs reads a missing or `undefined`
/// property as `None`, and hands `null` and values to [`Nullable`].
pub enum Nullable<T> {
    /// `null`: clear the field.
    Null,
    /// A value: set the field.
    Value(T),
}

impl<T> Nullable<T> {
    /// `None` for null, `Some(v)` for a value.
    pub fn into_option(self) -> Option<T> {
        match self {
            Nullable::Null => None,
            Nullable::Value(v) => Some(v),
        }
    }
}

impl<T: TypeName> TypeName for Nullable<T> {
    fn type_name() -> &'static str {
        T::type_name()
    }
    fn value_type() -> ValueType {
        T::value_type()
    }
}

impl<T: FromNapiValue + TypeName> ValidateNapiValue for Nullable<T> {}

impl<T: FromNapiValue> FromNapiValue for Nullable<T> {
    unsafe fn from_napi_value(env: sys::napi_env, v: sys::napi_value) -> napi::Result<Self> {
        let mut t = 0;
        unsafe { sys::napi_typeof(env, v, &mut t) };
        if t == sys::ValueType::napi_null || t == sys::ValueType::napi_undefined {
            Ok(Nullable::Null)
        } else {
            Ok(Nullable::Value(unsafe { T::from_napi_value(env, v)? }))
        }
    }
}

impl<T: ToNapiValue> ToNapiValue for Nullable<T> {
    unsafe fn to_napi_value(env: sys::napi_env, v: Self) -> napi::Result<sys::napi_value> {
        match v {
            Nullable::Null => unsafe {
                napi::bindgen_prelude::Null::to_napi_value(env, napi::bindgen_prelude::Null)
            },
            Nullable::Value(v) => unsafe { T::to_napi_value(env, v) },
        }
    }
}

/// Seconds of a duration as a JS number.
pub fn secs(d: chrono::Duration) -> f64 {
    d.num_milliseconds() as f64 / 1000.0
}
