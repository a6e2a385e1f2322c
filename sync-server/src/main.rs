//! `sync-server serve` and the administrator's commands.

use clap::{Parser, Subcommand};
use sqlx::postgres::PgPoolOptions;
use sync_server::{admin, staff, Application, Settings};
use uuid::Uuid;

#[derive(Parser)]
#[command(name = "sync-server", version, about = "The POS sync server")]
struct Cli {
    #[command(subcommand)]
    verb: Verb,
}

#[derive(Subcommand)]
enum Verb {
    /// Serve the sync API (DATABASE_URL, POS_LISTEN).
    Serve,
    #[command(subcommand)]
    Admin(AdminVerb),
}

#[derive(Subcommand)]
enum AdminVerb {
    /// Create a store; prints its id.
    CreateStore {
        name: String,
        /// Its time zone, which sets its business day.
        #[arg(long, default_value = "Africa/Algiers")]
        time_zone: String,
    },
    /// Make a one-time code that enrols one terminal into a store (valid 24 h).
    EnrollmentCode {
        #[arg(long)]
        store: Uuid,
    },
    /// Create a back-office user; the password is read from standard input.
    CreateUser {
        #[arg(long)]
        email: String,
        /// owner (every store), manager or accountant (read-only) of the stores given.
        #[arg(long)]
        role: String,
        /// A store the manager or accountant sees (repeat for several).
        #[arg(long = "store")]
        stores: Vec<Uuid>,
        /// Read the password from standard input (it never appears in the shell's history).
        #[arg(long, required = true)]
        password_stdin: bool,
    },
    /// Revoke a device: its token stops working at once.
    RevokeDevice { id: Uuid },
    /// Change the role of a member of a store's staff (or let them go with --left); every till
    /// of the store learns it, and their changes are checked against it from now on.
    SetRole {
        #[arg(long)]
        store: Uuid,
        /// The member's name as the tills show it (any case).
        #[arg(long, required_unless_present = "id", conflicts_with = "id")]
        name: Option<String>,
        /// The member's id, when several have the same name.
        #[arg(long)]
        id: Option<Uuid>,
        /// cashier, manager or admin.
        #[arg(long)]
        role: String,
        /// The member no longer works at the store: they cannot log in at its tills.
        #[arg(long)]
        left: bool,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // Logs go to stderr so that what an admin command prints (an id, a code) is all of stdout.
    tracing_subscriber::fmt()
        .json()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let cli = Cli::parse();
    let settings = Settings::from_env()?;
    match cli.verb {
        Verb::Serve => {
            let app = Application::build(settings).await?;
            tracing::info!(port = app.port(), "serving");
            app.run_until_stopped().await?;
        }
        Verb::Admin(verb) => {
            let pool = PgPoolOptions::new().connect(&settings.database_url).await?;
            sync_server::MIGRATOR.run(&pool).await?;
            match verb {
                AdminVerb::CreateStore { name, time_zone } => {
                    let id = admin::create_store(&pool, &name).await?;
                    admin::set_time_zone(&pool, id, &time_zone).await?;
                    println!("{id}")
                }
                AdminVerb::EnrollmentCode { store } => {
                    println!("{}", admin::enrollment_code(&pool, store).await?)
                }
                AdminVerb::CreateUser {
                    email,
                    role,
                    stores,
                    ..
                } => {
                    let mut password = String::new();
                    std::io::stdin().read_line(&mut password)?;
                    println!(
                        "{}",
                        admin::create_user(&pool, &email, &role, &password, &stores).await?
                    )
                }
                AdminVerb::RevokeDevice { id } => {
                    admin::revoke_device(&pool, id).await?;
                    println!("revoked {id}");
                }
                AdminVerb::SetRole {
                    store,
                    name,
                    id,
                    role,
                    left,
                } => {
                    let role = pos_shared::Role::parse(&role).map_err(|_| {
                        anyhow::anyhow!("unknown role {role:?}: use cashier, manager or admin")
                    })?;
                    let now = sync_server::now_ms();
                    let m = match (id, name) {
                        (Some(id), _) => {
                            staff::set_role_of(&pool, store, id, role, !left, now).await?
                        }
                        (None, name) => {
                            let name = name.unwrap_or_default();
                            staff::set_role(&pool, store, &name, role, !left, now).await?
                        }
                    };
                    let state = if m.active { "works here" } else { "has left" };
                    println!("{} ({}) is now {}, {state}", m.name, m.id, m.role.as_str());
                }
            }
        }
    }
    Ok(())
}
