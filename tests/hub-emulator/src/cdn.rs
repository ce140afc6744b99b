//! The "CDN" origin: LFS blobs by sha256 (presigned-style URLs) and LFS upload PUTs.

use axum::http::Method;

use crate::git::sha256_hex;
use crate::server::{Ctx, Resp, Shared};
use crate::util::{form_decode, query_get};

fn s3_error(status: u16, code: &str, msg: &str) -> Resp {
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>{msg}</Message></Error>"
    );
    Resp::new(status).header("content-type", "application/xml").body(bytes::Bytes::from(body))
}

pub(crate) fn route(sh: &Shared, ctx: &Ctx) -> Resp {
    let segs: Vec<&str> = ctx.raw_path.split('/').skip(1).collect();
    let q = ctx.query_pairs();
    if query_get(&q, "X-Amz-Signature").is_none() {
        return s3_error(403, "AccessDenied", "Access Denied");
    }
    if ctx.header("authorization").is_some() {
        // Like S3 with a presigned URL: a second auth mechanism is refused.
        return s3_error(
            400,
            "InvalidArgument",
            "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified",
        );
    }
    match (&ctx.method, segs.as_slice()) {
        (m, ["repos", .., oid]) if (*m == Method::GET || *m == Method::HEAD) && segs.len() >= 3 => {
            let data = sh.state().lfs.get(*oid).cloned();
            let Some(data) = data else {
                return s3_error(404, "NoSuchKey", "The specified key does not exist.");
            };
            let disposition = query_get(&q, "response-content-disposition")
                .map(form_decode)
                .unwrap_or_else(|| "attachment".to_string());
            let headers = vec![
                ("content-type".to_string(), "application/octet-stream".to_string()),
                ("etag".to_string(), format!("\"{oid}\"")),
                ("content-disposition".to_string(), disposition),
            ];
            crate::hub::serve_bytes(ctx, &data, headers)
        }
        (&Method::PUT, ["upload", oid, "part", n]) => {
            let Ok(n) = n.parse::<u64>() else {
                return s3_error(400, "InvalidArgument", "Part number must be an integer");
            };
            let etag = format!("\"{}\"", &sha256_hex(&ctx.body)[..32]);
            sh.state().parts.entry(oid.to_ascii_lowercase()).or_default().insert(n, ctx.body.clone());
            Resp::new(200).header("etag", etag)
        }
        (&Method::PUT, ["upload", oid]) => {
            let oid = oid.to_ascii_lowercase();
            let actual = sha256_hex(&ctx.body);
            let mut st = sh.state();
            if actual == oid {
                st.lfs.entry(oid.clone()).or_insert_with(|| ctx.body.clone());
                st.bad_uploads.remove(&oid);
            } else {
                st.bad_uploads.insert(oid.clone());
            }
            Resp::new(200).header("etag", format!("\"{}\"", &actual[..32]))
        }
        _ => s3_error(404, "NoSuchKey", "The specified key does not exist."),
    }
}
