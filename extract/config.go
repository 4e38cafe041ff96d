package extract

import (
	"fmt"
	"net/netip"
	"time"

	"flowsift/extract/flow"
)

// Config configures an extract run.
type Config struct {
	// Inputs are capture files or directories of them, read as one stream.
	Inputs []string `json:"-"`
	// OutDir receives the tables and the manifest.
	OutDir string `json:"-"`
	// Flow bounds the flow table.
	Flow flow.Config `json:"flow"`
	// CommunityIDSeed seeds Community ID hashes (0 is the common default).
	CommunityIDSeed uint16 `json:"community_id_seed"`
	// LocalNets fills local_orig/local_resp; empty leaves them null.
	LocalNets []netip.Prefix `json:"local_nets,omitempty"`
	// GapThreshold is the silence that counts as a capture gap.
	GapThreshold time.Duration `json:"gap_threshold_ns"`
	// Protocols enables the DNS, HTTP and TLS tables.
	Protocols bool `json:"protocols"`
	// NoHash skips the SHA-256 of the input files in the manifest.
	NoHash bool `json:"no_hash,omitempty"`
	// ToolVersion is recorded in the manifest and the Parquet metadata.
	ToolVersion string `json:"-"`
	// Warn receives problems that do not stop the run. It may be nil.
	Warn func(error) `json:"-"`
	// Progress, when set, is called about four times a second.
	Progress func(Progress) `json:"-"`
}

// Progress is a snapshot of a running extraction.
type Progress struct {
	BytesRead, BytesTotal int64
	Packets               int64
	Flows                 int64
	Elapsed               time.Duration
}

// DefaultConfig returns the documented defaults.
func DefaultConfig() Config {
	return Config{
		Flow:         flow.DefaultConfig(),
		GapThreshold: 60 * time.Second,
		Protocols:    true,
	}
}

// Validate reports the first unusable setting.
func (c Config) Validate() error {
	if len(c.Inputs) == 0 {
		return fmt.Errorf("%w: no input", ErrConfig)
	}
	if c.OutDir == "" {
		return fmt.Errorf("%w: no output directory", ErrConfig)
	}
	if c.GapThreshold < 0 {
		return fmt.Errorf("%w: gap threshold %s is negative", ErrConfig, c.GapThreshold)
	}
	return c.Flow.Validate()
}
