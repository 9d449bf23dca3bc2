//! The `clearance` command: parses arguments, calls the library, sets the exit code.

use std::collections::HashSet;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context as _, Result, bail};
use clap::{Parser, Subcommand, ValueEnum};

use clearance::config::Config;
use clearance::model::Severity;
use clearance::report::{self, Format};
use clearance::rules::Rules;

#[derive(Parser)]
#[command(name = "clearance", version, about = "May every image on this site be published? Checks photographer permission, consent, licences and credit.", long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Scan a built site folder and report every image that may not be published
    Scan(ScanArgs),
    /// Show one image's rights evidence: metadata, hashes, licence, people
    Inspect {
        #[arg(required = true)]
        files: Vec<String>,
        #[arg(long, value_enum, default_value_t = InspectFormat::Text)]
        format: InspectFormat,
    },
    /// Validate or extend the permission ledger
    Ledger {
        #[command(subcommand)]
        command: LedgerCommand,
    },
    /// List the rules with id, default severity and summary
    Rules {
        #[arg(long)]
        rules: Option<PathBuf>,
    },
    /// Explain a rule: rationale, policy text and how to fix
    Explain {
        rule: String,
        #[arg(long)]
        rules: Option<PathBuf>,
    },
    /// Write a commented clearance.toml and ledger.toml to start from
    Init {
        /// Folder to write into
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// Overwrite existing files
        #[arg(long)]
        force: bool,
    },
}

#[derive(Subcommand)]
enum LedgerCommand {
    /// Validate the ledger(s): errors with file:line, exit 2 on error
    Check {
        #[arg(long)]
        config: Option<PathBuf>,
        #[arg(long, num_args = 1..)]
        ledger: Vec<PathBuf>,
    },
    /// Print [[asset]] stubs for every image the ledger does not cover
    Suggest {
        target: Option<String>,
        #[arg(long)]
        config: Option<PathBuf>,
        #[arg(long, num_args = 1..)]
        ledger: Vec<PathBuf>,
    },
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum InspectFormat {
    Text,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum FacesArg {
    /// Photos whose ledger entry does not record who is shown
    Missing,
    /// Every photo, also those whose entry lists its people or says `people = []`
    All,
    Off,
}

#[derive(Clone, Copy, ValueEnum)]
enum FailOn {
    Error,
    Warning,
    Never,
}

#[derive(clap::Args)]
struct ScanArgs {
    /// A built site folder or an http(s) URL to crawl (default: the config's root, else ".")
    targets: Vec<String>,
    /// Config file (default: ./clearance.toml if present)
    #[arg(long)]
    config: Option<PathBuf>,
    /// Ledger files (TOML or CSV), added to the config's list
    #[arg(long, num_args = 1..)]
    ledger: Vec<PathBuf>,
    /// A rules profile laid over the built-in rules
    #[arg(long)]
    rules: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Write the report here instead of stdout
    #[arg(long, short)]
    output: Option<PathBuf>,
    /// Exit 1 when a finding at or above this level is not suppressed
    #[arg(long, value_enum, default_value_t = FailOn::Error)]
    fail_on: FailOn,
    /// Judge consent and licence dates as of this day (YYYY-MM-DD; default today)
    #[arg(long)]
    as_of: Option<chrono::NaiveDate>,
    /// Worker threads (default: all cores)
    #[arg(long)]
    jobs: Option<usize>,
    /// Findings recorded in this file (a JSON report or baseline) are reported as baselined
    #[arg(long)]
    baseline: Option<PathBuf>,
    /// Write the fingerprints of this scan's findings to FILE, to use with --baseline
    #[arg(long)]
    write_baseline: Option<PathBuf>,
    /// The evidence cache folder (default: .clearance-cache beside the config)
    #[arg(long, value_name = "DIR")]
    cache: Option<PathBuf>,
    /// Read every image afresh, and keep nothing for next time
    #[arg(long, conflicts_with = "cache")]
    no_cache: bool,
    /// Judge afresh even when nothing changed since a scan recorded its report
    #[arg(long)]
    no_replay: bool,
    /// Which photos face detection examines
    #[arg(long, value_enum, default_value_t = FacesArg::Missing)]
    faces: FacesArg,
    /// Crawls: stop after this many pages
    #[arg(long)]
    max_pages: Option<usize>,
    /// Crawls: follow links at most this deep from the start page
    #[arg(long)]
    max_depth: Option<u32>,
    /// No progress bar
    #[arg(long, short)]
    quiet: bool,
    /// No progress bar
    #[arg(long)]
    no_progress: bool,
}

fn main() -> ExitCode {
    clearance::allocator::share_arenas();
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "clearance: error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Scan(args) => scan(args),
        Command::Inspect { files, format } => inspect(&files, format),
        Command::Ledger { command } => match command {
            LedgerCommand::Check { config, ledger } => ledger_check(config, &ledger),
            LedgerCommand::Suggest {
                target,
                config,
                ledger,
            } => {
                let config = load_config(config.as_deref())?;
                let options = clearance::ScanOptions {
                    targets: target.into_iter().collect(),
                    config,
                    extra_ledgers: ledger,
                    rules: Rules::builtin(),
                    as_of: chrono::Local::now().date_naive(),
                    baseline: HashSet::new(),
                    progress: std::io::stderr().is_terminal(),
                    thumbnails: false,
                    faces: clearance::FacesMode::Off,
                    max_pages: None,
                    max_depth: None,
                    cache: None,
                    all_phashes: true,
                };
                print!("{}", clearance::suggest(&options)?);
                Ok(ExitCode::SUCCESS)
            }
        },
        Command::Rules { rules } => {
            let rules = load_rules(rules.as_deref(), None)?;
            for r in rules.all() {
                println!("{:<24} {:<8} {}", r.id, r.severity.as_str(), r.summary);
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Explain { rule, rules } => {
            let rules = load_rules(rules.as_deref(), None)?;
            let Some(r) = rules.get(&rule) else {
                bail!(
                    "unknown rule `{rule}`; `clearance rules` lists them: {}",
                    clearance::rules::RULE_IDS.join(", ")
                );
            };
            println!("{} ({})\n\n{}\n", r.id, r.severity.as_str(), r.summary);
            println!("Why: {}\n", r.rationale);
            println!("Policy: \"{}\"\n", r.policy);
            println!("Fix: {}", r.fix);
            Ok(ExitCode::SUCCESS)
        }
        Command::Init { dir, force } => init(&dir, force),
    }
}

fn load_config(path: Option<&Path>) -> Result<Config> {
    match path {
        Some(p) => Ok(Config::load(p)?),
        None => Ok(Config::discover(Path::new("."))?),
    }
}

fn load_rules(cli: Option<&Path>, config: Option<&Config>) -> Result<Rules> {
    let path = cli
        .map(Path::to_path_buf)
        .or_else(|| config.and_then(|c| c.rules.clone()));
    Ok(match path {
        Some(p) => Rules::load(&p)?,
        None => Rules::builtin(),
    })
}

fn scan(args: ScanArgs) -> Result<ExitCode> {
    let config = load_config(args.config.as_deref())?;
    let rules = load_rules(args.rules.as_deref(), Some(&config))?;
    if let Some(jobs) = args.jobs {
        rayon::ThreadPoolBuilder::new()
            .num_threads(jobs.max(1))
            .build_global()
            .context("cannot start the worker pool")?;
    }
    if config.ledgers.is_empty() && args.ledger.is_empty() {
        // Every image will be unknown-provenance; say why before the user wonders.
        eprintln!(
            "clearance: warning: no ledger given (set `ledger = [...]` in clearance.toml or pass --ledger FILE); nothing counts as cleared by the ledger"
        );
    }
    let baseline = match &args.baseline {
        Some(p) => clearance::baseline::read(p)?,
        None => HashSet::new(),
    };
    // The evidence cache lives beside the config unless told otherwise.
    let cache = if args.no_cache {
        None
    } else {
        Some(
            args.cache
                .clone()
                .unwrap_or_else(|| config.dir().join(clearance::cache::DEFAULT_DIR)),
        )
    };
    // Progress goes to stderr, only on a terminal, and never when asked to be quiet.
    let progress = !args.quiet && !args.no_progress && std::io::stderr().is_terminal();
    let options = clearance::ScanOptions {
        targets: args.targets,
        config,
        extra_ledgers: args.ledger,
        rules,
        as_of: args
            .as_of
            .unwrap_or_else(|| chrono::Local::now().date_naive()),
        baseline,
        progress,
        thumbnails: args.format.wants_thumbnails(),
        faces: match args.faces {
            FacesArg::Missing => clearance::FacesMode::Missing,
            FacesArg::All => clearance::FacesMode::All,
            FacesArg::Off => clearance::FacesMode::Off,
        },
        max_pages: args.max_pages,
        max_depth: args.max_depth,
        cache,
        all_phashes: false,
    };
    let color = args.output.is_none()
        && anstream::AutoStream::choice(&std::io::stdout()) != anstream::ColorChoice::Never;
    let threshold = match args.fail_on {
        FailOn::Error => Some(Severity::Error),
        FailOn::Warning => Some(Severity::Warning),
        FailOn::Never => None,
    };
    let request = clearance::ReportRequest {
        format: args.format,
        render: report::RenderOptions {
            color,
            fail_on: threshold,
        },
    };
    // A baseline is made from the findings, which a replayed report does not keep.
    let replay = !args.no_replay && args.write_baseline.is_none();
    let judged = clearance::judge_report(&options, request, replay)?;
    if judged.is_replay() && !args.quiet {
        eprintln!(
            "clearance: nothing changed since a scan recorded this report: replayed (--no-replay judges afresh)"
        );
    }
    let failing = threshold.map_or(0, |level| judged.failing(level));
    // Made now: writing the report hands the findings over.
    let baseline = args.write_baseline.as_ref().map(|path| {
        (
            path,
            clearance::baseline::render(judged.findings().unwrap_or_default()),
        )
    });
    // The report is written as it is made: a large site's never sits whole in memory.
    match &args.output {
        Some(path) => {
            clearance::output::write_file(path, |out| judged.write_report(out))
                .with_context(|| format!("cannot write {}", path.display()))?;
        }
        None => {
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            let written = judged.write_report(&mut out).and_then(|()| out.flush());
            match written {
                // A closed pipe (`| head`) is not an error worth a message.
                Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
                    return Err(e).context("cannot write the report");
                }
                _ => {}
            }
        }
    }
    if let Some((path, baseline)) = baseline {
        clearance::baseline::write(&baseline, path)?;
    }
    Ok(if failing > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn ledger_check(config: Option<PathBuf>, extra: &[PathBuf]) -> Result<ExitCode> {
    let config = load_config(config.as_deref())?;
    if config.ledgers.is_empty() && extra.is_empty() {
        bail!(
            "no ledger to check: list files in clearance.toml `ledger = [...]` or pass --ledger FILE"
        );
    }
    match clearance::load_ledger(&config, extra) {
        Ok(ledger) => {
            let counts = ledger.counts();
            println!(
                "ledger ok: {} people, {} photographers, {} assets",
                counts["people"], counts["photographers"], counts["assets"]
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            eprintln!("{e}");
            Ok(ExitCode::from(2))
        }
    }
}

fn inspect(files: &[String], format: InspectFormat) -> Result<ExitCode> {
    let reports: Vec<_> = files.iter().map(|f| clearance::inspect(f)).collect();
    if format == InspectFormat::Json {
        println!("{}", serde_json::to_string_pretty(&reports)?);
    } else {
        for r in &reports {
            print!("{}", clearance::report::text::rights_card(r));
        }
    }
    // A file that cannot be opened is an I/O error (2); one that opens but
    // cannot be read as an image is a finding about it (1).
    if files.iter().any(|f| !Path::new(f).is_file()) {
        return Ok(ExitCode::from(2));
    }
    let any_error = reports.iter().any(|r| r.error.is_some());
    Ok(if any_error {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn init(dir: &Path, force: bool) -> Result<ExitCode> {
    for path in clearance::init::write_starter_files(dir, force)? {
        println!("wrote {}", path.display());
    }
    Ok(ExitCode::SUCCESS)
}
