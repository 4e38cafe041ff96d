package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/pflag"

	"flowsift/detect"
	"flowsift/detect/sigma"
)

// defaultSigmaRules is the shipped rule pack, relative to the working
// directory.

const sigmaUsage = `Usage: flowsift sigma COMMAND [options] [arguments]

Work with Sigma rules without running a capture through them.

Commands:
  check  load and validate rules; print what is supported, skipped and why
  sql    compile rules to SQL over the extract tables (DuckDB dialect)

Run 'flowsift sigma COMMAND --help' for a command's options.
`

func cmdSigma(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		if _, err := io.WriteString(stderr, sigmaUsage); err != nil {
			return err
		}
		return usageError{errors.New("missing sigma command")}
	}
	switch args[0] {
	case "-h", "--help", "help":
		if _, err := io.WriteString(stdout, sigmaUsage); err != nil {
			return err
		}
		return pflag.ErrHelp
	case "check":
		return sigmaCheck(ctx, args[1:], stdout)
	case "sql":
		return sigmaSQL(ctx, args[1:], stdout, stderr)
	}
	return usageError{fmt.Errorf("unknown sigma command %q (check, sql)", args[0])}
}

// bindSigmaFlags adds the loader options shared by check and sql.
func bindSigmaFlags(fs *pflag.FlagSet) func() (sigma.Config, error) {
	remap := fs.Bool("host-remap", false, "serve Sysmon/Windows network logsources from traffic tables (drops EventID, skips rules needing process data)")
	noVerdict := fs.Bool("no-firewall-verdict", false, "skip firewall rules that need action/blocked instead of deriving them from conn_state")
	placeholders := fs.StringArray("placeholder", nil, "values for an expand placeholder: NAME=v1,v2 (repeatable)")
	return func() (sigma.Config, error) {
		cfg := sigma.DefaultConfig()
		cfg.HostRemap = *remap
		cfg.FirewallVerdict = !*noVerdict
		for _, p := range *placeholders {
			name, vals, ok := strings.Cut(p, "=")
			if !ok || name == "" || vals == "" {
				return cfg, fmt.Errorf("--placeholder %q: want NAME=v1,v2", p)
			}
			if cfg.Placeholders == nil {
				cfg.Placeholders = map[string][]string{}
			}
			cfg.Placeholders[strings.Trim(name, "%")] = append(cfg.Placeholders[strings.Trim(name, "%")], strings.Split(vals, ",")...)
		}
		return cfg, cfg.Validate()
	}
}

func sigmaCheck(_ context.Context, args []string, stdout io.Writer) error {
	fs := newFlagSet("sigma check", "[options] [DIR|FILE...]", `
Load Sigma rules (files, or directories searched recursively for .yml and
.yaml; default: the shipped sigma_rules/), validate them and report, per
file, which rules flowsift evaluates, which it skips and why (a logsource or
field that traffic tables cannot serve), and which are invalid (with line
and column).

Exit status: 0 when every rule is valid, 1 when any rule is invalid or a
file cannot be read, 2 for usage errors.`, stdout)
	verbose := fs.BoolP("verbose", "v", false, "list supported rules and warnings too")
	config := bindSigmaFlags(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	cfg, err := config()
	if err != nil {
		return usageError{err}
	}
	_, rep, err := detect.LoadSigma(cfg, fs.Args())
	if err != nil {
		return err
	}
	if err := rep.WriteText(stdout, *verbose); err != nil {
		return err
	}
	if n := rep.Count(sigma.Invalid); n > 0 {
		return fmt.Errorf("%d invalid rules", n)
	}
	return nil
}

func sigmaSQL(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("sigma sql", "[options] RULE...", `
Compile Sigma rules (files or directories) to SQL queries over the extract
tables, so the same rules run in DuckDB, Spark or Trino over flows.parquet,
dns.parquet, http.parquet and tls.parquet. Each query selects the rows the
rule matches (uid, trans_depth, ts, endpoints, capture_id).

The dialect is DuckDB's, kept close to ANSI: read_parquet() for the table,
lower() and LIKE ... ESCAPE '\' for case-insensitive wildcards, list_filter
with a lambda for list columns, regexp_matches (RE2) for regular
expressions. Rules without a faithful translation (correlations, IPv6
ranges that canonical text cannot express, ...) are reported on stderr
and make the exit status 1; their SQL is never guessed.`, stdout)
	dir := fs.StringP("dir", "d", ".", "extract output directory the queries read")
	config := bindSigmaFlags(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	cfg, err := config()
	if err != nil {
		return usageError{err}
	}
	if fs.NArg() == 0 {
		return usageError{errors.New("need at least one rule file or directory")}
	}
	rs, rep, err := sigma.LoadConfig(cfg, fs.Args()...)
	if err != nil {
		return err
	}
	bad := 0
	for _, r := range rep.Rules {
		if r.Status != sigma.Supported {
			fmt.Fprintf(stderr, "flowsift sigma sql: %s: %s %s: %s\n", r.File, r.Status, r.ID, r.Reason)
			bad++
		}
	}
	failed, err := sigma.WriteSQL(stdout, rs.SQL(*dir))
	if err != nil {
		return err
	}
	for _, q := range failed {
		fmt.Fprintf(stderr, "flowsift sigma sql: %s: %v\n", q.File, q.Err)
	}
	if n := bad + len(failed); n > 0 {
		return fmt.Errorf("%d rules not translated", n)
	}
	return nil
}
