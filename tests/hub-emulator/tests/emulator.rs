//! End-to-end tests of the emulator over real HTTP.

use std::time::{Duration, Instant};

use hub_emulator::{
    git_blob_sha1, sha256_hex, Access, Emulator, EmulatorOptions, Fault, FaultAction, Origin, DEMO_TOKEN,
};
use reqwest::blocking::{Client, Response};
use reqwest::header::HeaderMap;
use serde_json::{json, Value};

trait ReqExt {
    fn js(self, v: &Value) -> Self;
}

impl ReqExt for reqwest::blocking::RequestBuilder {
    fn js(self, v: &Value) -> Self {
        self.header("content-type", "application/json").body(v.to_string())
    }
}

trait RespExt {
    fn js<T: serde::de::DeserializeOwned>(self) -> Result<T, serde_json::Error>;
}

impl RespExt for Response {
    fn js<T: serde::de::DeserializeOwned>(self) -> Result<T, serde_json::Error> {
        serde_json::from_slice(&self.bytes().expect("body"))
    }
}

fn client() -> Client {
    Client::builder().redirect(reqwest::redirect::Policy::none()).no_proxy().build().unwrap()
}

fn demo() -> (Emulator, String) {
    let emu = Emulator::start();
    let commit = emu.seed_demo();
    (emu, commit)
}

fn req(method: &str, url: &str, token: Option<&str>, headers: &[(&str, &str)]) -> Response {
    let mut r = client().request(method.parse().unwrap(), url);
    if let Some(t) = token {
        r = r.header("authorization", format!("Bearer {t}"));
    }
    for (k, v) in headers {
        r = r.header(*k, *v);
    }
    r.send().unwrap()
}

fn get(url: &str) -> Response {
    req("GET", url, Some(DEMO_TOKEN), &[])
}

fn head(url: &str) -> Response {
    req("HEAD", url, Some(DEMO_TOKEN), &[])
}

fn h<'a>(hm: &'a HeaderMap, k: &str) -> &'a str {
    hm.get(k).map(|v| v.to_str().unwrap()).unwrap_or("")
}

fn post_json(url: &str, token: Option<&str>, body: &Value) -> Response {
    let mut r = client().post(url).js(body);
    if let Some(t) = token {
        r = r.bearer_auth(t);
    }
    r.send().unwrap()
}

#[test]
fn regular_file_head_and_get() {
    let (emu, commit) = demo();
    let url = format!("{}/test-org/test-model/resolve/main/config.json", emu.hub_url());
    let r = head(&url);
    assert_eq!(r.status(), 200);
    let hd = r.headers();
    let content = emu.file("model", "test-org/test-model", "main", "config.json").unwrap();
    assert_eq!(h(hd, "etag"), format!("\"{}\"", git_blob_sha1(&content)));
    assert_eq!(h(hd, "x-repo-commit"), commit);
    assert_eq!(h(hd, "content-length"), content.len().to_string());
    assert_eq!(h(hd, "accept-ranges"), "bytes");
    assert!(h(hd, "content-disposition").contains("config.json"));
    assert!(!h(hd, "x-request-id").is_empty());
    let id1 = h(hd, "x-request-id").to_string();

    let r = get(&url);
    assert_eq!(r.status(), 200);
    assert_ne!(h(r.headers(), "x-request-id"), id1, "request ids are unique");
    assert_eq!(r.bytes().unwrap().to_vec(), content);

    let log = emu.requests();
    assert_eq!(log.len(), 2);
    assert_eq!(log[0].method, "HEAD");
    assert_eq!(log[0].origin, Origin::Hub);
    assert_eq!(log[0].path, "/test-org/test-model/resolve/main/config.json");
    assert_eq!(log[0].status, 200);
    assert_eq!(log[0].header("Authorization"), Some(format!("Bearer {DEMO_TOKEN}").as_str()));
    emu.clear_requests();
    assert!(emu.requests().is_empty());
}

#[test]
fn lfs_file_redirects_to_cdn() {
    let (emu, commit) = demo();
    let url = format!("{}/test-org/test-model/resolve/main/model.safetensors", emu.hub_url());
    let r = head(&url);
    assert_eq!(r.status(), 302);
    let hd = r.headers().clone();
    let data = emu.file("model", "test-org/test-model", "main", "model.safetensors").unwrap();
    assert_eq!(data.len(), 1 << 20);
    let sha = sha256_hex(&data);
    let pointer = hub_emulator::lfs_pointer(&sha, data.len() as u64);
    assert_eq!(h(&hd, "x-linked-etag"), format!("\"{sha}\""));
    assert_eq!(h(&hd, "x-linked-size"), "1048576");
    assert_eq!(h(&hd, "x-repo-commit"), commit);
    assert_eq!(h(&hd, "etag"), format!("\"{}\"", git_blob_sha1(pointer.as_bytes())));
    let loc = h(&hd, "location").to_string();
    assert_eq!(
        loc,
        format!(
            "{}/repos/test-org/test-model/{sha}?X-Amz-Signature=fakesig&response-content-disposition=attachment",
            emu.cdn_url()
        )
    );
    // GET on the hub answers the same redirect, with a small body.
    let r = get(&url);
    assert_eq!(r.status(), 302);
    let body_len = r.bytes().unwrap().len();
    assert!(body_len > 0 && body_len < 1000);

    // The CDN serves the blob without auth.
    let r = req("GET", &loc, None, &[]);
    assert_eq!(r.status(), 200);
    assert_eq!(h(r.headers(), "etag"), format!("\"{sha}\""));
    assert_eq!(h(r.headers(), "accept-ranges"), "bytes");
    assert_eq!(sha256_hex(&r.bytes().unwrap()), sha);
    // Like S3 with a presigned URL: no signature → 403; an Authorization header → 400.
    let unsigned = loc.split('?').next().unwrap().to_string();
    assert_eq!(req("GET", &unsigned, None, &[]).status(), 403);
    assert_eq!(req("GET", &loc, Some(DEMO_TOKEN), &[]).status(), 400);
    let cdn_logs: Vec<_> = emu.requests().into_iter().filter(|r| r.origin == Origin::Cdn).collect();
    assert_eq!(cdn_logs.len(), 3);
    assert_eq!(cdn_logs[0].query.as_deref(), Some("X-Amz-Signature=fakesig&response-content-disposition=attachment"));
    assert_eq!(emu.lfs_object(&sha).unwrap(), data);
}

#[test]
fn ranges_on_hub_and_cdn() {
    let (emu, _) = demo();
    let url = format!("{}/test-org/test-model/resolve/main/config.json", emu.hub_url());
    let content = emu.file("model", "test-org/test-model", "main", "config.json").unwrap();
    let n = content.len();

    let r = req("GET", &url, None, &[("range", "bytes=0-0")]);
    assert_eq!(r.status(), 206);
    assert_eq!(h(r.headers(), "content-range"), format!("bytes 0-0/{n}"));
    assert_eq!(r.bytes().unwrap().to_vec(), content[..1].to_vec());

    let r = req("GET", &url, None, &[("range", "bytes=5-")]);
    assert_eq!(r.status(), 206);
    assert_eq!(h(r.headers(), "content-range"), format!("bytes 5-{}/{n}", n - 1));
    assert_eq!(r.bytes().unwrap().to_vec(), content[5..].to_vec());

    let r = req("GET", &url, None, &[("range", "bytes=-4")]);
    assert_eq!(r.status(), 206);
    assert_eq!(r.bytes().unwrap().to_vec(), content[n - 4..].to_vec());

    let r = req("GET", &url, None, &[("range", "bytes=2-1000000")]);
    assert_eq!(r.status(), 206);
    assert_eq!(r.bytes().unwrap().len(), n - 2);

    let r = req("GET", &url, None, &[("range", &format!("bytes={n}-"))]);
    assert_eq!(r.status(), 416);
    assert_eq!(h(r.headers(), "content-range"), format!("bytes */{n}"));

    let head = req("HEAD", &url, None, &[("range", "bytes=1-2")]);
    assert_eq!(head.status(), 206);
    assert_eq!(h(head.headers(), "content-length"), "2");

    // CDN
    let loc = h(
        req("HEAD", &format!("{}/test-org/test-model/resolve/main/model.safetensors", emu.hub_url()), None, &[])
            .headers(),
        "location",
    )
    .to_string();
    let r = req("GET", &loc, None, &[("range", "bytes=1048000-")]);
    assert_eq!(r.status(), 206);
    assert_eq!(h(r.headers(), "content-range"), "bytes 1048000-1048575/1048576");
    assert_eq!(r.bytes().unwrap().len(), 576);
    assert_eq!(req("GET", &loc, None, &[("range", "bytes=1048576-")]).status(), 416);
}

#[test]
fn error_shapes() {
    let (emu, commit) = demo();
    let hub = emu.hub_url();

    let r = head(&format!("{hub}/test-org/test-model/resolve/main/missing.txt"));
    assert_eq!(r.status(), 404);
    assert_eq!(h(r.headers(), "x-error-code"), "EntryNotFound");
    assert_eq!(h(r.headers(), "x-error-message"), "Entry not found");
    assert_eq!(h(r.headers(), "x-repo-commit"), commit);

    let r = get(&format!("{hub}/test-org/test-model/resolve/nope/config.json"));
    assert_eq!(r.status(), 404);
    assert_eq!(h(r.headers(), "x-error-code"), "RevisionNotFound");
    let body: Value = r.js().unwrap();
    assert!(body["error"].as_str().unwrap().contains("nope"));

    for url in [
        format!("{hub}/nobody/nothing/resolve/main/config.json"),
        format!("{hub}/api/models/nobody/nothing"),
        format!("{hub}/api/models/nobody/nothing/revision/main"),
        format!("{hub}/api/models/nobody/nothing/tree/main"),
    ] {
        let r = get(&url);
        assert_eq!(r.status(), 401, "{url}");
        assert_eq!(h(r.headers(), "x-error-code"), "RepoNotFound");
        assert_eq!(h(r.headers(), "x-error-message"), "Repository not found");
        let body: Value = r.js().unwrap();
        assert_eq!(body["error"], "Repository not found");
    }

    // private: anonymous / non-member → RepoNotFound; member → 200
    let private = format!("{hub}/test-org/private-model/resolve/main/config.json");
    let r = req("HEAD", &private, None, &[]);
    assert_eq!((r.status().as_u16(), h(r.headers(), "x-error-code")), (401, "RepoNotFound"));
    emu.add_user("hf_other", "other", &[]);
    let r = req("HEAD", &private, Some("hf_other"), &[]);
    assert_eq!((r.status().as_u16(), h(r.headers(), "x-error-code")), (401, "RepoNotFound"));
    assert_eq!(head(&private).status(), 200);
    emu.grant_access("model", "test-org/private-model", "other");
    assert_eq!(req("HEAD", &private, Some("hf_other"), &[]).status(), 200);

    // gated
    let gated = format!("{hub}/test-org/gated-model/resolve/main/config.json");
    let r = req("HEAD", &gated, None, &[]);
    assert_eq!((r.status().as_u16(), h(r.headers(), "x-error-code")), (401, "GatedRepo"));
    let r = req("HEAD", &gated, Some("hf_other"), &[]);
    assert_eq!((r.status().as_u16(), h(r.headers(), "x-error-code")), (403, "GatedRepo"));
    assert_eq!(head(&gated).status(), 200, "org members can read");
    emu.grant_access("model", "test-org/gated-model", "other");
    assert_eq!(req("HEAD", &gated, Some("hf_other"), &[]).status(), 200);
    let info: Value = get(&format!("{hub}/api/models/test-org/gated-model")).js().unwrap();
    assert_eq!(info["gated"], "manual");

    // disabled
    emu.create_repo("model", "test-org/disabled-model", Access::Disabled);
    let r = req("HEAD", &format!("{hub}/test-org/disabled-model/resolve/main/x"), None, &[]);
    assert_eq!(r.status(), 403);
    assert_eq!(h(r.headers(), "x-error-message"), "Access to this resource is disabled.");

    // invalid token: 401 without X-Error-Code, everywhere
    for url in [
        format!("{hub}/test-org/test-model/resolve/main/config.json"),
        format!("{hub}/api/whoami-v2"),
        format!("{hub}/api/models/test-org/test-model"),
    ] {
        let r = req("GET", &url, Some("hf_bad"), &[]);
        assert_eq!(r.status(), 401);
        assert!(r.headers().get("x-error-code").is_none());
        assert_eq!(h(r.headers(), "x-error-message"), "Invalid credentials in Authorization header");
    }
}

#[test]
fn revisions() {
    let (emu, c1) = demo();
    let hub = emu.hub_url();
    let repo = "test-org/test-model";
    let c2 = emu.commit(
        "model",
        repo,
        "main",
        "second",
        &[("config.json", b"{\"v\": 2}\n"), ("new.txt", b"new")],
        &["README.md"],
    );
    assert_ne!(c1, c2);
    emu.create_tag("model", repo, "v1.0", &c1);
    emu.create_branch("model", repo, "dev", &c1);
    let dev2 = emu.commit("model", repo, "feature/x", "on a new branch", &[("f.txt", b"f")], &[]);
    assert_eq!(emu.resolve("model", repo, "feature/x").unwrap(), dev2);
    let (pr, pr_commit) = emu.create_pr("model", repo, &[("pr.txt", b"pr")]);
    assert_eq!(pr, 1);

    let rc = |rev: &str, file: &str| -> (u16, String) {
        let r = head(&format!("{hub}/{repo}/resolve/{rev}/{file}"));
        (r.status().as_u16(), h(r.headers(), "x-repo-commit").to_string())
    };
    assert_eq!(rc("main", "config.json"), (200, c2.clone()));
    assert_eq!(rc("v1.0", "README.md"), (200, c1.clone()));
    assert_eq!(rc("dev", "README.md"), (200, c1.clone()));
    assert_eq!(rc(&c1, "README.md"), (200, c1.clone()), "old commits stay downloadable");
    assert_eq!(rc(&c1[..7], "README.md"), (200, c1.clone()));
    assert_eq!(rc(&c1.to_uppercase(), "README.md"), (200, c1.clone()));
    assert_eq!(rc("refs%2Fpr%2F1", "pr.txt"), (200, pr_commit.clone()));
    assert_eq!(rc("refs%2Fheads%2Fmain", "new.txt"), (200, c2.clone()));
    assert_eq!(rc("feature%2Fx", "f.txt"), (200, dev2.clone()));
    assert_eq!(rc("main", "README.md"), (404, c2.clone()), "deleted in c2");
    assert_eq!(rc("refs%2Fpr%2F2", "pr.txt").0, 404);
    let old = get(&format!("{hub}/{repo}/resolve/{c1}/config.json")).bytes().unwrap();
    assert_eq!(old.to_vec(), emu.file("model", repo, &c1, "config.json").unwrap());

    // revision info with an encoded PR ref
    let info: Value = get(&format!("{hub}/api/models/{repo}/revision/refs%2Fpr%2F1")).js().unwrap();
    assert_eq!(info["sha"], pr_commit);
    let r = get(&format!("{hub}/api/models/{repo}/revision/nope"));
    assert_eq!(h(r.headers(), "x-error-code"), "RevisionNotFound");

    // refs listing
    let refs: Value = get(&format!("{hub}/api/models/{repo}/refs?include_prs=1")).js().unwrap();
    let names: Vec<&str> = refs["branches"].as_array().unwrap().iter().map(|b| b["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["dev", "feature/x", "main"]);
    assert_eq!(refs["tags"][0]["ref"], "refs/tags/v1.0");
    assert_eq!(refs["tags"][0]["targetCommit"], c1);
    assert_eq!(refs["pullRequests"][0]["ref"], "refs/pr/1");
    let refs: Value = get(&format!("{hub}/api/models/{repo}/refs")).js().unwrap();
    assert!(refs.get("pullRequests").is_none());
    assert_eq!(refs["converts"], json!([]));

    // commit history
    let commits: Value = get(&format!("{hub}/api/models/{repo}/commits/main")).js().unwrap();
    let ids: Vec<&str> = commits.as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap()).collect();
    assert_eq!(ids[0], c2);
    assert_eq!(ids[1], c1);
    assert_eq!(commits[0]["title"], "second");
}

#[test]
fn repo_types_and_single_segment_ids() {
    let emu = Emulator::start();
    emu.create_repo("model", "gpt2", Access::Public);
    let c = emu.commit("model", "gpt2", "main", "add", &[("config.json", b"{}")], &[]);
    emu.create_repo("space", "user/app", Access::Public);
    emu.commit("space", "user/app", "main", "add", &[("app.py", b"print(1)")], &[]);
    emu.create_repo("dataset", "tree", Access::Public);
    emu.commit("dataset", "tree", "main", "add", &[("tree/x.csv", b"a,b")], &[]);
    let hub = emu.hub_url();
    let r = req("HEAD", &format!("{hub}/gpt2/resolve/main/config.json"), None, &[]);
    assert_eq!((r.status().as_u16(), h(r.headers(), "x-repo-commit")), (200, c.as_str()));
    let tree: Value = req("GET", &format!("{hub}/api/models/gpt2/tree/main"), None, &[]).js().unwrap();
    assert_eq!(tree[0]["path"], "config.json");
    assert_eq!(req("HEAD", &format!("{hub}/spaces/user/app/resolve/main/app.py"), None, &[]).status(), 200);
    assert_eq!(req("HEAD", &format!("{hub}/user/app/resolve/main/app.py"), None, &[]).status(), 401);
    assert_eq!(req("HEAD", &format!("{hub}/datasets/tree/resolve/main/tree/x.csv"), None, &[]).status(), 200);
    let info: Value = req("GET", &format!("{hub}/api/datasets/tree"), None, &[]).js().unwrap();
    assert_eq!(info["id"], "tree");
    let info: Value = req("GET", &format!("{hub}/api/spaces/user/app"), None, &[]).js().unwrap();
    assert_eq!(info["siblings"][0]["rfilename"], "app.py");

    // Filenames are percent-decoded (UTF-8), `/` kept.
    emu.commit("model", "gpt2", "main", "odd names", &[("a b/ü#?.txt", b"odd")], &[]);
    let r = req("GET", &format!("{hub}/gpt2/resolve/main/a%20b/%C3%BC%23%3F.txt"), None, &[]);
    assert_eq!(r.status(), 200);
    assert!(h(r.headers(), "content-disposition").contains("filename*=UTF-8''%C3%BC%23%3F.txt"));
    assert_eq!(r.bytes().unwrap().as_ref(), b"odd");
}

#[test]
fn renamed_repo_redirects() {
    let (emu, commit) = demo();
    emu.rename_repo("model", "test-org/test-model", "test-org/renamed");
    let hub = emu.hub_url();
    let r = head(&format!("{hub}/test-org/test-model/resolve/main/config.json"));
    assert_eq!(r.status(), 307);
    assert_eq!(h(r.headers(), "location"), "/test-org/renamed/resolve/main/config.json");
    let r = get(&format!("{hub}/api/models/test-org/test-model/tree/main?recursive=true"));
    assert_eq!(r.status(), 307);
    assert_eq!(h(r.headers(), "location"), "/api/models/test-org/renamed/tree/main?recursive=true");
    let r = head(&format!("{hub}/test-org/renamed/resolve/main/config.json"));
    assert_eq!((r.status().as_u16(), h(r.headers(), "x-repo-commit")), (200, commit.as_str()));
    // A redirect-following client ends up on the new repo.
    let info: Value = Client::new().get(format!("{hub}/api/models/test-org/test-model")).send().unwrap().js().unwrap();
    assert_eq!(info["id"], "test-org/renamed");
}

#[test]
fn tree_listing_and_pagination() {
    let emu = Emulator::start_with(EmulatorOptions { tree_page_size: Some(2), ..Default::default() });
    emu.add_user(DEMO_TOKEN, "tester", &[]);
    emu.create_repo("model", "org/repo", Access::Public);
    let c = emu.commit(
        "model",
        "org/repo",
        "main",
        "files",
        &[
            ("a.txt", b"hello"),
            ("d/b.txt", b"hello"),
            ("d/e/c.bin", b"binary"),
            ("sub dir/x.txt", b"x"),
            ("z.txt", b"z"),
        ],
        &[],
    );
    let hub = emu.hub_url();
    let mut url = format!("{hub}/api/models/org/repo/tree/main?recursive=true&expand=false");
    let mut all = Vec::new();
    let mut pages = 0;
    loop {
        let r = get(&url);
        assert_eq!(r.status(), 200);
        let next = r.headers().get("link").map(|l| l.to_str().unwrap().to_string());
        let page: Vec<Value> = r.js().unwrap();
        assert!(page.len() <= 2);
        all.extend(page);
        pages += 1;
        match next {
            Some(l) => {
                assert!(l.ends_with("; rel=\"next\""), "{l}");
                url = l[1..l.find('>').unwrap()].to_string();
                assert!(url
                    .starts_with(&format!("{hub}/api/models/org/repo/tree/main?recursive=true&expand=false&cursor=")));
            }
            None => break,
        }
    }
    assert_eq!(pages, 4);
    let paths: Vec<&str> = all.iter().map(|e| e["path"].as_str().unwrap()).collect();
    assert_eq!(paths, ["a.txt", "d", "d/b.txt", "d/e", "d/e/c.bin", "sub dir", "sub dir/x.txt", "z.txt"]);
    // Git-compatible ids: `git write-tree` of a.txt + d/b.txt ("hello") gives d = 0594002…
    let d = all.iter().find(|e| e["path"] == "d").unwrap();
    assert_eq!(d["type"], "directory");
    let cbin = all.iter().find(|e| e["path"] == "d/e/c.bin").unwrap();
    assert_eq!(cbin["lfs"]["oid"], sha256_hex(b"binary"));
    assert_eq!(cbin["lfs"]["size"], 6);
    assert_eq!(cbin["oid"], git_blob_sha1(hub_emulator::lfs_pointer(&sha256_hex(b"binary"), 6).as_bytes()));

    // Non-recursive, sub-path fully encoded.
    let r: Vec<Value> = get(&format!("{hub}/api/models/org/repo/tree/{c}/d?recursive=false")).js().unwrap();
    let paths: Vec<&str> = r.iter().map(|e| e["path"].as_str().unwrap()).collect();
    assert_eq!(paths, ["d/b.txt", "d/e"]);
    let r: Vec<Value> = get(&format!("{hub}/api/models/org/repo/tree/main/sub%20dir")).js().unwrap();
    assert_eq!(r[0]["path"], "sub dir/x.txt");
    let r: Vec<Value> = get(&format!("{hub}/api/models/org/repo/tree/main/d%2Fe")).js().unwrap();
    assert_eq!(r[0]["path"], "d/e/c.bin");
    let r = get(&format!("{hub}/api/models/org/repo/tree/main/nope"));
    assert_eq!((r.status().as_u16(), h(r.headers(), "x-error-code")), (404, "EntryNotFound"));

    // expand=true adds lastCommit.
    let r: Vec<Value> = get(&format!("{hub}/api/models/org/repo/tree/main?expand=true")).js().unwrap();
    assert_eq!(r[0]["lastCommit"]["id"], c);
    assert_eq!(r[0]["lastCommit"]["title"], "files");

    // repo info with blobs
    let info: Value = get(&format!("{hub}/api/models/org/repo?blobs=true")).js().unwrap();
    assert_eq!(info["sha"], c);
    let sib = info["siblings"].as_array().unwrap().iter().find(|s| s["rfilename"] == "d/e/c.bin").unwrap();
    assert_eq!(sib["lfs"]["sha256"], sha256_hex(b"binary"));
    assert_eq!(sib["size"], 6);
    let info: Value = get(&format!("{hub}/api/models/org/repo")).js().unwrap();
    assert!(info["siblings"][0].get("size").is_none());
    let info: Value = get(&format!("{hub}/api/models/org/repo?expand=sha&expand=xetEnabled")).js().unwrap();
    assert_eq!(info["sha"], c);
    assert_eq!(info["xetEnabled"], false);
    assert!(info.get("siblings").is_none());

    // paths-info (form body)
    let r: Vec<Value> = client()
        .post(format!("{hub}/api/models/org/repo/paths-info/main"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("paths=a.txt&paths=d%2Fe&paths=missing&expand=false")
        .send()
        .unwrap()
        .js()
        .unwrap();
    assert_eq!(r.len(), 2);
    assert_eq!(r[0]["oid"], git_blob_sha1(b"hello"));
    assert_eq!(r[1]["type"], "directory");
}

#[test]
fn tree_ids_match_git() {
    let emu = Emulator::start();
    emu.add_user(DEMO_TOKEN, "tester", &[]);
    emu.create_repo("model", "org/git", Access::Public);
    emu.commit("model", "org/git", "main", "m", &[("a.txt", b"hello"), ("d/b.txt", b"hello")], &[]);
    let r: Vec<Value> = get(&format!("{}/api/models/org/git/tree/main", emu.hub_url())).js().unwrap();
    let d = r.iter().find(|e| e["path"] == "d").unwrap();
    assert_eq!(d["oid"], "0594002367016b05ad9b2afd95fc6760bb884d8b");
}

#[test]
fn whoami_and_misc() {
    let (emu, _) = demo();
    let hub = emu.hub_url();
    let me: Value = get(&format!("{hub}/api/whoami-v2")).js().unwrap();
    assert_eq!(me["type"], "user");
    assert_eq!(me["name"], "tester");
    assert_eq!(me["orgs"][0]["name"], "test-org");
    assert_eq!(me["orgs"][0]["type"], "org");
    assert_eq!(me["auth"]["type"], "access_token");
    assert_eq!(me["auth"]["accessToken"]["displayName"], "token-tester");
    assert_eq!(me["auth"]["accessToken"]["role"], "write");
    for k in ["id", "fullname", "email", "emailVerified", "isPro", "canPay", "avatarUrl"] {
        assert!(me.get(k).is_some(), "{k}");
    }
    assert_eq!(req("GET", &format!("{hub}/api/whoami-v2"), None, &[]).status(), 401);
    let a: Value = req("GET", &format!("{hub}/api/agent-harnesses"), None, &[]).js().unwrap();
    assert_eq!(a, json!({"standardEnvVars": [], "harnesses": {}}));
    let r = get(&format!("{hub}/no/such/route/at/all"));
    assert_eq!(r.status(), 404);
    let d: Value =
        req("GET", &format!("{hub}/api/datasets/test-org/test-dataset/tree/main/data"), None, &[]).js().unwrap();
    assert_eq!(d[0]["path"], "data/train.csv");
}

#[test]
fn faults() {
    let (emu, _) = demo();
    let hub = emu.hub_url();
    let url = format!("{hub}/test-org/test-model/resolve/main/config.json");

    emu.add_fault(Fault::new(FaultAction::Status(503)).path_contains("config.json").method("HEAD").times(2));
    assert_eq!(head(&url).status(), 503);
    assert_eq!(get(&url).status(), 200, "method filter");
    assert_eq!(head(&url).status(), 503);
    assert_eq!(head(&url).status(), 200, "times exhausted");
    let statuses: Vec<u16> = emu.requests().iter().map(|r| r.status).collect();
    assert_eq!(statuses, [503, 200, 503, 200]);

    emu.add_fault(Fault::new(FaultAction::OmitHeader("X-Repo-Commit".into())).origin(Origin::Hub));
    let r = head(&url);
    assert_eq!(r.status(), 200);
    assert!(r.headers().get("x-repo-commit").is_none());
    assert!(r.headers().get("etag").is_some());
    emu.clear_faults();
    assert!(head(&url).headers().get("x-repo-commit").is_some());

    emu.add_fault(Fault::new(FaultAction::IgnoreRange).times(1));
    let r = req("GET", &url, None, &[("range", "bytes=0-0")]);
    assert_eq!(r.status(), 200);
    assert!(r.bytes().unwrap().len() > 1);

    emu.add_fault(Fault::new(FaultAction::Delay(Duration::from_millis(300))).times(1));
    let t = Instant::now();
    assert_eq!(head(&url).status(), 200);
    assert!(t.elapsed() >= Duration::from_millis(300));

    // A delayed request is visible in the log (status 0) while it waits.
    emu.clear_requests();
    emu.add_fault(Fault::new(FaultAction::Delay(Duration::from_millis(500))).times(1));
    let u = url.clone();
    let t = std::thread::spawn(move || head(&u).status());
    std::thread::sleep(Duration::from_millis(200));
    let log = emu.requests();
    assert_eq!((log.len(), log[0].status), (1, 0));
    assert_eq!(t.join().unwrap(), 200);
    assert_eq!(emu.requests()[0].status, 200);

    let loc =
        h(head(&format!("{hub}/test-org/test-model/resolve/main/model.safetensors")).headers(), "location").to_string();
    emu.add_fault(Fault::new(FaultAction::DropAfterBytes(100_000)).origin(Origin::Cdn).times(1));
    let r = req("GET", &loc, None, &[]);
    assert_eq!(r.status(), 200);
    assert_eq!(h(r.headers(), "content-length"), "1048576");
    assert!(r.bytes().is_err(), "the body is cut");
    // next request is fine
    assert_eq!(req("GET", &loc, None, &[]).bytes().unwrap().len(), 1 << 20);

    emu.add_fault(Fault::new(FaultAction::Throttle { bytes_per_sec: 20_000 }).origin(Origin::Cdn).times(1));
    let t = Instant::now();
    let r = req("GET", &loc, None, &[("range", "bytes=0-3999")]);
    assert_eq!(r.status(), 206);
    assert_eq!(r.bytes().unwrap().len(), 4000);
    assert!(t.elapsed() >= Duration::from_millis(150), "{:?}", t.elapsed());
}

#[test]
fn redirect_short_and_long_body_faults() {
    let (emu, _) = demo();
    let hub = emu.hub_url();
    let url = format!("{hub}/test-org/test-model/resolve/main/config.json");
    let data = emu.file("model", "test-org/test-model", "main", "config.json").unwrap();

    // A redirect keeps the real answer's metadata headers.
    let to = FaultAction::Redirect { status: 307, location: "/elsewhere".into() };
    emu.add_fault(Fault::new(to).method("HEAD").times(1));
    let r = head(&url);
    assert_eq!(r.status(), 307);
    assert_eq!(h(r.headers(), "location"), "/elsewhere");
    assert!(r.headers().get("x-repo-commit").is_some() && r.headers().get("etag").is_some());

    // Short: the full length is announced, fewer bytes come, the body read fails.
    emu.add_fault(Fault::new(FaultAction::ShortBody(10)).method("GET").times(1));
    let r = get(&url);
    assert_eq!(h(r.headers(), "content-length"), data.len().to_string());
    assert!(r.bytes().is_err(), "the body ends short");

    // Long: extra bytes, Content-Length included.
    emu.add_fault(Fault::new(FaultAction::ExtraBytes(4)).method("GET").times(1));
    let body = get(&url).bytes().unwrap();
    assert_eq!(body.len(), data.len() + 4);
    assert_eq!(&body[..data.len()], &data[..]);
    assert_eq!(&body[data.len()..], b"ZZZZ");
    assert_eq!(get(&url).bytes().unwrap().len(), data.len(), "faults spent");
}

#[test]
fn fault_json_forms() {
    let f: Fault = serde_json::from_value(json!({"origin": "cdn", "times": 1, "action": {"status": 500}})).unwrap();
    assert_eq!(f.origin, Some(Origin::Cdn));
    assert!(matches!(f.action, FaultAction::Status(500)));
    let f: Fault = serde_json::from_value(json!({"action": {"delay_ms": 1500}})).unwrap();
    assert!(matches!(f.action, FaultAction::Delay(d) if d == Duration::from_millis(1500)));
    let f: Fault = serde_json::from_value(json!({"action": "ignore_range"})).unwrap();
    assert!(matches!(f.action, FaultAction::IgnoreRange));
    let f: Fault = serde_json::from_value(json!({"action": {"throttle": {"bytes_per_sec": 10}}})).unwrap();
    assert!(matches!(f.action, FaultAction::Throttle { bytes_per_sec: 10 }));
    let f: Fault = serde_json::from_value(json!({"action": {"omit_header": "etag"}})).unwrap();
    assert!(matches!(f.action, FaultAction::OmitHeader(ref s) if s == "etag"));
    let f: Fault = serde_json::from_value(json!({"action": {"drop_after_bytes": 5}})).unwrap();
    assert!(matches!(f.action, FaultAction::DropAfterBytes(5)));
    let f: Fault = serde_json::from_value(json!({"action": {"redirect": {"status": 302, "location": "/x"}}})).unwrap();
    assert!(matches!(f.action, FaultAction::Redirect { status: 302, ref location } if location == "/x"));
    let f: Fault = serde_json::from_value(json!({"action": {"short_body": 7}})).unwrap();
    assert!(matches!(f.action, FaultAction::ShortBody(7)));
    let f: Fault = serde_json::from_value(json!({"action": {"extra_bytes": 3}})).unwrap();
    assert!(matches!(f.action, FaultAction::ExtraBytes(3)));
    let a: Access = serde_json::from_value(json!("gated")).unwrap();
    assert_eq!(a, Access::Gated);
}

fn ndjson(lines: &[Value]) -> String {
    lines.iter().map(|l| format!("{l}\n")).collect()
}

fn commit_http(hub: &str, repo: &str, rev: &str, query: &str, lines: &[Value]) -> Response {
    client()
        .post(format!("{hub}/api/models/{repo}/commit/{rev}{query}"))
        .bearer_auth(DEMO_TOKEN)
        .header("content-type", "application/x-ndjson")
        .body(ndjson(lines))
        .send()
        .unwrap()
}

#[test]
fn upload_flow() {
    let (emu, _) = demo();
    let hub = emu.hub_url();

    // create_repo: 200, then 409
    let body = json!({"name": "new-model", "organization": "tester"});
    let r = post_json(&format!("{hub}/api/repos/create"), Some(DEMO_TOKEN), &body);
    assert_eq!(r.status(), 200);
    let v: Value = r.js().unwrap();
    assert_eq!(v["url"], format!("{hub}/tester/new-model"));
    assert_eq!(post_json(&format!("{hub}/api/repos/create"), Some(DEMO_TOKEN), &body).status(), 409);
    let other_ns = json!({"name": "x", "organization": "someone-else"});
    assert_eq!(post_json(&format!("{hub}/api/repos/create"), Some(DEMO_TOKEN), &other_ns).status(), 403);
    assert_eq!(post_json(&format!("{hub}/api/repos/create"), None, &body).status(), 401);
    // API-created repos start with the Hub's .gitattributes
    let head0 = emu.resolve("model", "tester/new-model", "main").unwrap();
    assert!(emu.file("model", "tester/new-model", "main", ".gitattributes").is_some());

    // preupload
    let big = hub_emulator::pseudo_random_bytes(200_000, 7);
    let sha = sha256_hex(&big);
    let r: Value = post_json(
        &format!("{hub}/api/models/tester/new-model/preupload/main"),
        Some(DEMO_TOKEN),
        &json!({"files": [
            {"path": "hello.txt", "sample": "aGVsbG8=", "size": 5},
            {"path": "weights.bin", "sample": "", "size": 200000},
            {"path": ".gitattributes", "sample": "", "size": 10},
        ]}),
    )
    .js()
    .unwrap();
    assert_eq!(r["files"][0]["uploadMode"], "regular");
    assert_eq!(r["files"][1]["uploadMode"], "lfs");
    assert_eq!(r["files"][0]["shouldIgnore"], false);
    assert!(r["files"][0].get("oid").is_none());
    assert!(r["files"][2]["oid"].is_string());
    assert_eq!(r["commitOid"], head0);

    // LFS batch → PUT to the CDN → verify
    let batch = json!({"operation": "upload", "transfers": ["basic", "multipart"],
        "objects": [{"oid": sha, "size": 200000}], "hash_algo": "sha256", "ref": {"name": "main"}});
    let r = client()
        .post(format!("{hub}/tester/new-model.git/info/lfs/objects/batch"))
        .bearer_auth(DEMO_TOKEN)
        .header("accept", "application/vnd.git-lfs+json")
        .header("content-type", "application/vnd.git-lfs+json")
        .body(batch.to_string())
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(h(r.headers(), "content-type"), "application/vnd.git-lfs+json");
    let v: Value = r.js().unwrap();
    assert_eq!(v["transfer"], "basic");
    let upload = v["objects"][0]["actions"]["upload"]["href"].as_str().unwrap().to_string();
    let verify = v["objects"][0]["actions"]["verify"]["href"].as_str().unwrap().to_string();
    assert_eq!(upload, format!("{}/upload/{sha}?X-Amz-Signature=fakesig", emu.cdn_url()));
    assert_eq!(verify, format!("{hub}/tester/new-model.git/info/lfs/objects/verify"));
    // Verify before upload fails.
    let r = post_json(&verify, Some(DEMO_TOKEN), &json!({"oid": sha, "size": 200000}));
    assert_eq!(r.status(), 404);
    let r = client().put(&upload).body(big.clone()).send().unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers().get("etag").is_some());
    let r = post_json(&verify, Some(DEMO_TOKEN), &json!({"oid": sha, "size": 200000}));
    assert_eq!(r.status(), 200);
    // The object now exists: no actions.
    let r: Value = client()
        .post(format!("{hub}/tester/new-model.git/info/lfs/objects/batch"))
        .bearer_auth(DEMO_TOKEN)
        .body(batch.to_string())
        .send()
        .unwrap()
        .js()
        .unwrap();
    assert!(r["objects"][0].get("actions").is_none());

    // NDJSON commit
    let lines = [
        json!({"key": "header", "value": {"summary": "Upload files", "description": "desc"}}),
        json!({"key": "file", "value": {"content": "aGVsbG8=", "path": "hello.txt", "encoding": "base64"}}),
        json!({"key": "file", "value": {"content": "", "path": "empty.bin", "encoding": "base64"}}),
        json!({"key": "lfsFile", "value": {"path": "weights.bin", "algo": "sha256", "oid": sha, "size": 200000}}),
    ];
    let r = commit_http(&hub, "tester/new-model", "main", "", &lines);
    assert_eq!(r.status(), 200);
    let v: Value = r.js().unwrap();
    assert_eq!(v["success"], true);
    let c1 = v["commitOid"].as_str().unwrap().to_string();
    assert_eq!(v["commitUrl"], format!("{hub}/tester/new-model/commit/{c1}"));
    assert!(v.get("pullRequestUrl").is_none());
    assert_eq!(emu.resolve("model", "tester/new-model", "main").unwrap(), c1);
    assert_eq!(emu.file("model", "tester/new-model", "main", "weights.bin").unwrap(), big);

    // Round trip over HTTP: regular + LFS + empty (regular even with .bin)
    let r = head(&format!("{hub}/tester/new-model/resolve/main/weights.bin"));
    assert_eq!(r.status(), 302);
    assert_eq!(h(r.headers(), "x-linked-etag"), format!("\"{sha}\""));
    let r = head(&format!("{hub}/tester/new-model/resolve/main/empty.bin"));
    assert_eq!((r.status().as_u16(), h(r.headers(), "content-length")), (200, "0"));
    assert_eq!(get(&format!("{hub}/tester/new-model/resolve/main/hello.txt")).text().unwrap(), "hello");
    // preupload now reports oids (git sha1 for regular, sha256 for LFS)
    let r: Value = post_json(
        &format!("{hub}/api/models/tester/new-model/preupload/main"),
        Some(DEMO_TOKEN),
        &json!({"files": [{"path": "hello.txt", "sample": "", "size": 5}, {"path": "weights.bin", "sample": "", "size": 200000}]}),
    )
    .js()
    .unwrap();
    assert_eq!(r["files"][0]["oid"], git_blob_sha1(b"hello"));
    assert_eq!(r["files"][1]["oid"], sha);

    // parentCommit mismatch → 412; match → 200
    let stale = [
        json!({"key": "header", "value": {"summary": "stale", "description": "", "parentCommit": head0}}),
        json!({"key": "deletedFile", "value": {"path": "hello.txt"}}),
    ];
    assert_eq!(commit_http(&hub, "tester/new-model", "main", "", &stale).status(), 412);
    let fresh = [
        json!({"key": "header", "value": {"summary": "fresh", "description": "", "parentCommit": c1}}),
        json!({"key": "deletedFile", "value": {"path": "hello.txt"}}),
    ];
    let r = commit_http(&hub, "tester/new-model", "main", "", &fresh);
    assert_eq!(r.status(), 200);
    let c2: Value = r.js().unwrap();
    assert!(emu.file("model", "tester/new-model", "main", "hello.txt").is_none());
    assert!(emu.file("model", "tester/new-model", &c1, "hello.txt").is_some());
    // deleting a missing file → 404 EntryNotFound
    let r = commit_http(
        &hub,
        "tester/new-model",
        "main",
        "",
        &[
            json!({"key": "header", "value": {"summary": "x", "description": ""}}),
            json!({"key": "deletedFile", "value": {"path": "nope.txt"}}),
        ],
    );
    assert_eq!((r.status().as_u16(), h(r.headers(), "x-error-code")), (404, "EntryNotFound"));

    // create_pr=1
    let r = commit_http(
        &hub,
        "tester/new-model",
        "main",
        "?create_pr=1",
        &[
            json!({"key": "header", "value": {"summary": "PR", "description": ""}}),
            json!({"key": "file", "value": {"content": "cHI=", "path": "pr.txt", "encoding": "base64"}}),
        ],
    );
    let v: Value = r.js().unwrap();
    assert_eq!(v["pullRequestUrl"], format!("{hub}/tester/new-model/discussions/1"));
    assert_eq!(emu.resolve("model", "tester/new-model", "refs/pr/1").unwrap(), v["commitOid"].as_str().unwrap());
    assert_eq!(emu.resolve("model", "tester/new-model", "main").unwrap(), c2["commitOid"].as_str().unwrap());

    // branches and tags
    let b = format!("{hub}/api/models/tester/new-model/branch/dev%2Fone");
    assert_eq!(post_json(&b, Some(DEMO_TOKEN), &json!({})).status(), 200);
    assert_eq!(post_json(&b, Some(DEMO_TOKEN), &json!({})).status(), 409);
    assert_eq!(emu.resolve("model", "tester/new-model", "dev/one").unwrap(), c2["commitOid"].as_str().unwrap());
    let r = commit_http(
        &hub,
        "tester/new-model",
        "dev%2Fone",
        "",
        &[
            json!({"key": "header", "value": {"summary": "on dev", "description": ""}}),
            json!({"key": "deletedFolder", "value": {"path": "weights.bin/"}}),
        ],
    );
    assert_eq!(r.status(), 404, "a file is not a folder");
    let b2 = format!("{hub}/api/models/tester/new-model/branch/from-old");
    assert_eq!(post_json(&b2, Some(DEMO_TOKEN), &json!({"startingPoint": c1})).status(), 200);
    assert_eq!(emu.resolve("model", "tester/new-model", "from-old").unwrap(), c1);
    assert_eq!(client().delete(&b).bearer_auth(DEMO_TOKEN).send().unwrap().status(), 200);
    assert!(emu.resolve("model", "tester/new-model", "dev/one").is_none());
    let main_branch = format!("{hub}/api/models/tester/new-model/branch/main");
    assert_eq!(client().delete(&main_branch).bearer_auth(DEMO_TOKEN).send().unwrap().status(), 403);
    let t = format!("{hub}/api/models/tester/new-model/tag/{c1}");
    assert_eq!(post_json(&t, Some(DEMO_TOKEN), &json!({"tag": "v1", "message": "m"})).status(), 200);
    assert_eq!(post_json(&t, Some(DEMO_TOKEN), &json!({"tag": "v1"})).status(), 409);
    assert_eq!(emu.resolve("model", "tester/new-model", "v1").unwrap(), c1);
    let del = format!("{hub}/api/models/tester/new-model/tag/v1");
    assert_eq!(client().delete(&del).bearer_auth(DEMO_TOKEN).send().unwrap().status(), 200);

    // write access: a non-member gets 403 on a public repo
    emu.add_user("hf_other", "other", &[]);
    let r = client()
        .post(format!("{hub}/api/models/test-org/test-model/commit/main"))
        .bearer_auth("hf_other")
        .body(ndjson(&[json!({"key": "header", "value": {"summary": "x", "description": ""}})]))
        .send()
        .unwrap();
    assert_eq!(r.status(), 403);

    // delete repo
    let r = client()
        .delete(format!("{hub}/api/repos/delete"))
        .bearer_auth(DEMO_TOKEN)
        .js(&json!({"name": "new-model", "organization": "tester"}))
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(emu.resolve("model", "tester/new-model", "main").is_none());
    let r = client()
        .delete(format!("{hub}/api/repos/delete"))
        .bearer_auth(DEMO_TOKEN)
        .js(&json!({"name": "new-model", "organization": "tester"}))
        .send()
        .unwrap();
    assert_eq!((r.status().as_u16(), h(r.headers(), "x-error-code")), (404, "RepoNotFound"));
}

#[test]
fn bad_upload_fails_verify() {
    let (emu, _) = demo();
    let oid = sha256_hex(b"expected");
    let r = client()
        .put(format!("{}/upload/{oid}?X-Amz-Signature=fakesig", emu.cdn_url()))
        .body("something else")
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = post_json(
        &format!("{}/test-org/test-model.git/info/lfs/objects/verify", emu.hub_url()),
        Some(DEMO_TOKEN),
        &json!({"oid": oid, "size": 8}),
    );
    assert_eq!(r.status(), 422);
}

#[test]
fn control_drop_lfs_object() {
    let (emu, _) = demo();
    let data = b"an object to upload twice";
    let oid = sha256_hex(data);
    let put = client().put(format!("{}/upload/{oid}?X-Amz-Signature=fakesig", emu.cdn_url())).body(&data[..]);
    assert_eq!(put.send().unwrap().status(), 200);
    let batch = json!({"operation": "upload", "transfers": ["basic"], "objects": [{"oid": oid, "size": data.len()}]});
    let batch_url = format!("{}/test-org/test-model.git/info/lfs/objects/batch", emu.hub_url());
    let v: Value = serde_json::from_str(&post_json(&batch_url, Some(DEMO_TOKEN), &batch).text().unwrap()).unwrap();
    assert!(v["objects"][0].get("actions").is_none(), "stored: nothing to send");
    let drop_url = format!("{}/_emulator/lfs/{oid}", emu.hub_url());
    let v: Value = serde_json::from_str(&client().delete(&drop_url).send().unwrap().text().unwrap()).unwrap();
    assert_eq!(v["existed"], true);
    let v: Value = serde_json::from_str(&post_json(&batch_url, Some(DEMO_TOKEN), &batch).text().unwrap()).unwrap();
    assert!(v["objects"][0]["actions"]["upload"]["href"].is_string(), "dropped: to be sent again");
    let v: Value = serde_json::from_str(&client().delete(&drop_url).send().unwrap().text().unwrap()).unwrap();
    assert_eq!(v["existed"], false);
}

#[test]
fn control_api() {
    let emu = Emulator::start();
    let hub = emu.hub_url();
    let c = client();
    let ok = |r: Response| {
        assert_eq!(r.status(), 200);
        r.js::<Value>().unwrap()
    };
    ok(c.post(format!("{hub}/_emulator/users"))
        .js(&json!({"token": "hf_x", "name": "alice", "orgs": ["acme"]}))
        .send()
        .unwrap());
    ok(c.post(format!("{hub}/_emulator/repos"))
        .js(&json!({"type": "model", "id": "acme/m", "access": "private"}))
        .send()
        .unwrap());
    let v = ok(c
        .post(format!("{hub}/_emulator/commit"))
        .js(&json!({"type": "model", "id": "acme/m", "branch": "main", "message": "add",
                      "files": [{"path": "a.txt", "content_b64": "aGVsbG8="}], "deletes": []}))
        .send()
        .unwrap());
    let commit = v["commit"].as_str().unwrap().to_string();
    assert_eq!(emu.resolve("model", "acme/m", "main").unwrap(), commit);
    ok(c.post(format!("{hub}/_emulator/tag"))
        .js(&json!({"type": "model", "id": "acme/m", "tag": "v1", "rev": "main"}))
        .send()
        .unwrap());
    ok(c.post(format!("{hub}/_emulator/branch"))
        .js(&json!({"type": "model", "id": "acme/m", "branch": "b", "from": "v1"}))
        .send()
        .unwrap());
    assert_eq!(emu.resolve("model", "acme/m", "b").unwrap(), commit);
    let v = ok(c
        .post(format!("{hub}/_emulator/pr"))
        .js(&json!({"type": "model", "id": "acme/m", "files": [{"path": "p.txt", "content": "p"}]}))
        .send()
        .unwrap());
    assert_eq!(v["num"], 1);
    assert_eq!(req("HEAD", &format!("{hub}/acme/m/resolve/main/a.txt"), Some("hf_x"), &[]).status(), 200);
    emu.add_user("hf_y", "bob", &[]);
    assert_eq!(req("HEAD", &format!("{hub}/acme/m/resolve/main/a.txt"), Some("hf_y"), &[]).status(), 401);
    ok(c.post(format!("{hub}/_emulator/grant"))
        .js(&json!({"type": "model", "id": "acme/m", "user": "bob"}))
        .send()
        .unwrap());
    assert_eq!(req("HEAD", &format!("{hub}/acme/m/resolve/main/a.txt"), Some("hf_y"), &[]).status(), 200);

    ok(c.post(format!("{hub}/_emulator/faults"))
        .js(&json!({"path_contains": "a.txt", "times": 1, "action": {"status": 500}}))
        .send()
        .unwrap());
    assert_eq!(req("HEAD", &format!("{hub}/acme/m/resolve/main/a.txt"), Some("hf_x"), &[]).status(), 500);
    ok(c.post(format!("{hub}/_emulator/faults")).js(&json!({"action": {"status": 502}})).send().unwrap());
    ok(c.delete(format!("{hub}/_emulator/faults")).send().unwrap());
    assert_eq!(req("HEAD", &format!("{hub}/acme/m/resolve/main/a.txt"), Some("hf_x"), &[]).status(), 200);

    let log = ok(c.get(format!("{hub}/_emulator/requests")).send().unwrap());
    let log = log.as_array().unwrap();
    assert_eq!(log.len(), 5, "control calls are not logged");
    assert_eq!(log[0]["origin"], "hub");
    assert_eq!(log[0]["method"], "HEAD");
    assert_eq!(log[0]["path"], "/acme/m/resolve/main/a.txt");
    assert_eq!(log[0]["headers"][0][0].as_str().unwrap(), log[0]["headers"][0][0].as_str().unwrap().to_lowercase());
    assert_eq!(log[3]["status"], 500);
    ok(c.delete(format!("{hub}/_emulator/requests")).send().unwrap());
    assert!(emu.requests().is_empty());
    let v = ok(c.get(format!("{hub}/_emulator/resolve?type=model&id=acme/m&rev=v1")).send().unwrap());
    assert_eq!(v["commit"], commit);
}

#[test]
fn load_dir_and_drop() {
    let dir = std::env::temp_dir().join(format!("hub-emu-load-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("sub")).unwrap();
    std::fs::write(dir.join("a.json"), b"{}").unwrap();
    std::fs::write(dir.join("sub/w.gguf"), b"GGUF").unwrap();
    let emu = Emulator::start();
    emu.add_user(DEMO_TOKEN, "tester", &[]);
    let c = emu.load_dir("model", "org/loaded", &dir);
    assert_eq!(emu.resolve("model", "org/loaded", "main").unwrap(), c);
    let r = head(&format!("{}/org/loaded/resolve/main/sub/w.gguf", emu.hub_url()));
    assert_eq!(r.status(), 302);
    let url = emu.hub_url();
    drop(emu);
    std::fs::remove_dir_all(&dir).unwrap();
    std::thread::sleep(Duration::from_millis(50));
    assert!(client().get(format!("{url}/api/whoami-v2")).timeout(Duration::from_secs(2)).send().is_err());
}

#[test]
fn emulator_is_send_sync_and_parallel_safe() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Emulator>();
    let (emu, _) = demo();
    let emu = std::sync::Arc::new(emu);
    let hs: Vec<_> = (0..4)
        .map(|i| {
            let emu = emu.clone();
            std::thread::spawn(move || {
                for j in 0..5 {
                    let name = format!("t{i}-{j}.txt");
                    emu.commit("model", "test-org/test-model", &format!("b{i}"), "c", &[(&name, b"x")], &[]);
                    let r = head(&format!("{}/test-org/test-model/resolve/b{i}/{name}", emu.hub_url()));
                    assert_eq!(r.status(), 200);
                }
            })
        })
        .collect();
    for h in hs {
        h.join().unwrap();
    }
}
