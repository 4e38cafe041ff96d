// Command flowsift processes network captures in batch: it extracts flow
// and protocol tables, detects threats and trains and applies models.
// Run "flowsift help" for the commands.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"

	"github.com/spf13/pflag"

	"flowsift/extract/capture"
)

// version is stamped at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// command is one subcommand.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

// commands is the fixed, ordered command table; "help" prints it.
var commands []command

func init() {
	commands = []command{
		{"detect", "run threshold, Sigma and model detections over extracted tables", cmdDetect},
		{"extract", "turn captures into flows.parquet (+ DNS, HTTP, TLS tables) and a manifest", cmdExtract},
		{"capture", "capture packets on an interface for a fixed time into a pcap file", cmdCapture},
		{"carve", "copy the packets of chosen flows out of the original captures", cmdCarve},
		{"features", "write the per-flow feature vectors the models use (features.parquet)", cmdFeatures},
		{"generate", "write a synthetic capture with ground truth (benign traffic and attacks)", cmdGenerate},
		{"info", "summarise capture files (packets, bytes, link types, protocols, errors)", cmdInfo},
		{"interfaces", "list the network interfaces to capture on", cmdInterfaces},
		{"predict", "score the flows of a capture with a trained model", cmdPredict},
		{"sigma", "check Sigma rules and compile them to SQL", cmdSigma},
		{"train", "train and evaluate a Random Forest flow classifier and anomaly detector", cmdTrain},
		{"version", "print the version", cmdVersion},
	}
}

// Exit codes.
const (
	exitOK       = 0
	exitFailure  = 1 // the run failed, or (detect) findings were reported
	exitUsage    = 2
	exitFindings = 1
)

// usageError marks errors caused by the command line: exit code 2.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// findingsError signals a successful run that found something (exit 1).
type findingsError struct{ n int }

func (e findingsError) Error() string { return fmt.Sprintf("%d findings", e.n) }

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		printHelp(stderr)
		return exitUsage
	}
	name := args[0]
	switch name {
	case "help", "-h", "--help":
		if len(args) > 1 && !slices.Contains([]string{"help", "-h", "--help"}, args[1]) {
			// "help sigma check" is "sigma check --help".
			return run(ctx, append(slices.Clone(args[1:]), "--help"), stdout, stderr)
		}
		printHelp(stdout)
		return exitOK
	case "--version", "-V":
		name = "version"
	}
	for _, c := range commands {
		if c.name != name {
			continue
		}
		err := c.run(ctx, args[1:], stdout, stderr)
		return exitCode(err, name, stderr)
	}
	fmt.Fprintf(stderr, "flowsift: unknown command %q (see flowsift help)\n", name)
	return exitUsage
}

func exitCode(err error, name string, stderr io.Writer) int {
	var ue usageError
	var fe findingsError
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, pflag.ErrHelp):
		return exitOK
	case errors.As(err, &fe):
		return exitFindings
	case errors.Is(err, capture.ErrPermission):
		// One clear line: more help would not give the missing privilege.
		fmt.Fprintf(stderr, "flowsift %s: %s\n", name, message(err, name))
		return exitUsage
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "flowsift %s: %s\n", name, message(err, name))
		fmt.Fprintf(stderr, "see flowsift help %s\n", name)
		return exitUsage
	case errors.Is(err, context.Canceled):
		fmt.Fprintf(stderr, "flowsift %s: interrupted\n", name)
		return exitFailure
	default:
		fmt.Fprintf(stderr, "flowsift %s: %s\n", name, message(err, name))
		return exitFailure
	}
}

// message is err's text without the stage prefixes that repeat the
// command's name ("extract: extract: no packets" from flowsift extract).
func message(err error, name string) string {
	msg := err.Error()
	for strings.HasPrefix(msg, name+": ") {
		msg = strings.TrimPrefix(msg, name+": ")
	}
	return msg
}

func printHelp(w io.Writer) {
	fmt.Fprintf(w, "flowsift %s: batch forensics for network captures\n\nUsage: flowsift COMMAND [options] [arguments]\n\nCommands:\n", version)
	width := 0
	for _, c := range commands {
		width = max(width, len(c.name))
	}
	for _, c := range commands {
		fmt.Fprintf(w, "  %-*s  %s\n", width, c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun 'flowsift help COMMAND' for a command's options.")
	fmt.Fprintln(w, "Exit codes: 0 success, 1 failure (detect: findings reported), 2 usage error.")
}

// newFlagSet returns a FlagSet whose --help text (written to stdout) starts
// with the command's synopsis and description. Parse errors are not printed
// by pflag; exitCode prints them once.
func newFlagSet(name, synopsis, description string, stdout io.Writer) *pflag.FlagSet {
	fs := pflag.NewFlagSet(name, pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.SortFlags = false
	fs.Usage = func() {
		fmt.Fprintf(stdout, "Usage: flowsift %s %s\n\n%s\n", name, synopsis, strings.TrimSpace(description))
		if fs.HasFlags() {
			fmt.Fprintf(stdout, "\nOptions:\n%s", fs.FlagUsages())
		}
	}
	return fs
}

// parse parses args; a parse failure is a usage error.
func parse(fs *pflag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return err
		}
		return usageError{err}
	}
	return nil
}

func cmdVersion(_ context.Context, args []string, stdout, _ io.Writer) error {
	fs := newFlagSet("version", "", "Print the version of flowsift.", stdout)
	if err := parse(fs, args); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "flowsift %s\n", version)
	return nil
}
