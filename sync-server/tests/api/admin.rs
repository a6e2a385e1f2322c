//! The administrator's commands through the real binary: a back-office user is created with
//! the password read from standard input and stored as an argon2 hash; wrong input is refused
//! with a message that says what to fix, and changes nothing.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use argon2::password_hash::{PasswordHash, PasswordVerifier};
use argon2::Argon2;
use sqlx::PgPool;
use uuid::Uuid;

use crate::helpers::fresh_database;

fn admin(database_url: &str, args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_sync-server"))
        .arg("admin")
        .args(args)
        .env("DATABASE_URL", database_url)
        .env("RUST_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the sync-server binary starts");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

#[tokio::test]
async fn a_back_office_user_is_created_from_the_command_line() {
    let url = fresh_database("pos_admin").await;
    let out = admin(&url, &["create-store", "Superette"], "");
    let store = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    let user = |email: &'static str, role: &'static str| -> Vec<String> {
        let mut args: Vec<String> = [
            "create-user",
            "--email",
            email,
            "--role",
            role,
            "--password-stdin",
        ]
        .map(String::from)
        .to_vec();
        if role != "owner" {
            args.extend(["--store".to_owned(), store.clone()]);
        }
        args
    };

    let out = admin(
        &url,
        &user("Samira@Example.dz", "manager")
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
        "tamazight-2026\n",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let id: Uuid = String::from_utf8_lossy(&out.stdout).trim().parse().unwrap();

    let pool = PgPool::connect(&url).await.unwrap();
    let (email, role, hash): (String, String, String) =
        sqlx::query_as("SELECT email, role, password_hash FROM users WHERE id = $1")
            .bind(id)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(
        (email.as_str(), role.as_str()),
        ("samira@example.dz", "manager")
    );
    let parsed = PasswordHash::new(&hash).unwrap();
    assert!(hash.starts_with("$argon2"), "{hash}");
    let argon = Argon2::default();
    assert!(argon.verify_password(b"tamazight-2026", &parsed).is_ok());
    assert!(argon.verify_password(b"tamazight-2025", &parsed).is_err());

    for (args, stdin, says) in [
        (
            user("samira@example.dz", "owner"),
            "another-password\n",
            "already has an account",
        ),
        (
            user("karim@example.dz", "boss"),
            "another-password\n",
            "unknown role",
        ),
        (
            user("karim@example.dz", "accountant"),
            "short\n",
            "at least 10 characters",
        ),
        (
            user("karim", "accountant"),
            "another-password\n",
            "not an email address",
        ),
    ] {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = admin(&url, &args, stdin);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            !out.status.success() && err.contains(says),
            "{args:?}: {err}"
        );
    }
    let users: i64 = sqlx::query_scalar("SELECT count(*) FROM users")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(users, 1, "refused commands created nobody");
    let audited: i64 =
        sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE action = 'create_user'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(audited, 1);
}

#[tokio::test]
async fn the_back_office_changes_a_role_from_the_command_line() {
    let url = fresh_database("pos_admin").await;
    let out = admin(&url, &["create-store", "Superette"], "");
    let store = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    let pool = PgPool::connect(&url).await.unwrap();
    let karim = Uuid::now_v7();
    sqlx::query("INSERT INTO staff (store_id, id, name, role, pin_hash) VALUES ($1::uuid, $2, 'Karim', 'manager', '$argon2id$x')")
        .bind(&store)
        .bind(karim)
        .execute(&pool)
        .await
        .unwrap();
    let set = |name: &'static str, role: &'static str| {
        let mut args = vec![
            "set-role", "--store", &store, "--name", name, "--role", role,
        ];
        if role == "cashier" {
            args.push("--left");
        }
        admin(&url, &args, "")
    };

    let refused = set("Karim", "chef");
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("unknown role \"chef\""));
    let nobody = set("Nadia", "manager");
    assert!(!nobody.status.success());
    assert!(String::from_utf8_lossy(&nobody.stderr).contains("nobody called \"Nadia\""));

    let out = set("KARIM", "cashier");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        format!("Karim ({karim}) is now cashier, has left")
    );
    let (role, active): (String, bool) =
        sqlx::query_as("SELECT role, active FROM staff WHERE id = $1")
            .bind(karim)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!((role.as_str(), active), ("cashier", false));
    // Every till of the store hears of it through the feed.
    let (kind, origin): (String, Uuid) =
        sqlx::query_as("SELECT kind, origin FROM feed WHERE store_id = $1::uuid")
            .bind(&store)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!((kind.as_str(), origin), ("staff", Uuid::nil()));

    // Two members of the same name: the name is refused, the id says which.
    sqlx::query("INSERT INTO staff (store_id, id, name, role, pin_hash) VALUES ($1::uuid, $2, 'karim', 'cashier', '$argon2id$y')")
        .bind(&store)
        .bind(Uuid::now_v7())
        .execute(&pool)
        .await
        .unwrap();
    let twice = set("Karim", "manager");
    assert!(String::from_utf8_lossy(&twice.stderr)
        .contains("several members called \"Karim\": give the one you mean by --id"));
    let id = karim.to_string();
    let by_id = admin(
        &url,
        &[
            "set-role", "--store", &store, "--id", &id, "--role", "manager",
        ],
        "",
    );
    assert!(
        by_id.status.success(),
        "{}",
        String::from_utf8_lossy(&by_id.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&by_id.stdout).trim(),
        format!("Karim ({karim}) is now manager, works here")
    );
}
