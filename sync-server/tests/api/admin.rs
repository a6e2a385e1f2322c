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
    let user = |email: &'static str, role: &'static str| {
        [
            "create-user",
            "--email",
            email,
            "--role",
            role,
            "--password-stdin",
        ]
    };

    let out = admin(
        &url,
        &user("Samira@Example.dz", "manager"),
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
            user("samira@example.dz", "admin"),
            "another-password\n",
            "already has an account",
        ),
        (
            user("karim@example.dz", "boss"),
            "another-password\n",
            "unknown role",
        ),
        (
            user("karim@example.dz", "cashier"),
            "short\n",
            "at least 10 characters",
        ),
        (
            user("karim", "cashier"),
            "another-password\n",
            "not an email address",
        ),
    ] {
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
