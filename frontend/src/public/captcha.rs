//! The booking form's proof of work: fetch a challenge, let `captcha-worker.js` find the
//! number in a web worker (the page stays responsive and shows progress), and hand back the
//! payload `POST /bookings` takes in `captcha`.

use leptos::prelude::*;
use openslot_wire::public::Challenge;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::api::{ApiError, Call};

/// Why no payload came out.
#[derive(Debug)]
pub enum CaptchaError {
    /// Fetching the challenge failed.
    Api(ApiError),
    /// The browser has no web workers, or the worker failed.
    Worker,
}

/// Solves a fresh challenge; `progress` goes from 0 to 1 on the way.
pub async fn solve(progress: RwSignal<f64>) -> Result<String, CaptchaError> {
    progress.set(0.0);
    let challenge: Challenge = Call::get("/api/v1/captcha")
        .json()
        .await
        .map_err(CaptchaError::Api)?;
    // A whole number: the server reads it as an integer, never "4321.0".
    let number = run_worker(&challenge, progress).await? as u64;
    progress.set(1.0);
    let payload = Solution {
        algorithm: &challenge.algorithm,
        challenge: &challenge.challenge,
        number,
        salt: &challenge.salt,
        signature: &challenge.signature,
    };
    let text = serde_json::to_string(&payload).map_err(|_| CaptchaError::Worker)?;
    let window = web_sys::window().ok_or(CaptchaError::Worker)?;
    window.btoa(&text).map_err(|_| CaptchaError::Worker)
}

/// The solved challenge, as `POST /api/v1/bookings` takes it in `captcha` (base64 of this JSON).
#[derive(serde::Serialize)]
struct Solution<'a> {
    algorithm: &'a str,
    challenge: &'a str,
    number: u64,
    salt: &'a str,
    signature: &'a str,
}

async fn run_worker(challenge: &Challenge, progress: RwSignal<f64>) -> Result<f64, CaptchaError> {
    let worker = web_sys::Worker::new("/captcha-worker.js").map_err(|_| CaptchaError::Worker)?;
    let message = serde_wasm_message(challenge)?;
    // The closures live until the promise settles (they are dropped at the end of this fn).
    let mut handlers: Vec<Closure<dyn FnMut(JsValue)>> = Vec::new();
    let promise = js_sys::Promise::new(&mut |resolve, reject| {
        let reject_on_error = reject.clone();
        let on_message = Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| {
            let data = js_sys::Reflect::get(&event, &"data".into()).unwrap_or(JsValue::NULL);
            let field = |name: &str| js_sys::Reflect::get(&data, &name.into()).ok();
            if let Some(p) = field("progress").and_then(|p| p.as_f64()) {
                progress.set(p);
            } else if let Some(n) = field("number").filter(|n| n.as_f64().is_some()) {
                let _ = resolve.call1(&JsValue::NULL, &n);
            } else {
                let _ = reject.call1(&JsValue::NULL, &data);
            }
        });
        let on_error = Closure::<dyn FnMut(JsValue)>::new(move |e: JsValue| {
            let _ = reject_on_error.call1(&JsValue::NULL, &e);
        });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        handlers.push(on_message);
        handlers.push(on_error);
    });
    worker
        .post_message(&message)
        .map_err(|_| CaptchaError::Worker)?;
    let answer = JsFuture::from(promise).await;
    worker.terminate();
    drop(handlers);
    answer
        .ok()
        .and_then(|n| n.as_f64())
        .ok_or(CaptchaError::Worker)
}

/// The challenge as a plain JS object for `postMessage`.
fn serde_wasm_message(challenge: &Challenge) -> Result<JsValue, CaptchaError> {
    let text = serde_json::to_string(challenge).map_err(|_| CaptchaError::Worker)?;
    js_sys::JSON::parse(&text).map_err(|_| CaptchaError::Worker)
}
