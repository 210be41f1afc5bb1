//! How a Desk result reaches JavaScript: a value, or an `Error` whose `code` is the stable
//! faultdesk code (`NOT_FOUND`, `CONFLICT`, `PERMISSION_DENIED`, `VALIDATION`,
//! `INVALID_TRANSITION`, `STORAGE`) and whose `message` is the Desk's text.
//!
//! napi-rs settles an `async fn` promise on the JavaScript thread by converting the returned
//! value there. A [`Settled`] carries either the value or the faultdesk error to that point,
//! where the error becomes a real JS `Error` with its `code`, and the promise is rejected with
//! exactly that object. A panic inside the future is caught by napi-rs and also rejects the
//! promise (it never aborts the process).

use napi::bindgen_prelude::{Env, JsError, ToNapiValue, Unknown};
use napi::sys;

/// The result of one Desk call, converted to JS when the promise settles.
pub struct Settled<T>(std::result::Result<T, faultdesk::Error>);

/// Wraps a Desk result (the usual last line of a method). The methods declare
/// `ts_return_type = "Promise<T>"` so that `index.d.ts` names the settled type.
pub fn settle<T>(r: std::result::Result<T, faultdesk::Error>) -> napi::Result<Settled<T>> {
    Ok(Settled(r))
}

/// A Validation error for malformed binding input (bad UUID, bad enum name, ...).
pub fn invalid(message: impl Into<String>) -> faultdesk::Error {
    faultdesk::Error::validation(message)
}

/// Builds the JS `Error` of a faultdesk error: `message` and `code`.
pub fn js_error(env: sys::napi_env, e: &faultdesk::Error) -> napi::Error {
    let err = napi::Error::new(e.kind().code().to_string(), e.message().to_string());
    let value: Unknown<'_> = JsError::from(err).into_unknown(Env::from_raw(env));
    napi::Error::from(value)
}

/// A synchronous function's error (pure engines): thrown as an `Error` with `code`.
pub fn sync_error(env: &Env, e: impl Into<faultdesk::Error>) -> napi::Error {
    js_error(env.raw(), &e.into())
}

impl<T: ToNapiValue> ToNapiValue for Settled<T> {
    unsafe fn to_napi_value(env: sys::napi_env, val: Self) -> napi::Result<sys::napi_value> {
        match val.0 {
            Ok(v) => unsafe { T::to_napi_value(env, v) },
            Err(e) => Err(js_error(env, &e)),
        }
    }
}
