//! Auth against the emulator: whoami, login/logout/switch and the token files they write.

mod common;

use std::fs;

use common::Env;
use hf_hub::Error;
use hub_emulator::DEMO_TOKEN;

#[test]
fn whoami_login_switch_logout() {
    let env = Env::new();
    env.emu.add_user("hf_secondtoken0123456789", "second", &["org-a", "org-b"]);
    let client = env.client_with(|c| c.token = None);
    let e = client.whoami(None).unwrap_err();
    assert!(matches!(e, Error::NoToken(_)), "{e:?}");

    let name = client.login(&format!("  {DEMO_TOKEN}\n"), None).unwrap();
    assert_eq!(name, "token-tester");
    let token_file = env.home.path().join("token");
    assert_eq!(fs::read_to_string(&token_file).unwrap(), DEMO_TOKEN, "no newline, cleaned");
    let stored = fs::read_to_string(env.home.path().join("stored_tokens")).unwrap();
    assert_eq!(stored, format!("[token-tester]\nhf_token = {DEMO_TOKEN}\n\n"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &std::path::Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&token_file), 0o600);
        assert_eq!(mode(&env.home.path().join("stored_tokens")), 0o600);
        assert_eq!(mode(env.home.path()), 0o700);
    }
    let who = client.whoami(None).unwrap();
    assert_eq!(who.name, "tester");
    assert_eq!(who.orgs, vec!["test-org".to_string()]);
    assert_eq!(who.token_name.as_deref(), Some("token-tester"));
    assert_eq!(client.token().as_deref(), Some(DEMO_TOKEN), "the file token is picked up at once");
    let whoami_req = env.requests().into_iter().find(|r| r.path == "/api/whoami-v2").unwrap();
    assert_eq!(whoami_req.header("authorization"), Some(format!("Bearer {DEMO_TOKEN}").as_str()));

    assert_eq!(client.login("hf_secondtoken0123456789", None).unwrap(), "token-second");
    assert_eq!(client.stored_token_names().unwrap(), vec!["token-second", "token-tester"]);
    assert_eq!(client.active_token_name().as_deref(), Some("token-second"));
    assert_eq!(client.whoami(None).unwrap().orgs, vec!["org-a", "org-b"]);

    client.switch_token("token-tester").unwrap();
    assert_eq!(client.whoami(None).unwrap().name, "tester");
    assert!(matches!(client.switch_token("nope"), Err(Error::InvalidArgument(_))));

    client.logout(Some("token-tester")).unwrap();
    assert!(!token_file.exists(), "the active token was the one removed");
    assert_eq!(client.stored_token_names().unwrap(), vec!["token-second"]);
    client.logout(None).unwrap();
    assert!(client.stored_token_names().unwrap().is_empty());
    assert!(!env.home.path().join("stored_tokens").exists());
}

#[test]
fn login_refuses_bad_tokens_without_writing_or_leaking() {
    let env = Env::new();
    let client = env.client_with(|c| c.token = None);
    let e = client.login("hf_notarealtoken", None).unwrap_err();
    assert!(matches!(e, Error::Unauthorized(_)), "{e:?}");
    assert!(!e.to_string().contains("hf_notarealtoken"));
    assert!(!env.home.path().join("token").exists());
    assert!(matches!(client.login("api_org_abc", None), Err(Error::InvalidArgument(_))));
    assert!(matches!(client.login(" \n", None), Err(Error::InvalidArgument(_))));
    assert!(env.requests().iter().all(|r| r.path == "/api/whoami-v2"));
}

#[test]
fn explicit_token_wins_over_env_and_file() {
    let env = Env::new();
    fs::write(env.home.path().join("token"), "hf_fromfile").unwrap();
    let c = env.client_with(|c| {
        c.token = None;
        c.env_token = Some("hf_fromenv".into());
    });
    assert_eq!(c.token().as_deref(), Some("hf_fromenv"));
    let c = env.client_with(|c| c.env_token = Some("hf_fromenv".into()));
    assert_eq!(c.token().as_deref(), Some(DEMO_TOKEN));
    let c = env.client_with(|c| c.token = None);
    assert_eq!(c.token().as_deref(), Some("hf_fromfile"));
}
