//! The command line: `serve` (the default), `migrate`, `seed`, `import`, `reclassify`, `generate`, `keys`,
//! `schema`. Every command that
//! touches a database takes `--database-url` (env `DATABASE_URL`). Errors end the process
//! with one line on stderr and a non-zero exit code.

use std::net::SocketAddr;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use crate::app::{App, Config};
use crate::auth::{self, Role};
use crate::db::{DEFAULT_DATABASE_URL, Db, Pool, ReplicaArgs};
use crate::graphql::Reads;
use crate::graphql::limits::Limits;
use crate::ingest::{generate, import, seed};
use crate::telemetry;

/// ctgraph: explore counter-terrorism operations as linked data, over GraphQL.
#[derive(Parser, Debug)]
#[command(name = "ctgraph", version, args_conflicts_with_subcommands = true)]
pub struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// Options of `serve`, the command run when none is given.
    #[command(flatten)]
    serve: ServeArgs,
    /// Log format on stderr.
    #[arg(long, global = true, value_enum, default_value_t = LogFormat::Text)]
    log_format: LogFormat,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Migrate the database, seed it if empty, and serve /graphql and /graphiql (the default).
    Serve(ServeArgs),
    /// Apply pending migrations.
    Migrate(DbArgs),
    /// Load the seed dataset (the March 2025 KP article); running it again changes nothing.
    Seed(DbArgs),
    /// Import files: ctgraph's JSON datasets or ACLED CSV exports, one transaction per file;
    /// importing a file again changes nothing.
    Import(ImportArgs),
    /// Judge every unmapped ACLED record again with the current rules, without the files:
    /// those the rules map now become nodes, the rest stay with their reason brought up to date.
    Reclassify(DbArgs),
    /// Write a synthetic graph (deterministic, labelled SYNTHETIC) for benchmarks and demos.
    Generate(GenerateArgs),
    /// Make, list and revoke the keys that may change the graph.
    Keys(KeysArgs),
    /// Print the GraphQL schema (SDL), as committed in schema.graphql.
    Schema,
}

#[derive(clap::Args, Debug, Clone)]
struct KeysArgs {
    #[command(flatten)]
    db: DbArgs,
    #[command(subcommand)]
    command: KeysCommand,
}

#[derive(Subcommand, Debug, Clone)]
enum KeysCommand {
    /// Make a key and print it, the only time it is shown (the database keeps its hash).
    Create {
        /// Who holds it: named in the change log of every change it makes.
        #[arg(long)]
        name: String,
        /// What it may do.
        #[arg(long, value_enum)]
        role: Role,
    },
    /// List the keys: name, role, made, last used, revoked.
    List,
    /// Revoke a key: its next request is refused, on every instance, without a restart.
    Revoke {
        /// The key's name.
        name: String,
    },
}

#[derive(clap::Args, Debug, Clone)]
struct GenerateArgs {
    #[command(flatten)]
    db: DbArgs,
    /// Operations to generate; districts, organizations, people, links, community actions and
    /// reported figures are sized in proportion (about 10 rows in all per operation).
    #[arg(long)]
    operations: usize,
    /// Seed of the pseudo-random choices: the same seed writes the same graph.
    #[arg(long, default_value_t = 1)]
    seed: u64,
}

#[derive(clap::Args, Debug, Clone)]
struct ImportArgs {
    #[command(flatten)]
    db: DbArgs,
    /// Files to import, each in one transaction.
    #[arg(required = true, value_name = "FILE")]
    files: Vec<std::path::PathBuf>,
    /// Format of the files; by default from each file's extension (`.json`, `.csv`).
    #[arg(long, value_enum)]
    format: Option<ImportFormat>,
    /// Write a file's valid rows even when some are invalid, and list those in a report
    /// (CSV: file, line, column, message, raw row). Without it, one invalid row writes nothing.
    #[arg(long)]
    skip_invalid: bool,
    /// Where `--skip-invalid` writes its report; `<file>.skipped.csv` by default. With
    /// several files each replaces the last one's, so give one file at a time.
    #[arg(long, value_name = "PATH", requires = "skip_invalid")]
    report: Option<std::path::PathBuf>,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum ImportFormat {
    /// ctgraph's own JSON dataset format (that of `data/seed/`).
    Json,
    /// CSV in ACLED's export layout.
    Csv,
}

#[derive(clap::Args, Clone)]
struct DbArgs {
    /// Database URL in SeaORM syntax: `sqlite://path?mode=rwc` or `postgres://user@host/db`.
    #[arg(long, env = "DATABASE_URL", hide_env_values = true, default_value = DEFAULT_DATABASE_URL)]
    database_url: String,
}

/// Written without the database's password.
impl std::fmt::Debug for DbArgs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DbArgs")
            .field("database_url", &crate::db::redact(&self.database_url))
            .finish()
    }
}

#[derive(clap::Args, Debug, Clone)]
struct ServeArgs {
    #[command(flatten)]
    db: DbArgs,
    /// Address to listen on.
    #[arg(long, env = "CTGRAPH_LISTEN", default_value = "127.0.0.1:8000")]
    listen: SocketAddr,
    /// Refuse schema introspection (GraphiQL then cannot show the docs).
    #[arg(long)]
    no_introspection: bool,
    /// An origin browsers may call the API from, as `scheme://host[:port]`; repeat it for
    /// several (comma-separated in the environment variable). Any origin when none is given.
    #[arg(
        long = "cors-origin",
        value_name = "ORIGIN",
        env = "CTGRAPH_CORS_ORIGINS",
        value_delimiter = ','
    )]
    cors_origins: Vec<String>,
    /// Answer each query whose root fields the compiler knows with one SQL statement per
    /// root field (the JSON built by the database), and the others by the resolvers.
    /// Experimental: being proven against the resolvers.
    #[arg(long, env = "CTGRAPH_COMPILED_READS")]
    compiled_reads: bool,
    /// Answer only requests that carry a key (`Authorization: Bearer KEY`, from `ctgraph keys
    /// create`), reads too; without it, reads are open and mutations need an editor's key.
    #[arg(long, env = "CTGRAPH_REQUIRE_KEY")]
    require_key: bool,
    #[command(flatten)]
    limits: Limits,
    #[command(flatten)]
    pool: Pool,
    #[command(flatten)]
    replicas: ReplicaArgs,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

/// Runs the command line and returns the process exit code.
pub async fn main() -> ExitCode {
    let cli = Cli::parse();
    telemetry::init(cli.log_format == LogFormat::Json);
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command.unwrap_or(Command::Serve(cli.serve)) {
        Command::Serve(args) => serve(args).await,
        Command::Migrate(args) => {
            Db::connect(&args.database_url).await?.migrate().await?;
            println!("migrations applied");
            Ok(())
        }
        Command::Seed(args) => {
            let db = Db::connect(&args.database_url).await?;
            db.migrate().await?;
            let report = seed::load(&db).await?;
            println!(
                "seed loaded: {} rows written, {} already up to date",
                report.written, report.unchanged
            );
            Ok(())
        }
        Command::Import(args) => run_import(args).await,
        Command::Reclassify(args) => {
            let db = Db::connect(&args.database_url).await?;
            db.migrate().await?;
            let mut quiet = |_: u64, _: u64| {};
            let summaries = import::reclassify(&db, &mut quiet).await?;
            if summaries.is_empty() {
                println!("no unmapped records to judge again");
            }
            for summary in summaries {
                print!("{summary}");
            }
            Ok(())
        }
        Command::Generate(args) => {
            let options = generate::Options {
                operations: args.operations,
                seed: args.seed,
            };
            options.validate()?;
            let db = Db::connect(&args.db.database_url).await?;
            db.migrate().await?;
            seed::load_if_empty(&db).await?;
            let started = std::time::Instant::now();
            let report = generate::generate(&db, options, |table, done, total| {
                // A line per table, and one about every 100,000 rows of the big ones.
                if done == total || done % 100_000 < 30_000 / 4 {
                    eprintln!("generate: {table} {done}/{total}");
                }
            })
            .await?;
            let rows: usize = report.iter().map(|(_, n)| n).sum();
            println!(
                "generated {rows} rows ({} operations) in {:.1} s",
                args.operations,
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        Command::Keys(args) => keys(args).await,
        Command::Schema => {
            print!("{}", crate::graphql::sdl());
            Ok(())
        }
    }
}

async fn run_import(args: ImportArgs) -> anyhow::Result<()> {
    use std::io::IsTerminal as _;

    if args.report.is_some() && args.files.len() > 1 {
        anyhow::bail!("--report names one report: import one file at a time with it");
    }
    let options = import::Options {
        format: args.format.map(|f| match f {
            ImportFormat::Json => import::Format::Json,
            ImportFormat::Csv => import::Format::Acled,
        }),
        skip_invalid: args.skip_invalid,
        report: args.report,
    };
    let db = Db::connect(&args.db.database_url).await?;
    db.migrate().await?;
    // Like `serve`, so imported places land in the seed's provinces and districts.
    seed::load_if_empty(&db).await?;
    let terminal = std::io::stderr().is_terminal();
    for path in &args.files {
        let name = path.display().to_string();
        let summary = if terminal {
            let bar = indicatif::ProgressBar::new(0);
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "{msg} [{bar:30}] {pos}/{len} rows ({per_sec})",
                )?
                .progress_chars("=> "),
            );
            bar.set_message(name.clone());
            let mut tick = |done: u64, total: u64| {
                bar.set_length(total);
                bar.set_position(done);
            };
            let result = import::import_file(&db, path, &options, &mut tick).await;
            bar.finish_and_clear();
            result
        } else {
            let mut last = None;
            let mut line = |done: u64, total: u64| {
                let percent = (done * 100).checked_div(total).unwrap_or(100);
                if last != Some(percent) {
                    eprintln!("import: {name}: {done}/{total} rows");
                    last = Some(percent);
                }
            };
            import::import_file(&db, path, &options, &mut line).await
        };
        print!("{}", summary?);
    }
    Ok(())
}

async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let limits = Limits {
        introspection: !args.no_introspection,
        ..args.limits
    };
    let app = App::build(Config {
        database_url: args.db.database_url,
        listen: args.listen,
        limits,
        cors_origins: args.cors_origins,
        reads: if args.compiled_reads {
            Reads::Compiled
        } else {
            Reads::Resolved
        },
        require_key: args.require_key,
        pool: args.pool,
        replicas: args.replicas,
    })
    .await?;
    let addr = app.local_addr()?;
    println!(
        "ctgraph is serving http://{addr}/graphql — query it at http://{addr}/graphiql, \
         draw it at http://{addr}/explore"
    );
    app.run_until_stopped().await
}

async fn keys(args: KeysArgs) -> anyhow::Result<()> {
    let db = Db::connect(&args.db.database_url).await?;
    db.migrate().await?;
    match args.command {
        KeysCommand::Create { name, role } => {
            let key = auth::create(db.conn(), &name, role).await?;
            eprintln!(
                "made the {} key `{}`; it is shown once, so keep it now:",
                role.as_str().to_lowercase(),
                name.trim()
            );
            println!("{key}");
        }
        KeysCommand::List => {
            let when = |t: Option<chrono::DateTime<chrono::Utc>>| {
                t.map_or("-".to_owned(), |t| t.format("%Y-%m-%d %H:%M").to_string())
            };
            println!(
                "{:<24} {:<7} {:<17} {:<17} REVOKED",
                "NAME", "ROLE", "CREATED", "LAST USED"
            );
            for k in auth::list(db.conn()).await? {
                println!(
                    "{:<24} {:<7} {:<17} {:<17} {}",
                    k.name,
                    k.role.as_str(),
                    when(Some(k.created_at)),
                    when(k.last_used_at),
                    when(k.revoked_at)
                );
            }
        }
        KeysCommand::Revoke { name } => {
            anyhow::ensure!(
                auth::revoke(db.conn(), &name).await?,
                "no valid key is named `{name}` (`ctgraph keys list` shows them)"
            );
            println!("revoked the key `{name}`");
        }
    }
    Ok(())
}
