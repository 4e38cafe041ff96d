package datasets

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// DefaultStart is the capture start used when Config.Start is zero: a
// Monday morning, so office traffic has a plausible date.
var DefaultStart = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// Limits enforced by Validate.
const (
	MaxHosts    = 250
	MaxDuration = 7 * 24 * time.Hour
	MaxScale    = 1000.0
)

// Config selects what Generate writes.
type Config struct {
	// Scenarios are scenario names from Scenarios(); "benign" is the office
	// background on its own.
	Scenarios []string
	// Seed makes the capture: the same Seed and Config give the same bytes.
	Seed uint64
	// Start is the capture's first instant (UTC); zero means DefaultStart.
	Start time.Time
	// Duration is the capture window. Zero picks the longest default span of
	// the selected scenarios plus lead-in and lead-out (10 minutes when the
	// benign background is on). Packets after Start+Duration are not
	// written: flows running then end as a real capture would cut them.
	Duration time.Duration
	// Benign adds the office background to attack scenarios.
	Benign bool
	// Hosts is the number of workstations in the background. Generate
	// treats zero as 8.
	Hosts int
	// Scale multiplies every attack's intensity: packet rates for floods
	// and tunnels, targets for scans, bytes for exfiltration. 1 is the
	// documented default of each scenario. Generate treats zero as 1.
	Scale float64
	// Scales overrides Scale for the named scenarios.
	Scales map[string]float64
	// AttackSpan overrides every attack's window length (beaconing always
	// spans the capture); zero keeps each scenario's default.
	AttackSpan time.Duration
	// MaxPackets stops the capture after this many packets; 0 means no limit.
	MaxPackets int64
	// OmitFlows leaves Truth.Flows empty, for captures with millions of
	// flows; totals are still counted.
	OmitFlows bool
}

// DefaultConfig returns a ten-minute benign office capture with seed 1.
func DefaultConfig() Config {
	return Config{
		Scenarios: []string{Benign},
		Seed:      1,
		Hosts:     8,
		Scale:     1,
	}
}

// Validate reports the first problem in c.
func (c Config) Validate() error {
	if len(c.Scenarios) == 0 {
		return fmt.Errorf("%w: no scenario", ErrInvalidConfig)
	}
	for i, name := range c.Scenarios {
		if _, ok := lookupScenario(name); !ok {
			return fmt.Errorf("%w: %q (one of %s)", ErrUnknownScenario, name, strings.Join(ScenarioNames(), ", "))
		}
		if slices.Contains(c.Scenarios[:i], name) {
			return fmt.Errorf("%w: scenario %q given twice", ErrInvalidConfig, name)
		}
	}
	if c.Duration < 0 || c.Duration > MaxDuration {
		return fmt.Errorf("%w: duration %s outside 0..%s", ErrInvalidConfig, c.Duration, MaxDuration)
	}
	if c.AttackSpan < 0 || c.AttackSpan > MaxDuration {
		return fmt.Errorf("%w: attack span %s outside 0..%s", ErrInvalidConfig, c.AttackSpan, MaxDuration)
	}
	if c.Hosts < 1 || c.Hosts > MaxHosts {
		return fmt.Errorf("%w: hosts %d outside 1..%d", ErrInvalidConfig, c.Hosts, MaxHosts)
	}
	if !(c.Scale > 0 && c.Scale <= MaxScale) {
		return fmt.Errorf("%w: scale %g outside (0, %g]", ErrInvalidConfig, c.Scale, MaxScale)
	}
	for name, v := range c.Scales {
		if _, ok := lookupScenario(name); !ok {
			return fmt.Errorf("%w: %q in Scales", ErrUnknownScenario, name)
		}
		if !(v > 0 && v <= MaxScale) {
			return fmt.Errorf("%w: scale %g of %s outside (0, %g]", ErrInvalidConfig, v, name, MaxScale)
		}
	}
	if c.MaxPackets < 0 {
		return fmt.Errorf("%w: negative packet limit", ErrInvalidConfig)
	}
	if y := c.Start.Year(); !c.Start.IsZero() && (y < 1971 || y > 2105) {
		return fmt.Errorf("%w: start %s outside the pcap timestamp range", ErrInvalidConfig, c.Start)
	}
	return nil
}
