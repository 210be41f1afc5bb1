//! `faultdesk`: the operator's command-line tool for a faultdesk database.
//!
//! It works against any URL a [`Desk`] opens (`--url`, or `FAULTDESK_URL`; `sqlite://faultdesk.db`
//! in the current directory by default) and acts as a configurable actor (`--tenant`, `--user`,
//! `--role`). Every command prints a table, or JSON with `--json`, or CSV with `--csv`. The exit
//! codes are in [`exit`] and in `faultdesk --help`.

use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand};
use faultdesk::{Actor, Desk, DeskConfig};
use std::path::PathBuf;
use std::process::ExitCode;

// The binary's modules live in `src/bin/faultdesk/` (a binary's root file takes its modules from
// `src/bin/` unless told otherwise).
#[path = "faultdesk/exit.rs"]
mod exit;
#[path = "faultdesk/ingest.rs"]
mod ingest;
#[path = "faultdesk/output.rs"]
mod output;
#[path = "faultdesk/rules.rs"]
mod rules;
#[path = "faultdesk/sla.rs"]
mod sla;
#[path = "faultdesk/time_arg.rs"]
mod time_arg;
#[path = "faultdesk/views.rs"]
mod views;

use exit::CliError;
use output::Format;

/// The database used when neither `--url` nor `FAULTDESK_URL` is given.
const DEFAULT_URL: &str = "sqlite://faultdesk.db";

const ABOUT: &str = "Operate a faultdesk database: schema, rules, alarm ingest, alarms, tickets, SLA and statistics.";

const LONG_ABOUT: &str = "\
Operate a faultdesk database: schema, rules, alarm ingest, alarms, tickets, SLA and statistics.

The database is any URL a faultdesk Desk opens: sqlite://PATH (created if missing),
sqlite::memory: or postgres://USER:PASSWORD@HOST/DB. It defaults to sqlite://faultdesk.db, a
SQLite file in the current directory. Every command that opens the database also brings its
schema up to date (as `faultdesk migrate` does).

The CLI acts as one actor: --tenant (default `default`), --user (default `cli`) and --role
(default `ADMIN`, repeatable or comma-separated), also settable as FAULTDESK_TENANT,
FAULTDESK_USER and FAULTDESK_ROLES. Roles are those of the Desk's RBAC configuration (seed
003's ADMIN, TEAM_LEAD, DEVOPS_ENGINEER, END_USER and DotMac's NOC_OPERATOR, NOC_VIEWER, ... by
default); a command the actor may not run fails with exit code 1.

--config FILE (or FAULTDESK_CONFIG) reads a Desk configuration in the JSON form the bindings use
(workflow, rbac, rules, mapping, auto_tickets, triggers, flapping, number_format, sla_policy, ...).

Output is a table by default; --json prints JSON and --csv prints CSV (the shapes are described
in each command's --help).";

const EXIT_CODES: &str = "\
Exit codes:
  0  success
  1  refused: permission denied, conflict, transition not allowed
  2  usage error: bad arguments or options, an input file that cannot be read
  3  validation error: invalid content (rule, workflow, configuration or event file; a filter
     value the database rejects, e.g. an unknown ticket status); nothing was written
  4  not found (e.g. `tickets show` of an unknown number)
  5  storage error: the database cannot be opened, migrated, read or written";

/// The `faultdesk` command line.
#[derive(Debug, Parser)]
#[command(
    name = "faultdesk",
    version,
    about = ABOUT,
    long_about = LONG_ABOUT,
    after_help = EXIT_CODES,
    propagate_version = true
)]
struct Cli {
    #[command(flatten)]
    global: Global,
    #[command(subcommand)]
    command: Command,
}

/// Options every command takes.
#[derive(Debug, Args)]
struct Global {
    /// Database URL: sqlite://PATH, sqlite::memory: or postgres://USER:PASSWORD@HOST/DB.
    #[arg(long, env = "FAULTDESK_URL", default_value = DEFAULT_URL, global = true)]
    url: String,

    /// Desk configuration file (JSON: workflow, rbac, rules, mapping, auto_tickets, ...).
    #[arg(long, env = "FAULTDESK_CONFIG", value_name = "FILE", global = true)]
    config: Option<PathBuf>,

    /// Tenant the CLI acts in.
    #[arg(
        long,
        env = "FAULTDESK_TENANT",
        default_value = "default",
        global = true
    )]
    tenant: String,

    /// User id recorded in audit events.
    #[arg(long, env = "FAULTDESK_USER", default_value = "cli", global = true)]
    user: String,

    /// Role of the acting user (repeatable or comma-separated).
    #[arg(
        long = "role",
        env = "FAULTDESK_ROLES",
        value_name = "ROLE",
        value_delimiter = ',',
        default_value = "ADMIN",
        global = true
    )]
    roles: Vec<String>,

    /// Print JSON instead of a table.
    #[arg(long, global = true, conflicts_with = "csv")]
    json: bool,

    /// Print CSV instead of a table.
    #[arg(long, global = true)]
    csv: bool,
}

impl Global {
    fn format(&self) -> Format {
        if self.json {
            Format::Json
        } else if self.csv {
            Format::Csv
        } else {
            Format::Table
        }
    }

    fn actor(&self) -> Actor {
        Actor::new(self.tenant.clone(), self.user.clone()).with_roles(
            self.roles
                .iter()
                .map(|r| r.trim().to_string())
                .filter(|r| !r.is_empty()),
        )
    }

    fn desk_config(&self) -> Result<DeskConfig, CliError> {
        match &self.config {
            None => Ok(DeskConfig::default()),
            Some(path) => {
                let text = exit::read_input(path)?;
                DeskConfig::from_json(&text).map_err(|e| CliError::from_desk_in(path, e))
            }
        }
    }

    async fn open(&self) -> Result<Desk, CliError> {
        let config = self.desk_config()?;
        Desk::open(&self.url, config).await.map_err(|e| {
            CliError::storage(format!(
                "cannot open the database at {}: {}",
                output::redact_url(&self.url),
                e.message()
            ))
        })
    }
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Create the database schema, or bring it up to date.
    #[command(long_about = "\
Create the database schema, or bring it up to date. Safe to run again: applied migrations are
skipped. Prints the database (password hidden) and its backend.

--json: {\"url\": ..., \"backend\": \"sqlite\"|\"postgres\", \"migrated\": true}
--csv:  url,backend,migrated")]
    Migrate,

    /// Validate and import correlation, suppression and escalation rules (seed 002's JSON).
    #[command(subcommand)]
    Rules(rules::RulesCommand),

    /// Validate workflow definitions.
    #[command(subcommand)]
    Workflow(rules::WorkflowCommand),

    /// Ingest alarm events from a JSON Lines file (one event per line).
    Ingest(ingest::IngestArgs),

    /// List alarms.
    #[command(subcommand)]
    Alarms(views::AlarmsCommand),

    /// List and show tickets.
    #[command(subcommand)]
    Tickets(views::TicketsCommand),

    /// Availability SLA reports.
    #[command(subcommand)]
    Sla(sla::SlaCommand),

    /// Alarm and ticket statistics.
    Stats(views::StatsArgs),
}

async fn run(cli: Cli) -> Result<(), CliError> {
    let g = &cli.global;
    let format = g.format();
    let report = match &cli.command {
        Command::Migrate => {
            let desk = g.open().await?;
            desk.migrate().await.map_err(CliError::from_desk)?;
            let backend = format!("{:?}", desk.store().backend()).to_lowercase();
            let url = output::redact_url(&g.url);
            let r = output::Report::record(
                serde_json::json!({"url": url, "backend": backend, "migrated": true}),
                vec![
                    ("url", url.clone()),
                    ("backend", backend.clone()),
                    ("migrated", "true".into()),
                ],
            )
            .note(format!("{url}: schema up to date ({backend})"));
            desk.close().await.map_err(CliError::from_desk)?;
            r
        }
        Command::Rules(cmd) => rules::run_rules(g, cmd).await?,
        Command::Workflow(cmd) => rules::run_workflow(cmd)?,
        Command::Ingest(args) => {
            let desk = g.open().await?;
            let r = ingest::run(&desk, &g.actor(), args).await;
            let _ = desk.close().await;
            r?
        }
        Command::Alarms(cmd) => {
            let desk = g.open().await?;
            let r = views::run_alarms(&desk, &g.actor(), cmd).await;
            let _ = desk.close().await;
            r?
        }
        Command::Tickets(cmd) => {
            let desk = g.open().await?;
            let r = views::run_tickets(&desk, &g.actor(), cmd).await;
            let _ = desk.close().await;
            r?
        }
        Command::Sla(cmd) => {
            let desk = g.open().await?;
            let r = sla::run(&desk, &g.actor(), cmd).await;
            let _ = desk.close().await;
            r?
        }
        Command::Stats(args) => {
            let desk = g.open().await?;
            let r = views::run_stats(&desk, &g.actor(), args).await;
            let _ = desk.close().await;
            r?
        }
    };
    report.print(format).map_err(CliError::output)
}

/// The command line with the exit codes at the end of every command's help.
fn command() -> clap::Command {
    fn with_exit_codes(c: clap::Command) -> clap::Command {
        c.after_help(EXIT_CODES).mut_subcommands(with_exit_codes)
    }
    with_exit_codes(Cli::command())
}

fn main() -> ExitCode {
    let cli = match Cli::from_arg_matches(&command().get_matches()) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    let format = cli.global.format();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("faultdesk: cannot start the async runtime: {e}");
            return ExitCode::from(exit::OTHER);
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            e.report(format);
            ExitCode::from(e.code())
        }
    }
}
