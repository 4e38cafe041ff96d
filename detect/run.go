package detect

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"flowsift/detect/alert"
	"flowsift/detect/rules"
	"flowsift/detect/sigma"
	"flowsift/internal/atomicfile"
	sigmarules "flowsift/sigma_rules"
)

// SummaryFile is the name of the run summary in the output directory.
const SummaryFile = "detect.json"

// Summary records what a detect run did.
type Summary struct {
	Tool        string          `json:"tool"`
	Version     string          `json:"version"`
	CaptureID   string          `json:"capture_id"`
	Config      Config          `json:"config"`
	Perspective *Perspective    `json:"perspective,omitempty"`
	Excluded    []string        `json:"excluded,omitempty"`
	Layers      []Layer         `json:"layers"`
	Alerts      int             `json:"alerts"`
	ByDetector  map[string]int  `json:"alerts_by_detector"`
	BySeverity  map[string]int  `json:"alerts_by_severity"`
	Skipped     []rules.Skipped `json:"skipped,omitempty"`
}

// Perspective is the capture's own host: the address with the most packets.
type Perspective struct {
	Address string  `json:"address"`
	Packets int64   `json:"packets"`
	Share   float64 `json:"share"` // of all packets
	Auto    bool    `json:"auto"`
}

// Layer reports one detection layer.
type Layer struct {
	Name    string `json:"name"`
	Alerts  int    `json:"alerts"`
	Skipped string `json:"skipped,omitempty"`
	Notes   string `json:"notes,omitempty"`
}

// Run runs the configured layers over cfg.Dir and writes the alerts.
func Run(ctx context.Context, cfg Config) (*Summary, []alert.Alert, error) {
	if err := cfg.Validate(); err != nil {
		return nil, nil, err
	}
	out := cfg.OutDir
	if out == "" {
		out = cfg.Dir
	}
	data, err := rules.Load(cfg.Dir)
	if err != nil {
		return nil, nil, err
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return nil, nil, err
	}
	sum := &Summary{Tool: "flowsift", Version: cfg.Version, CaptureID: data.CaptureID, Config: cfg, ByDetector: map[string]int{}, BySeverity: map[string]int{}}
	exclude := slices.Clone(cfg.Exclude)
	if cfg.Perspective != "" {
		sum.Perspective = perspective(data, cfg.Perspective)
		if cfg.ExcludePerspective && sum.Perspective != nil {
			if a, err := netip.ParseAddr(sum.Perspective.Address); err == nil {
				exclude = append(exclude, netip.PrefixFrom(a, a.BitLen()))
			}
		}
	}
	for _, p := range exclude {
		sum.Excluded = append(sum.Excluded, p.String())
	}
	var all []alert.Alert
	if cfg.NoRules {
		sum.Layers = append(sum.Layers, Layer{Name: alert.DetectorRules, Skipped: "disabled with --no-rules"})
	} else {
		as, skipped, err := rules.Run(data, &cfg.Rules, rules.Options{Only: cfg.Only, Exclude: exclude})
		if err != nil {
			return nil, nil, err
		}
		sum.Skipped = skipped
		sum.Layers = append(sum.Layers, Layer{Name: alert.DetectorRules, Alerts: len(as)})
		all = append(all, as...)
	}
	if cfg.NoSigma {
		sum.Layers = append(sum.Layers, Layer{Name: alert.DetectorSigma, Skipped: "disabled with --no-sigma"})
	} else {
		as, layer, err := runSigma(ctx, cfg)
		if err != nil {
			return nil, nil, err
		}
		sum.Layers = append(sum.Layers, layer)
		all = append(all, as...)
	}
	if cfg.Model == nil {
		sum.Layers = append(sum.Layers, Layer{Name: alert.DetectorModel, Skipped: "no model given"})
	} else {
		as, layers, err := runModel(ctx, cfg, out, exclude, data.CaptureID)
		if err != nil {
			return nil, nil, err
		}
		sum.Layers = append(sum.Layers, layers...)
		all = append(all, as...)
	}
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	for _, a := range all {
		sum.ByDetector[a.Detector]++
		sum.BySeverity[a.Severity]++
	}
	sum.Alerts = len(all)
	meta := map[string]string{"flowsift.version": cfg.Version, "flowsift.capture_id": data.CaptureID}
	if err := alert.Write(out, all, meta); err != nil {
		return nil, nil, err
	}
	b, err := json.MarshalIndent(sum, "", "  ")
	if err != nil {
		return nil, nil, err
	}
	if err := atomicfile.WriteFile(filepath.Join(out, SummaryFile), append(b, '\n')); err != nil {
		return nil, nil, fmt.Errorf("write %s: %w", SummaryFile, err)
	}
	return sum, all, nil
}

// perspective finds the capture's own host: the address in the most
// packets (the original tool's --find-perspective-ip), or the given one.
func perspective(d *rules.Data, want string) *Perspective {
	fl := &d.Flows
	pkts := make([]int64, len(d.Hosts.Names))
	var total int64
	for i := range fl.N {
		n := fl.OrigPkts[i] + fl.RespPkts[i]
		pkts[fl.Orig[i]] += n
		pkts[fl.Resp[i]] += n
		total += n
	}
	if total == 0 {
		return nil
	}
	if want != "auto" {
		a, _ := netip.ParseAddr(want)
		id, ok := d.Hosts.Lookup(a.String())
		p := &Perspective{Address: a.String()}
		if ok {
			p.Packets = pkts[id]
			p.Share = float64(pkts[id]) / float64(total)
		}
		return p
	}
	best := 0
	for i := range pkts {
		if pkts[i] > pkts[best] || pkts[i] == pkts[best] && d.Hosts.Names[i] < d.Hosts.Names[best] {
			best = i
		}
	}
	return &Perspective{Address: d.Hosts.Names[best], Packets: pkts[best], Share: float64(pkts[best]) / float64(total), Auto: true}
}

// runModel scores every flow with the model, writes scores.parquet and
// returns the model and anomaly alerts.
func runModel(ctx context.Context, cfg Config, out string, exclude []netip.Prefix, captureID string) ([]alert.Alert, []Layer, error) {
	scores, err := ScoreFlows(ctx, cfg.Dir, cfg.Model)
	if err != nil {
		return nil, nil, fmt.Errorf("model %s: %w", cfg.ModelID, err)
	}
	meta := map[string]string{"flowsift.version": cfg.Version, "flowsift.capture_id": captureID, "flowsift.model": cfg.ModelID}
	if err := scores.Write(out, meta); err != nil {
		return nil, nil, err
	}
	o := cfg.ModelAlerts
	o.ID, o.Exclude = cfg.ModelID, exclude
	var all []alert.Alert
	var layers []Layer
	if cfg.Model.Forest == nil {
		layers = append(layers, Layer{Name: alert.DetectorModel, Skipped: "the model has no classifier"})
	} else {
		as := scores.ModelAlerts(o)
		layers = append(layers, Layer{Name: alert.DetectorModel, Alerts: len(as), Notes: fmt.Sprintf("%s: %d flows scored", cfg.ModelID, len(scores.Rows))})
		all = append(all, as...)
	}
	switch {
	case cfg.Model.Anomaly == nil:
		layers = append(layers, Layer{Name: alert.DetectorAnomaly, Skipped: "the model has no anomaly detector"})
	case cfg.NoAnomaly:
		layers = append(layers, Layer{Name: alert.DetectorAnomaly, Skipped: "disabled with --no-anomaly"})
	default:
		as := scores.AnomalyAlerts(cfg.Model, o)
		layers = append(layers, Layer{Name: alert.DetectorAnomaly, Alerts: len(as), Notes: fmt.Sprintf("threshold %.4f", cfg.Model.Anomaly.Threshold)})
		all = append(all, as...)
	}
	return all, layers, nil
}

// runSigma loads the Sigma rules (the embedded pack unless paths are
// given) and evaluates them over the tables.
func runSigma(ctx context.Context, cfg Config) ([]alert.Alert, Layer, error) {
	rs, rep, err := LoadSigma(cfg.Sigma, cfg.SigmaPaths)
	if err != nil {
		return nil, Layer{}, err
	}
	if cfg.Warn != nil {
		warnSigma(cfg, rep)
	}
	as, err := rs.Evaluate(ctx, cfg.Dir)
	if err != nil {
		return nil, Layer{}, err
	}
	l := Layer{
		Name:   alert.DetectorSigma,
		Alerts: len(as),
		Notes: fmt.Sprintf("%d rules supported, %d skipped, %d invalid (flowsift sigma check lists them)",
			rep.Count(sigma.Supported), rep.Count(sigma.Skipped), rep.Count(sigma.Invalid)),
	}
	return as, l, nil
}

// warnSigma reports every invalid rule, and rules given by the user that
// cannot run: a rule file that silently does nothing looks like a quiet
// network.
func warnSigma(cfg Config, rep *sigma.Report) {
	for _, r := range rep.Rules {
		if r.Status == sigma.Invalid {
			cfg.Warn(fmt.Errorf("sigma: %s:%d: invalid rule %q: %s", r.File, r.Line, cmp.Or(r.Title, r.ID), r.Reason))
		}
	}
	if len(cfg.SigmaPaths) == 0 {
		return
	}
	supported, skipped := rep.Count(sigma.Supported), rep.Count(sigma.Skipped)
	switch {
	case len(rep.Rules) == 0:
		cfg.Warn(fmt.Errorf("sigma: no rules found in %s", strings.Join(cfg.SigmaPaths, ", ")))
	case supported == 0:
		cfg.Warn(fmt.Errorf("sigma: none of the %d rules in %s can run over traffic tables (flowsift sigma check says why)", len(rep.Rules), strings.Join(cfg.SigmaPaths, ", ")))
	case skipped > 0:
		cfg.Warn(fmt.Errorf("sigma: %d of %d rules skipped: they need data traffic tables do not hold (flowsift sigma check lists them)", skipped, len(rep.Rules)))
	}
}

// LoadSigma loads Sigma rules from files and directories, or, when paths
// is empty, the shipped pack embedded in the binary.
func LoadSigma(cfg sigma.Config, paths []string) (*sigma.Ruleset, *sigma.Report, error) {
	if len(paths) > 0 {
		return sigma.LoadConfig(cfg, paths...)
	}
	if err := cfg.Validate(); err != nil {
		return nil, nil, err
	}
	var docs []*sigma.Document
	entries, err := fs.ReadDir(sigmarules.FS, ".")
	if err != nil {
		return nil, nil, err
	}
	for _, e := range entries {
		data, err := fs.ReadFile(sigmarules.FS, e.Name())
		if err != nil {
			return nil, nil, err
		}
		docs = append(docs, sigma.Parse("sigma_rules/"+e.Name(), data)...)
	}
	rs, rep := sigma.Compile(cfg, docs)
	return rs, rep, nil
}
