//! The emulator's data: users, repos, commits, refs and the LFS object store.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::Arc;

use bytes::Bytes;

use crate::git;
use crate::util::{is_hex, now_secs, object_id};
use crate::Access;

#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub(crate) enum RepoType {
    Model,
    Dataset,
    Space,
}

impl RepoType {
    /// Accepts `model`, `models`, `dataset`, … (case-insensitive).
    pub(crate) fn parse(s: &str) -> Option<Self> {
        match s.to_ascii_lowercase().as_str() {
            "model" | "models" | "" => Some(Self::Model),
            "dataset" | "datasets" => Some(Self::Dataset),
            "space" | "spaces" => Some(Self::Space),
            _ => None,
        }
    }

    pub(crate) fn from_plural(s: &str) -> Option<Self> {
        match s {
            "models" => Some(Self::Model),
            "datasets" => Some(Self::Dataset),
            "spaces" => Some(Self::Space),
            _ => None,
        }
    }

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Model => "model",
            Self::Dataset => "dataset",
            Self::Space => "space",
        }
    }

    /// Web / file URL prefix.
    pub(crate) fn url_prefix(self) -> &'static str {
        match self {
            Self::Model => "",
            Self::Dataset => "datasets/",
            Self::Space => "spaces/",
        }
    }
}

pub(crate) fn parse_repo_type(s: &str) -> RepoType {
    RepoType::parse(s).unwrap_or_else(|| panic!("hub-emulator: unknown repo type {s:?}"))
}

#[derive(Clone)]
pub(crate) struct LfsInfo {
    pub sha256: String,
    pub pointer_size: u64,
}

#[derive(Clone)]
pub(crate) struct FileEntry {
    /// Git blob id (of the pointer file for LFS files).
    pub oid: String,
    pub size: u64,
    pub lfs: Option<LfsInfo>,
    /// The real content.
    pub data: Bytes,
}

impl FileEntry {
    pub(crate) fn new(path: &str, data: Bytes, force_lfs: Option<bool>) -> Self {
        let size = data.len() as u64;
        let lfs = force_lfs.unwrap_or_else(|| git::is_lfs_path(path, size));
        if lfs {
            let sha = git::sha256_hex(&data);
            Self::lfs(sha, data)
        } else {
            FileEntry { oid: git::git_blob_sha1(&data), size, lfs: None, data }
        }
    }

    pub(crate) fn lfs(sha256: String, data: Bytes) -> Self {
        let size = data.len() as u64;
        let pointer = git::lfs_pointer(&sha256, size);
        FileEntry {
            oid: git::git_blob_sha1(pointer.as_bytes()),
            size,
            lfs: Some(LfsInfo { sha256, pointer_size: pointer.len() as u64 }),
            data,
        }
    }

    /// The oid the preupload endpoint reports (sha256 for LFS files).
    pub(crate) fn remote_oid(&self) -> &str {
        self.lfs.as_ref().map_or(self.oid.as_str(), |l| l.sha256.as_str())
    }
}

pub(crate) struct CommitObj {
    pub id: String,
    pub parent: Option<String>,
    pub title: String,
    pub message: String,
    pub author: String,
    pub date: u64,
    pub files: Arc<BTreeMap<String, FileEntry>>,
    /// Tree id of every folder, root = "".
    pub dirs: Arc<BTreeMap<String, String>>,
}

pub(crate) struct Repo {
    pub rtype: RepoType,
    pub id: String,
    pub access: Access,
    pub granted: BTreeSet<String>,
    pub created_at: u64,
    pub object_id: String,
    pub branches: BTreeMap<String, String>,
    pub tags: BTreeMap<String, String>,
    pub prs: BTreeMap<u64, String>,
    pub commits: HashMap<String, CommitObj>,
}

pub(crate) enum Denied {
    NotFound,
    GatedAnonymous,
    GatedNoAccess,
    Disabled,
}

impl Repo {
    pub(crate) fn namespace(&self) -> Option<&str> {
        self.id.split_once('/').map(|(n, _)| n)
    }

    pub(crate) fn is_member(&self, user: Option<&User>) -> bool {
        match (user, self.namespace()) {
            (Some(u), Some(ns)) => u.name == ns || u.orgs.iter().any(|o| o == ns),
            _ => false,
        }
    }

    pub(crate) fn check_read(&self, user: Option<&User>) -> Result<(), Denied> {
        let allowed = self.is_member(user) || user.is_some_and(|u| self.granted.contains(&u.name));
        match self.access {
            Access::Public => Ok(()),
            Access::Disabled => Err(Denied::Disabled),
            Access::Private if allowed => Ok(()),
            Access::Private => Err(Denied::NotFound),
            Access::Gated if allowed => Ok(()),
            Access::Gated if user.is_none() => Err(Denied::GatedAnonymous),
            Access::Gated => Err(Denied::GatedNoAccess),
        }
    }

    pub(crate) fn can_write(&self, user: Option<&User>) -> bool {
        self.access != Access::Disabled && self.is_member(user)
    }

    /// branch, tag, `refs/heads/x`, `refs/tags/x`, `refs/pr/N`, full or unique-prefix (≥ 7) commit id.
    pub(crate) fn resolve(&self, rev: &str) -> Option<String> {
        if let Some(c) = self.branches.get(rev).or_else(|| self.tags.get(rev)) {
            return Some(c.clone());
        }
        if let Some(b) = rev.strip_prefix("refs/heads/") {
            return self.branches.get(b).cloned();
        }
        if let Some(t) = rev.strip_prefix("refs/tags/") {
            return self.tags.get(t).cloned();
        }
        if let Some(n) = rev.strip_prefix("refs/pr/") {
            return n.parse::<u64>().ok().and_then(|n| self.prs.get(&n).cloned());
        }
        if (7..=40).contains(&rev.len()) && is_hex(rev) {
            let rev = rev.to_ascii_lowercase();
            if self.commits.contains_key(&rev) {
                return Some(rev);
            }
            let mut matches = self.commits.keys().filter(|k| k.starts_with(&rev));
            if let (Some(m), None) = (matches.next(), matches.next()) {
                return Some(m.clone());
            }
        }
        None
    }

    /// The newest commit (walking first parents from `from`) that changed `path`.
    pub(crate) fn last_commit_for(&self, from: &str, path: &str, is_dir: bool) -> Option<&CommitObj> {
        let oid_of = |c: &CommitObj| -> Option<String> {
            if is_dir {
                c.dirs.get(path).cloned()
            } else {
                c.files.get(path).map(|f| f.oid.clone())
            }
        };
        let mut cur = self.commits.get(from)?;
        let mine = oid_of(cur);
        loop {
            let Some(parent) = cur.parent.as_ref().and_then(|p| self.commits.get(p)) else {
                return Some(cur);
            };
            if oid_of(parent) != mine {
                return Some(cur);
            }
            cur = parent;
        }
    }

    pub(crate) fn first_parent_chain(&self, from: &str) -> Vec<&CommitObj> {
        let mut out = Vec::new();
        let mut cur = self.commits.get(from);
        while let Some(c) = cur {
            out.push(c);
            cur = c.parent.as_ref().and_then(|p| self.commits.get(p));
        }
        out
    }
}

#[derive(Clone, Debug)]
pub(crate) struct User {
    pub name: String,
    pub orgs: Vec<String>,
}

/// A Hub-style error: status, optional `X-Error-Code`, message.
#[derive(Debug)]
pub(crate) struct HubError {
    pub status: u16,
    pub code: Option<&'static str>,
    pub message: String,
    pub repo_commit: Option<String>,
}

impl HubError {
    pub(crate) fn new(status: u16, code: Option<&'static str>, message: impl Into<String>) -> Self {
        HubError { status, code, message: message.into(), repo_commit: None }
    }

    pub(crate) fn bad_request(message: impl Into<String>) -> Self {
        Self::new(400, None, message)
    }

    pub(crate) fn revision_not_found(rev: &str) -> Self {
        Self::new(404, Some("RevisionNotFound"), format!("Invalid rev id: {rev}"))
    }

    pub(crate) fn entry_not_found(commit: Option<String>) -> Self {
        HubError { repo_commit: commit, ..Self::new(404, Some("EntryNotFound"), "Entry not found") }
    }

    pub(crate) fn repo_not_found() -> Self {
        Self::new(401, Some("RepoNotFound"), "Repository not found")
    }
}

impl std::fmt::Display for HubError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {:?}: {}", self.status, self.code, self.message)
    }
}

/// One change in a commit.
pub(crate) enum Op {
    /// Add or replace a file; `lfs: None` = decide with the Hub's LFS rules.
    Add {
        path: String,
        data: Bytes,
        lfs: Option<bool>,
    },
    /// Add an LFS file by the sha256 of an already uploaded object.
    AddLfs {
        path: String,
        sha256: String,
    },
    DeleteFile(String),
    DeleteFolder(String),
}

/// Where a commit goes.
pub(crate) enum Target {
    /// A branch; created from `main`'s head (or the empty history) when missing and `create` is set.
    Branch { name: String, create: bool },
    /// An existing PR ref.
    Pr(u64),
    /// A new PR on top of this commit.
    NewPr(Option<String>),
}

pub(crate) struct CommitOutcome {
    pub commit: String,
    pub pr: Option<u64>,
}

pub(crate) enum Lookup {
    Found,
    Moved(String),
    Missing,
}

#[derive(Default)]
pub(crate) struct State {
    pub users: HashMap<String, User>,
    pub repos: HashMap<(RepoType, String), Repo>,
    pub moved: HashMap<(RepoType, String), String>,
    /// LFS objects by sha256 (what the CDN serves).
    pub lfs: HashMap<String, Bytes>,
    /// Uploads whose bytes did not match their oid.
    pub bad_uploads: HashSet<String>,
    /// Multipart uploads in progress: sha256 → part number → bytes.
    pub parts: HashMap<String, BTreeMap<u64, Bytes>>,
    clock: u64,
    /// While set, every commit is dated this (the demo fixture: the same commit ids in every
    /// emulator, whatever second it starts in).
    pub(crate) frozen_clock: Option<u64>,
}

pub(crate) const GITATTRIBUTES: &str = include_str!("gitattributes.txt");

impl State {
    fn tick(&mut self) -> u64 {
        if let Some(t) = self.frozen_clock {
            return t;
        }
        self.clock = now_secs().max(self.clock);
        self.clock
    }

    pub(crate) fn user_by_token(&self, token: &str) -> Option<&User> {
        self.users.get(token)
    }

    pub(crate) fn lookup(&self, rt: RepoType, id: &str) -> Lookup {
        if self.repos.contains_key(&(rt, id.to_string())) {
            return Lookup::Found;
        }
        let mut cur = id.to_string();
        for _ in 0..16 {
            match self.moved.get(&(rt, cur.clone())) {
                Some(next) => {
                    if self.repos.contains_key(&(rt, next.clone())) {
                        return Lookup::Moved(next.clone());
                    }
                    cur = next.clone();
                }
                None => break,
            }
        }
        Lookup::Missing
    }

    pub(crate) fn repo(&self, rt: RepoType, id: &str) -> Option<&Repo> {
        self.repos.get(&(rt, id.to_string()))
    }

    pub(crate) fn repo_mut(&mut self, rt: RepoType, id: &str) -> Option<&mut Repo> {
        self.repos.get_mut(&(rt, id.to_string()))
    }

    /// Creates a repo whose `main` holds one initial commit (empty, or with the Hub's
    /// `.gitattributes` when `gitattributes` is set). Returns false when it already exists.
    pub(crate) fn create_repo(&mut self, rt: RepoType, id: &str, access: Access, gitattributes: bool) -> bool {
        if self.repos.contains_key(&(rt, id.to_string())) {
            return false;
        }
        self.moved.remove(&(rt, id.to_string()));
        let now = self.tick();
        let mut repo = Repo {
            rtype: rt,
            id: id.to_string(),
            access,
            granted: BTreeSet::new(),
            created_at: now,
            object_id: object_id(&format!("{}/{id}/{now}", rt.as_str())),
            branches: BTreeMap::new(),
            tags: BTreeMap::new(),
            prs: BTreeMap::new(),
            commits: HashMap::new(),
        };
        let mut files = BTreeMap::new();
        if gitattributes {
            let data = Bytes::from_static(GITATTRIBUTES.as_bytes());
            files.insert(".gitattributes".to_string(), FileEntry::new(".gitattributes", data, Some(false)));
        }
        let author = id.split_once('/').map_or("system", |(ns, _)| ns).to_string();
        let c = make_commit(&mut repo, None, files, "initial commit", "", &author, now);
        repo.branches.insert("main".to_string(), c);
        self.repos.insert((rt, id.to_string()), repo);
        true
    }

    pub(crate) fn rename_repo(&mut self, rt: RepoType, from: &str, to: &str) -> Result<(), HubError> {
        if self.repos.contains_key(&(rt, to.to_string())) {
            return Err(HubError::new(409, None, format!("Repository {to} already exists")));
        }
        let mut repo = self.repos.remove(&(rt, from.to_string())).ok_or_else(HubError::repo_not_found)?;
        repo.id = to.to_string();
        self.repos.insert((rt, to.to_string()), repo);
        self.moved.remove(&(rt, to.to_string()));
        self.moved.insert((rt, from.to_string()), to.to_string());
        Ok(())
    }

    /// Applies `ops` and records a commit. `parent_check` = expected head (hex prefix), for
    /// optimistic concurrency (412 on mismatch).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn commit(
        &mut self,
        rt: RepoType,
        id: &str,
        target: Target,
        parent_check: Option<&str>,
        ops: Vec<Op>,
        title: &str,
        description: &str,
        author: &str,
    ) -> Result<CommitOutcome, HubError> {
        let now = self.tick();
        let lfs_store = &mut self.lfs;
        let repo = self.repos.get_mut(&(rt, id.to_string())).ok_or_else(HubError::repo_not_found)?;
        let base: Option<String> = match &target {
            Target::Branch { name, create } => match repo.branches.get(name) {
                Some(c) => Some(c.clone()),
                None if *create => repo.branches.get("main").cloned(),
                None => return Err(HubError::revision_not_found(name)),
            },
            Target::Pr(n) => {
                Some(repo.prs.get(n).cloned().ok_or_else(|| HubError::revision_not_found(&format!("refs/pr/{n}")))?)
            }
            Target::NewPr(Some(base)) => Some(base.clone()),
            Target::NewPr(None) => repo.branches.get("main").cloned(),
        };
        if let (Some(expected), false) = (parent_check, matches!(target, Target::NewPr(_))) {
            let expected = expected.to_ascii_lowercase();
            let ok = base.as_deref().is_some_and(|b| b.starts_with(&expected));
            if !ok {
                return Err(HubError::new(412, None, "A commit has happened since. Please refresh and try again."));
            }
        }
        let mut files: BTreeMap<String, FileEntry> =
            base.as_ref().and_then(|b| repo.commits.get(b)).map(|c| (*c.files).clone()).unwrap_or_default();
        for op in ops {
            match op {
                Op::Add { path, data, lfs } => {
                    let path = normalize_path(&path)?;
                    let entry = FileEntry::new(&path, data, lfs);
                    if let Some(l) = &entry.lfs {
                        lfs_store.entry(l.sha256.clone()).or_insert_with(|| entry.data.clone());
                    }
                    files.insert(path, entry);
                }
                Op::AddLfs { path, sha256 } => {
                    let path = normalize_path(&path)?;
                    let data = lfs_store.get(&sha256).cloned().ok_or_else(|| {
                        HubError::new(
                            422,
                            None,
                            format!(
                                "Your push was rejected because an LFS pointer pointed to a file that does not exist. For instance, this can happen if you used git push --no-verify to push your changes. Offending file: - {path}"
                            ),
                        )
                    })?;
                    files.insert(path, FileEntry::lfs(sha256, data));
                }
                Op::DeleteFile(path) => {
                    let path = path.trim_start_matches('/').to_string();
                    if files.remove(&path).is_none() {
                        return Err(HubError::new(
                            404,
                            Some("EntryNotFound"),
                            format!("A file with this name doesn't exist: {path}"),
                        ));
                    }
                }
                Op::DeleteFolder(path) => {
                    let mut prefix = path.trim_start_matches('/').to_string();
                    if !prefix.ends_with('/') {
                        prefix.push('/');
                    }
                    let before = files.len();
                    files.retain(|p, _| !p.starts_with(&prefix));
                    if files.len() == before {
                        return Err(HubError::new(
                            404,
                            Some("EntryNotFound"),
                            format!("A file with this name doesn't exist: {prefix}"),
                        ));
                    }
                }
            }
        }
        let commit = make_commit(repo, base.clone(), files, title, description, author, now);
        let mut pr = None;
        match target {
            Target::Branch { name, .. } => {
                repo.branches.insert(name, commit.clone());
            }
            Target::Pr(n) => {
                repo.prs.insert(n, commit.clone());
            }
            Target::NewPr(_) => {
                let n = repo.prs.keys().next_back().copied().unwrap_or(0) + 1;
                repo.prs.insert(n, commit.clone());
                pr = Some(n);
            }
        }
        Ok(CommitOutcome { commit, pr })
    }
}

fn normalize_path(path: &str) -> Result<String, HubError> {
    let p = path.strip_prefix('/').unwrap_or(path);
    let p = p.strip_prefix("./").unwrap_or(p);
    let bad =
        p.is_empty() || p.ends_with('/') || p.split('/').any(|s| s.is_empty() || s == "." || s == ".." || s == ".git");
    if bad {
        return Err(HubError::bad_request(format!("Invalid path in repo: {path:?}")));
    }
    Ok(p.to_string())
}

fn make_commit(
    repo: &mut Repo,
    parent: Option<String>,
    files: BTreeMap<String, FileEntry>,
    title: &str,
    description: &str,
    author: &str,
    date: u64,
) -> String {
    let (tree, dirs) = git::build_trees(files.iter().map(|(p, f)| (p.as_str(), f.oid.as_str())));
    let message = if description.is_empty() { title.to_string() } else { format!("{title}\n\n{description}") };
    let id = git::commit_id(&tree, parent.as_deref(), author, date, &message);
    repo.commits.insert(
        id.clone(),
        CommitObj {
            id: id.clone(),
            parent,
            title: title.to_string(),
            message,
            author: author.to_string(),
            date,
            files: Arc::new(files),
            dirs: Arc::new(dirs),
        },
    );
    id
}
