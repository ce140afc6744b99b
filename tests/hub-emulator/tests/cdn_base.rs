//! `cdn_base` / `--cdn-base` and `export_lfs` / `--export-lfs`: LFS 302s pointing at an external
//! static server that serves the exported objects (what `bench/run.sh` does with nginx).

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use hub_emulator::{sha256_hex, Emulator, EmulatorOptions, DEMO_TOKEN};
use reqwest::blocking::Client;

fn client() -> Client {
    Client::builder().redirect(reqwest::redirect::Policy::none()).no_proxy().build().unwrap()
}

fn scratch_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("hub-emulator-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

const BASE: &str = "http://127.0.0.1:9/lfs";

/// The redirect of `model.safetensors` in the demo repo, and the object's sha256.
fn lfs_redirect(hub: &str) -> (String, String) {
    let url = format!("{hub}/test-org/test-model/resolve/main/model.safetensors");
    let r = client().head(&url).header("authorization", format!("Bearer {DEMO_TOKEN}")).send().unwrap();
    assert_eq!(r.status().as_u16(), 302);
    let h = r.headers();
    let location = h["location"].to_str().unwrap().to_string();
    let sha = h["x-linked-etag"].to_str().unwrap().trim_matches('"').to_string();
    (location, sha)
}

#[test]
fn lfs_redirects_point_at_cdn_base_and_objects_export() {
    let emu = Emulator::start_with(EmulatorOptions { cdn_base: Some(format!("{BASE}/")), ..Default::default() });
    emu.seed_demo();
    let (location, sha) = lfs_redirect(&emu.hub_url());
    assert!(
        location.starts_with(&format!("{BASE}/repos/test-org/test-model/{sha}?X-Amz-Signature=")),
        "location {location}"
    );

    let dir = scratch_dir("export");
    let n = emu.export_lfs(&dir).unwrap();
    assert!(n >= 1);
    let data = std::fs::read(dir.join(&sha)).unwrap();
    assert_eq!(sha256_hex(&data), sha);
    assert_eq!(Some(data), emu.lfs_object(&sha));
    // Only final names: the temp files were renamed.
    for e in std::fs::read_dir(&dir).unwrap() {
        let name = e.unwrap().file_name().into_string().unwrap();
        assert!(name.len() == 64 && name.bytes().all(|b| b.is_ascii_hexdigit()), "{name}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn default_redirects_still_point_at_the_builtin_cdn() {
    let emu = Emulator::start();
    emu.seed_demo();
    let (location, sha) = lfs_redirect(&emu.hub_url());
    assert!(location.starts_with(&format!("{}/repos/test-org/test-model/{sha}?", emu.cdn_url())), "{location}");
}

struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn binary_accepts_cdn_base_and_export_lfs() {
    let dir = scratch_dir("bin-export");
    let mut child = Killed(
        Command::new(env!("CARGO_BIN_EXE_hub-emulator"))
            .args(["--demo", "--cdn-base", BASE, "--export-lfs"])
            .arg(&dir)
            .stdout(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    // The ready line comes after the export.
    let mut line = String::new();
    BufReader::new(child.0.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let ready: serde_json::Value = serde_json::from_str(&line).unwrap();
    let hub = ready["hub"].as_str().unwrap();

    let (location, sha) = lfs_redirect(hub);
    assert!(location.starts_with(&format!("{BASE}/repos/test-org/test-model/{sha}?")), "{location}");
    let data = std::fs::read(dir.join(&sha)).unwrap();
    assert_eq!(sha256_hex(&data), sha);
    drop(child);
    std::fs::remove_dir_all(&dir).unwrap();
}
