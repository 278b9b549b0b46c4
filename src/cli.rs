//! The command line: `serve` (the default), `migrate`, `seed`, `generate`, `schema`. Every command that
//! touches a database takes `--database-url` (env `DATABASE_URL`). Errors end the process
//! with one line on stderr and a non-zero exit code.

use std::net::SocketAddr;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use crate::app::{App, Config};
use crate::db::{DEFAULT_DATABASE_URL, Db};
use crate::graphql::limits::Limits;
use crate::ingest::{generate, seed};
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
    /// Write a synthetic graph (deterministic, labelled SYNTHETIC) for benchmarks and demos.
    Generate(GenerateArgs),
    /// Print the GraphQL schema (SDL), as committed in schema.graphql.
    Schema,
}

#[derive(clap::Args, Debug, Clone)]
struct GenerateArgs {
    #[command(flatten)]
    db: DbArgs,
    /// Operations to generate; districts, organizations, people, links, community actions and
    /// reported figures are sized in proportion (about 11 rows in all per operation).
    #[arg(long)]
    operations: usize,
    /// Seed of the pseudo-random choices: the same seed writes the same graph.
    #[arg(long, default_value_t = 1)]
    seed: u64,
}

#[derive(clap::Args, Debug, Clone)]
struct DbArgs {
    /// Database URL in SeaORM syntax: `sqlite://path?mode=rwc` or `postgres://user@host/db`.
    #[arg(long, env = "DATABASE_URL", hide_env_values = true, default_value = DEFAULT_DATABASE_URL)]
    database_url: String,
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
        Command::Schema => {
            print!("{}", crate::graphql::sdl());
            Ok(())
        }
    }
}

async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let limits = Limits {
        introspection: !args.no_introspection,
        ..Limits::default()
    };
    let app = App::build(Config {
        database_url: args.db.database_url,
        listen: args.listen,
        limits,
    })
    .await?;
    let addr = app.local_addr()?;
    println!("ctgraph is serving http://{addr}/graphql — explore it at http://{addr}/graphiql");
    app.run_until_stopped().await
}
