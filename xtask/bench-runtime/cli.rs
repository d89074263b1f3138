//! The command line the runtime bench's client binaries share:
//! `NAME SCENARIO URL multi|current ARG`, run on the runtime named (`multi`
//! is what `#[tokio::main]` builds), printing the summary line or the error.

use std::future::Future;

/// Parses the arguments, runs `run(scenario, url, arg)` on the runtime they
/// name and prints its summary; exits with 1 on its error, 2 on bad usage.
pub fn main<F, Fut>(name: &str, run: F)
where
    F: FnOnce(String, String, String) -> Fut,
    Fut: Future<Output = Result<String, String>>,
{
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [scenario, url, runtime, arg] = <[String; 4]>::try_from(args).unwrap_or_else(|_| {
        eprintln!("usage: {name} SCENARIO URL multi|current ARG");
        std::process::exit(2);
    });
    let mut builder = match runtime.as_str() {
        "current" => tokio::runtime::Builder::new_current_thread(),
        _ => tokio::runtime::Builder::new_multi_thread(),
    };
    let runtime = builder.enable_all().build().expect("tokio runtime");
    match runtime.block_on(run(scenario, url, arg)) {
        Ok(summary) => println!("{summary}"),
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    }
}
