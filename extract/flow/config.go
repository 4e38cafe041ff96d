package flow

import (
	"fmt"
	"time"
)

// Config bounds the flow table in time and space.
type Config struct {
	// IdleTimeout ends a flow after this long without a packet.
	IdleTimeout time.Duration `json:"idle_timeout_ns"`
	// UDPIdleTimeout and ICMPIdleTimeout override IdleTimeout for UDP and
	// ICMP flows when non-zero (Zeek uses 1 min for both and 5 min for TCP).
	UDPIdleTimeout  time.Duration `json:"udp_idle_timeout_ns"`
	ICMPIdleTimeout time.Duration `json:"icmp_idle_timeout_ns"`
	// DNSIdleTimeout ends a UDP flow that carried DNS this long after its
	// last packet (Zeek's dns_session_timeout).
	DNSIdleTimeout time.Duration `json:"dns_idle_timeout_ns"`
	// ActiveTimeout splits a flow into segments of at most this length
	// (zero: never).
	ActiveTimeout time.Duration `json:"active_timeout_ns"`
	// AttemptTimeout ends an unanswered TCP connection attempt this long
	// after its first SYN (Zeek's tcp_attempt_delay).
	AttemptTimeout time.Duration `json:"attempt_timeout_ns"`
	// CloseGrace keeps a closed TCP connection this long to absorb the
	// last ACKs and retransmissions (Zeek's tcp_close_delay).
	CloseGrace time.Duration `json:"close_grace_ns"`
	// PartialCloseTimeout ends a connection this long after a side whose
	// first packet was a FIN closed it (Zeek's tcp_partial_close_delay).
	PartialCloseTimeout time.Duration `json:"partial_close_timeout_ns"`
	// ActivityTimeout separates active from idle periods in the
	// active_*/idle_* statistics (CICFlowMeter's 5 s).
	ActivityTimeout time.Duration `json:"activity_timeout_ns"`
	// MaxFlows caps the number of flows held at once. When full, the flow
	// that would expire soonest is ended early with end_reason "evicted".
	MaxFlows int `json:"max_flows"`
}

// DefaultConfig returns the documented defaults.
func DefaultConfig() Config {
	return Config{
		IdleTimeout:         120 * time.Second,
		DNSIdleTimeout:      10 * time.Second,
		ActiveTimeout:       1800 * time.Second,
		AttemptTimeout:      5 * time.Second,
		CloseGrace:          5 * time.Second,
		PartialCloseTimeout: 3 * time.Second,
		ActivityTimeout:     5 * time.Second,
		MaxFlows:            500_000,
	}
}

// Validate reports the first unusable setting.
func (c Config) Validate() error {
	switch {
	case c.IdleTimeout <= 0:
		return fmt.Errorf("%w: idle timeout %s must be positive", ErrConfig, c.IdleTimeout)
	case c.UDPIdleTimeout < 0 || c.ICMPIdleTimeout < 0 || c.DNSIdleTimeout < 0:
		return fmt.Errorf("%w: idle timeouts must not be negative", ErrConfig)
	case c.ActiveTimeout < 0:
		return fmt.Errorf("%w: active timeout %s is negative", ErrConfig, c.ActiveTimeout)
	case c.AttemptTimeout <= 0 || c.CloseGrace < 0 || c.PartialCloseTimeout <= 0:
		return fmt.Errorf("%w: TCP timeouts must be positive", ErrConfig)
	case c.ActivityTimeout <= 0:
		return fmt.Errorf("%w: activity timeout %s must be positive", ErrConfig, c.ActivityTimeout)
	case c.MaxFlows < 1:
		return fmt.Errorf("%w: max flows %d must be at least 1", ErrConfig, c.MaxFlows)
	}
	return nil
}
