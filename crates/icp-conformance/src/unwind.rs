//! Calling a source without letting its panics end the run.
//!
//! A panic is caught and turned into a failure that quotes the panic
//! message. (A stack overflow or an `abort` cannot be caught: it ends the
//! process, which is why `icp plugins check` runs a plugin in a child
//! process.)

use std::any::Any;
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::task::Poll;

/// Run `f`; a panic becomes `Err(message)`.
pub(crate) fn guarded<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    catch_unwind(AssertUnwindSafe(f)).map_err(panic_message)
}

/// Await `fut`; a panic in any poll becomes `Err(message)`.
pub(crate) async fn guarded_future<T>(
    mut fut: Pin<Box<dyn Future<Output = T> + Send + '_>>,
) -> Result<T, String> {
    std::future::poll_fn(
        move |cx| match catch_unwind(AssertUnwindSafe(|| fut.as_mut().poll(cx))) {
            Ok(Poll::Ready(v)) => Poll::Ready(Ok(v)),
            Ok(Poll::Pending) => Poll::Pending,
            Err(p) => Poll::Ready(Err(panic_message(p))),
        },
    )
    .await
}

fn panic_message(payload: Box<dyn Any + Send>) -> String {
    let text = if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic without a message".to_string()
    };
    crate::short(&text, 200)
}
