//! `hub-emulator [--hub-port N] [--cdn-port N] [--demo] [--load TYPE:REPO_ID=DIR]...
//!  [--user TOKEN:NAME[:org1,org2]]... [--page-size N] [--ready-file PATH]
//!  [--cdn-base URL] [--upload-base URL] [--export-lfs DIR] [--multipart-chunk-size N]`
//!
//! `--cdn-base` makes the LFS 302s point at an external server (`URL/repos/<repo>/<sha256>?…`);
//! `--upload-base` makes the LFS upload URLs point at another origin (a proxy in front of the CDN);
//! `--export-lfs` writes every LFS object to `DIR/<sha256>` after loading, before the ready line.

#![forbid(unsafe_code)]

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use hub_emulator::{Emulator, EmulatorOptions};

const USAGE: &str = "usage: hub-emulator [--hub-port N] [--cdn-port N] [--demo] \
[--load TYPE:REPO_ID=DIR]... [--user TOKEN:NAME[:org1,org2]]... [--page-size N] [--ready-file PATH] \
[--cdn-base URL] [--upload-base URL] [--export-lfs DIR] [--multipart-chunk-size N]";

#[derive(Default)]
struct Args {
    opts: EmulatorOptions,
    demo: bool,
    loads: Vec<(String, String, PathBuf)>,
    users: Vec<(String, String, Vec<String>)>,
    ready_file: Option<PathBuf>,
    export_lfs: Option<PathBuf>,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args::default();
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let (flag, inline) = match a.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (a.clone(), None),
        };
        let mut value = |name: &str| -> Result<String, String> {
            inline.clone().or_else(|| it.next()).ok_or_else(|| format!("{name} needs a value"))
        };
        match flag.as_str() {
            "--hub-port" => args.opts.hub_port = value(&flag)?.parse().map_err(|e| format!("--hub-port: {e}"))?,
            "--cdn-port" => args.opts.cdn_port = value(&flag)?.parse().map_err(|e| format!("--cdn-port: {e}"))?,
            "--page-size" => {
                args.opts.tree_page_size = Some(value(&flag)?.parse().map_err(|e| format!("--page-size: {e}"))?)
            }
            "--demo" => args.demo = true,
            "--cdn-base" => args.opts.cdn_base = Some(value(&flag)?),
            "--upload-base" => args.opts.upload_base = Some(value(&flag)?),
            "--multipart-chunk-size" => {
                args.opts.multipart_chunk_size =
                    Some(value(&flag)?.parse().map_err(|e| format!("--multipart-chunk-size: {e}"))?)
            }
            "--export-lfs" => args.export_lfs = Some(PathBuf::from(value(&flag)?)),
            "--ready-file" => args.ready_file = Some(PathBuf::from(value(&flag)?)),
            "--load" => {
                let v = value(&flag)?;
                let (spec, dir) = v.split_once('=').ok_or("--load expects TYPE:REPO_ID=DIR")?;
                let (t, id) = spec.split_once(':').ok_or("--load expects TYPE:REPO_ID=DIR")?;
                args.loads.push((t.to_string(), id.to_string(), PathBuf::from(dir)));
            }
            "--user" => {
                let v = value(&flag)?;
                let mut parts = v.splitn(3, ':');
                let token = parts.next().unwrap_or_default().to_string();
                let name =
                    parts.next().filter(|n| !n.is_empty()).ok_or("--user expects TOKEN:NAME[:org1,org2]")?.to_string();
                let orgs = parts
                    .next()
                    .map(|o| o.split(',').filter(|s| !s.is_empty()).map(str::to_string).collect())
                    .unwrap_or_default();
                args.users.push((token, name, orgs));
            }
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    Ok(args)
}

#[cfg(unix)]
async fn wait_for_shutdown() {
    use tokio::signal::unix::{signal, SignalKind};
    let mut term = signal(SignalKind::terminate()).expect("SIGTERM handler");
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
    }
}

#[cfg(not(unix))]
async fn wait_for_shutdown() {
    let _ = tokio::signal::ctrl_c().await;
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("hub-emulator: {e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let emu = Emulator::start_with(args.opts.clone());
    if args.demo {
        emu.seed_demo();
    }
    for (token, name, orgs) in &args.users {
        let orgs: Vec<&str> = orgs.iter().map(String::as_str).collect();
        emu.add_user(token, name, &orgs);
    }
    for (t, id, dir) in &args.loads {
        emu.load_dir(t, id, dir);
    }
    if let Some(dir) = &args.export_lfs {
        if let Err(e) = emu.export_lfs(dir) {
            eprintln!("hub-emulator: cannot export the LFS objects to {}: {e}", dir.display());
            return ExitCode::FAILURE;
        }
    }
    let ready = format!("{{\"hub\":\"{}\",\"cdn\":\"{}\"}}", emu.hub_url(), emu.cdn_url());
    if let Some(path) = &args.ready_file {
        // Write then rename, so a watcher never reads a partial file.
        let tmp = path.with_extension("tmp");
        if let Err(e) = std::fs::write(&tmp, format!("{ready}\n")).and_then(|_| std::fs::rename(&tmp, path)) {
            eprintln!("hub-emulator: cannot write {}: {e}", path.display());
            return ExitCode::FAILURE;
        }
    }
    let mut out = std::io::stdout();
    let _ = writeln!(out, "{ready}");
    let _ = out.flush();

    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("signal runtime");
    rt.block_on(wait_for_shutdown());
    drop(emu);
    ExitCode::SUCCESS
}
