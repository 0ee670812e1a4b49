//! `netlab demo NAME [--json]`: run a built-in client against its scenario, both sides shown.

use netlab::cli::DemoArgs;
use netlab::demo;
use netlab::scenario::ServeConfig;
use netlab::trace::Recorder;
use netlab::{Error, ExitCode};
use tokio_util::sync::CancellationToken;

/// Run `netlab demo`.
pub fn run(args: DemoArgs) -> Result<ExitCode, Error> {
    if args.list {
        let name_w = demo::DEMOS.iter().map(|d| d.name.len()).max().unwrap_or(0);
        let server_w = demo::DEMOS
            .iter()
            .map(|d| d.scenario.len())
            .max()
            .unwrap_or(0);
        for d in demo::DEMOS {
            println!(
                "{:<name_w$}  (server: {:<server_w$})  {}",
                d.name, d.scenario, d.summary
            );
        }
        return Ok(ExitCode::Pass);
    }
    let name = args.name.as_deref().unwrap_or_default();
    let d = demo::find(name).ok_or_else(|| {
        Error::Usage(format!(
            "unknown demo `{name}`; demos: {}",
            demo::DEMOS
                .iter()
                .map(|d| d.name)
                .collect::<Vec<_>>()
                .join(", ")
        ))
    })?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let recorder = Recorder::new();
    let printer = {
        let sub = recorder.subscribe();
        let (json, heads) = (args.json, !args.no_heads);
        std::thread::spawn(move || {
            super::serve::print_timeline(sub, json, false, heads, CancellationToken::new())
        })
    };
    // 8 MiB: more than loopback's socket buffers hold, so a slow reader causes backpressure.
    let cfg = ServeConfig::default();
    let findings = rt.block_on(demo::run(d, recorder.clone(), cfg));
    drop(recorder);
    let _ = printer.join();
    let findings = findings?;
    for n in &findings.notes {
        if args.json {
            println!("{}", serde_json::json!({"event": "note", "text": n}));
        } else {
            println!("\n{n}");
        }
    }
    Ok(ExitCode::Pass)
}
