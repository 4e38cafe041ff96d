//go:build !linux

package capture

import (
	"context"
	"errors"
	"fmt"
)

// Live would capture packets on cfg.Interface into cfg.Output; it needs
// Linux packet sockets, so on this system it returns an error wrapping
// [errors.ErrUnsupported]. Capture files from other systems read as usual.
func Live(_ context.Context, cfg LiveConfig, _ func(LiveStats)) (LiveStats, error) {
	st := LiveStats{Interface: cfg.Interface, Output: cfg.Output}
	return st, liveError(cfg.Interface, fmt.Errorf("live capture needs Linux (AF_PACKET sockets): %w", errors.ErrUnsupported))
}
