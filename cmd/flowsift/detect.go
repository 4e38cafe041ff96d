package main

import (
	"context"
	"fmt"
	"io"
	"net/netip"
	"strings"
	"text/tabwriter"

	"flowsift/detect"
	"flowsift/detect/alert"
	"flowsift/detect/rules"
	"flowsift/extract"
)

// originalSwitches are the original tool's detection switches, accepted as
// flags that select a detection.
var originalSwitches = []string{"syn-flood", "ping-flood", "ports-scanner", "http-get", "dns-users", "large-flow", "asymmetrical-flows", "unusual-ports"}

func cmdDetect(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("detect", "[options] DIR", `
Run the detection layers over an extract output directory DIR (flows.parquet
and, when present, dns.parquet and http.parquet) and write
DIR/alerts.parquet, DIR/alerts.jsonl (one ECS-style JSON object per alert)
and DIR/detect.json (what ran, what was skipped, the perspective host).

With --model, the model layers run too: every flow is scored (written to
DIR/scores.parquet, as flowsift predict does), flows the Random Forest
calls malicious become alerts grouped by source (or by destination when
many sources point at it), and flows above the anomaly threshold become
anomaly alerts naming the features that made them unusual.

Threshold detections measure rates over sliding windows; every threshold is
in a YAML file (see --print-config) that --config overrides key by key.
--list shows the detections and their current thresholds. The original
tool's switches (--syn-flood, --ports-scanner, ...) select detections too.

Exit status: 0 when no alert was raised, 1 when alerts were raised (use
--exit-zero to return 0 anyway) or the run failed, 2 for usage errors.`, stdout)
	cfgFile := fs.String("config", "", "YAML file overriding detection thresholds")
	printCfg := fs.Bool("print-config", false, "print the default thresholds (YAML) and exit")
	list := fs.Bool("list", false, "list the detections with their thresholds and exit")
	only := fs.StringSlice("only", nil, "run only these detections (ids or original switch names, comma-separated)")
	noRules := fs.Bool("no-rules", false, "skip the threshold detections")
	sigmaPaths := fs.StringSlice("sigma", nil, "Sigma rule files or directories (repeatable; default: the shipped sigma_rules pack)")
	noSigma := fs.Bool("no-sigma", false, "skip the Sigma rules")
	hostRemap := fs.Bool("host-remap", false, "also run Sysmon/Windows network rules over the traffic tables (drops EventID, skips rules needing process data)")
	modelSpec := fs.StringP("model", "m", "", "score flows with this model file (or builtin) and alert on its predictions and anomalies")
	noAnomaly := fs.Bool("no-anomaly", false, "with --model: skip the anomaly alerts")
	fanIn := fs.Int("model-fan-in", detect.DefaultModelOptions().FanIn, "with --model: flagged sources toward one destination that make one alert for it")
	persp := fs.String("perspective", "auto", "the capture's own host: auto (most packets), an address, or none")
	exclPersp := fs.Bool("exclude-perspective", false, "never report the perspective host as an attacker")
	excl := fs.StringSlice("exclude-ip", nil, "addresses or CIDR prefixes never reported as attackers (repeatable)")
	out := fs.StringP("output", "o", "", "directory for the alerts (default: DIR)")
	exitZero := fs.Bool("exit-zero", false, "exit 0 even when alerts were raised")
	quiet := fs.BoolP("quiet", "q", false, "print nothing on success")
	switches := map[string]*bool{}
	for _, s := range originalSwitches {
		switches[s] = fs.Bool(s, false, "original tool switch: run this detection (same as --only "+s+")")
		fs.MarkHidden(s)
	}
	if err := parse(fs, args); err != nil {
		return err
	}
	if *printCfg {
		_, err := stdout.Write(rules.DefaultsYAML())
		return err
	}
	cfg := detect.DefaultConfig()
	if *cfgFile != "" {
		c, err := rules.LoadConfig(*cfgFile)
		if err != nil {
			return usageError{err}
		}
		cfg.Rules, cfg.RulesFile = c, *cfgFile
	}
	if *list {
		printDetections(stdout, &cfg.Rules)
		return nil
	}
	if fs.NArg() != 1 {
		return usageError{fmt.Errorf("need exactly one extract output directory")}
	}
	cfg.Dir = fs.Arg(0)
	if err := mustExist(cfg.Dir); err != nil {
		return err
	}
	if !isExtractDir(cfg.Dir) {
		return usageError{fmt.Errorf("%s is not an extract output directory (no %s; run flowsift extract first)", cfg.Dir, extract.FlowsFile)}
	}
	cfg.OutDir = *out
	cfg.Only = *only
	for _, s := range originalSwitches {
		if *switches[s] {
			cfg.Only = append(cfg.Only, s)
		}
	}
	cfg.NoRules = *noRules
	cfg.SigmaPaths = *sigmaPaths
	cfg.NoSigma = *noSigma
	cfg.Sigma.HostRemap = *hostRemap
	cfg.Warn = func(err error) {
		if !*quiet {
			fmt.Fprintf(stderr, "flowsift detect: warning: %v\n", err)
		}
	}
	if *modelSpec != "" {
		m, id, err := loadModel(*modelSpec)
		if err != nil {
			return usageError{fmt.Errorf("--model: %w", err)}
		}
		cfg.Model, cfg.ModelID = m, id
	}
	cfg.NoAnomaly = *noAnomaly
	cfg.ModelAlerts.FanIn = *fanIn
	cfg.Perspective = *persp
	if *persp == "none" {
		cfg.Perspective = ""
	}
	cfg.ExcludePerspective = *exclPersp
	for _, e := range *excl {
		p, err := parsePrefix(e)
		if err != nil {
			return usageError{fmt.Errorf("--exclude-ip %q: not an address or CIDR prefix (192.0.2.7, 10.0.0.0/8)", e)}
		}
		cfg.Exclude = append(cfg.Exclude, p)
	}
	cfg.Version = version
	if err := cfg.Validate(); err != nil {
		return usageError{err}
	}
	sum, alerts, err := detect.Run(ctx, cfg)
	if err != nil {
		return err
	}
	if !*quiet {
		printDetectSummary(stdout, sum, alerts)
	}
	if len(alerts) > 0 && !*exitZero {
		return findingsError{len(alerts)}
	}
	return nil
}

// parsePrefix accepts an address or a CIDR prefix.
func parsePrefix(s string) (netip.Prefix, error) {
	s = strings.TrimSpace(s)
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		return p.Masked(), err
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	return netip.PrefixFrom(a, a.BitLen()), nil
}

func printDetections(w io.Writer, c *rules.Config) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tSEVERITY\tMITRE\tREADS\tTHRESHOLDS")
	for _, d := range rules.Detections() {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", d.ID, d.Name, d.Severity, strings.Join(d.Mitre, ","), d.Needs, strings.Join(d.Settings(c), "; "))
	}
	tw.Flush()
}

func printDetectSummary(w io.Writer, s *detect.Summary, alerts []alert.Alert) {
	if s.Perspective != nil {
		fmt.Fprintf(w, "perspective host: %s (%.0f%% of packets)\n", s.Perspective.Address, 100*s.Perspective.Share)
	}
	for _, sk := range s.Skipped {
		fmt.Fprintf(w, "skipped %s: %s\n", sk.ID, sk.Reason)
	}
	for _, a := range alerts {
		fmt.Fprintf(w, "[%s] %s: %s\n", a.Severity, a.RuleID, a.Name)
	}
	fmt.Fprintf(w, "%d alerts", s.Alerts)
	for _, l := range s.Layers {
		if l.Skipped != "" {
			fmt.Fprintf(w, "; %s skipped (%s)", l.Name, l.Skipped)
		} else {
			fmt.Fprintf(w, "; %s %d", l.Name, l.Alerts)
		}
	}
	fmt.Fprintln(w)
}
