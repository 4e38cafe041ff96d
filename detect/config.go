package detect

import (
	"errors"
	"fmt"
	"net/netip"

	"flowsift/detect/rules"
	"flowsift/detect/sigma"
	"flowsift/train/model"
)

// Config configures a detect run.
type Config struct {
	// Dir is the extract output directory to read.
	Dir string `json:"-"`
	// OutDir receives the alerts (default Dir).
	OutDir string `json:"-"`
	// Rules are the threshold settings.
	Rules rules.Config `json:"-"`
	// RulesFile names the file the thresholds came from ("" = defaults).
	RulesFile string `json:"rules_file,omitempty"`
	// Only restricts the threshold detections (ids or original switch
	// names); empty runs all.
	Only []string `json:"only,omitempty"`
	// NoRules skips the threshold layer.
	NoRules bool `json:"no_rules,omitempty"`
	// Exclude keeps hosts in these networks from being reported as actors.
	Exclude []netip.Prefix `json:"exclude,omitempty"`
	// Perspective is "" (none), "auto" (the host with the most packets),
	// or an address.
	Perspective string `json:"perspective,omitempty"`
	// ExcludePerspective also excludes the perspective host.
	ExcludePerspective bool `json:"exclude_perspective,omitempty"`
	// SigmaPaths are Sigma rule files or directories; empty means the
	// shipped pack (sigma_rules/, embedded in the binary).
	SigmaPaths []string `json:"sigma_paths,omitempty"`
	// NoSigma skips the Sigma layer.
	NoSigma bool `json:"no_sigma,omitempty"`
	// Sigma configures rule loading (host-telemetry remapping, placeholders).
	Sigma sigma.Config `json:"-"`
	// Model is the Random Forest and anomaly model the model layers score
	// flows with; nil skips both layers.
	Model *model.Model `json:"-"`
	// ModelID names the model in alerts and the summary.
	ModelID string `json:"model,omitempty"`
	// NoAnomaly skips the anomaly layer even when the model has one.
	NoAnomaly bool `json:"no_anomaly,omitempty"`
	// Warn receives problems that do not stop the run (Sigma rules that
	// are invalid or cannot run); nil drops them (they are also counted in
	// detect.json).
	Warn func(error) `json:"-"`
	// ModelAlerts tunes how scores become alerts.
	ModelAlerts ModelOptions `json:"model_alerts"`
	// Version is the tool version recorded in the outputs.
	Version string `json:"-"`
}

// DefaultConfig returns the documented defaults.
func DefaultConfig() Config {
	return Config{Rules: rules.DefaultConfig(), Perspective: "auto", Sigma: sigma.DefaultConfig(), ModelAlerts: DefaultModelOptions()}
}

// ErrConfig is returned for an unusable configuration.
var ErrConfig = errors.New("detect: invalid configuration")

// Validate reports the first unusable setting.
func (c Config) Validate() error {
	if c.Dir == "" {
		return fmt.Errorf("%w: no input directory", ErrConfig)
	}
	if c.Perspective != "" && c.Perspective != "auto" {
		if _, err := netip.ParseAddr(c.Perspective); err != nil {
			return fmt.Errorf("%w: perspective %q is neither auto nor an address", ErrConfig, c.Perspective)
		}
	}
	if c.ModelAlerts.FanIn < 1 || c.ModelAlerts.MaxEvidence < 1 {
		return fmt.Errorf("%w: model alert fan-in %d and evidence cap %d must be at least 1", ErrConfig, c.ModelAlerts.FanIn, c.ModelAlerts.MaxEvidence)
	}
	if _, err := rules.Select(c.Only); err != nil {
		return err
	}
	return c.Rules.Validate()
}
