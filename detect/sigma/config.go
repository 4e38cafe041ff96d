package sigma

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"
)

// Config controls loading and evaluation. The zero value is not useful;
// start from DefaultConfig.
type Config struct {
	// Placeholders supplies the values of %name% placeholders for the
	// expand modifier, keyed by name without the percent signs. Each value
	// is parsed as a Sigma string (wildcards allowed). A rule that uses a
	// placeholder missing here is skipped: the specification forbids
	// matching an unexpanded placeholder.
	Placeholders map[string][]string
	// HostRemap serves host-telemetry logsources from traffic tables:
	// Sysmon dns_query and Windows dns-client / DNS-server analytic events
	// from dns.parquet, Sysmon network_connection and Windows WFP events
	// from flows.parquet. Windows-only constraints (EventID, LayerRTID)
	// are dropped and rules that need process attribution (Image,
	// CommandLine, User, ...) are skipped. Off by default because it
	// changes what those rules mean.
	HostRemap bool
	// FirewallVerdict synthesizes the firewall fields action and blocked
	// from conn_state for category firewall (see the package
	// documentation). When false, rules that need a verdict are skipped.
	FirewallVerdict bool
	// MaxEvidence caps the row references listed in one alert; the alert's
	// EvidenceTotal still counts them all.
	MaxEvidence int
	// MaxAddresses caps the destination addresses listed in one alert.
	MaxAddresses int
	// MaxCorrelationEvents bounds the matching rows kept in memory for
	// correlation rules, over all correlations. Beyond it, Evaluate fails
	// with ErrLimit rather than grow without bound.
	MaxCorrelationEvents int
	// MaxFileBytes bounds the size of one rule file.
	MaxFileBytes int64
	// MaxExpansion bounds the variants one rule value may expand into
	// (windash, expand, base64offset).
	MaxExpansion int
	// Logger receives load warnings and evaluation progress; nil discards.
	Logger *slog.Logger
}

// DefaultConfig returns the configuration flowsift uses unless told
// otherwise.
func DefaultConfig() Config {
	return Config{
		FirewallVerdict:      true,
		MaxEvidence:          20,
		MaxAddresses:         32,
		MaxCorrelationEvents: 5_000_000,
		MaxFileBytes:         4 << 20,
		MaxExpansion:         4096,
	}
}

// Validate reports configuration values that cannot work.
func (c Config) Validate() error {
	var errs []error
	if c.MaxEvidence < 1 {
		errs = append(errs, fmt.Errorf("max evidence %d: must be at least 1", c.MaxEvidence))
	}
	if c.MaxAddresses < 1 {
		errs = append(errs, fmt.Errorf("max addresses %d: must be at least 1", c.MaxAddresses))
	}
	if c.MaxCorrelationEvents < 1 {
		errs = append(errs, fmt.Errorf("max correlation events %d: must be at least 1", c.MaxCorrelationEvents))
	}
	if c.MaxFileBytes < 1 {
		errs = append(errs, fmt.Errorf("max file bytes %d: must be positive", c.MaxFileBytes))
	}
	if c.MaxExpansion < 1 {
		errs = append(errs, fmt.Errorf("max expansion %d: must be at least 1", c.MaxExpansion))
	}
	for name, vals := range c.Placeholders {
		if name == "" || strings.ContainsAny(name, "%") {
			errs = append(errs, fmt.Errorf("placeholder name %q: must be non-empty and without %%", name))
		}
		if len(vals) == 0 {
			errs = append(errs, fmt.Errorf("placeholder %q: no values", name))
		}
	}
	return errors.Join(errs...)
}

func (c Config) logger() *slog.Logger {
	if c.Logger != nil {
		return c.Logger
	}
	return slog.New(slog.DiscardHandler)
}
