package datasets

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/klauspost/compress/gzip"
)

// Demo file names inside the demo directory.
const (
	DemoCapture = "demo.pcap.gz"
	DemoTruth   = "demo.truth.json"
)

// DemoConfig is the capture behind the README's demo: a quarter of an hour
// of office traffic with a vertical port scan, a spoofed SYN flood, a DNS
// tunnel, an exfiltration, beaconing and traffic to unusual ports, each
// scaled down so the compressed capture stays small yet every attack still
// crosses the classic thresholds.
func DemoConfig() Config {
	return Config{
		Scenarios: []string{Benign, AttackPortScanVertical, AttackSYNFloodSpoofed, AttackDNSTunnel,
			AttackExfiltration, AttackBeaconing, AttackUnusualPorts},
		Seed:     2026,
		Start:    DefaultStart,
		Duration: 15 * time.Minute,
		Hosts:    8,
		Scale:    0.2,
		// 1,500 SYNs: past the 500-SYN threshold without thousands of
		// single-packet flows in the truth file.
		Scales: map[string]float64{AttackSYNFloodSpoofed: 0.05},
	}
}

// WriteDemo writes the demo capture and its truth into dir, creating it.
func WriteDemo(ctx context.Context, dir string) (*Truth, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("write demo: %w", err)
	}
	t, err := writeCapture(ctx, filepath.Join(dir, DemoCapture), filepath.Join(dir, DemoTruth), DemoConfig(),
		gzip.BestCompression)
	if err != nil {
		return nil, fmt.Errorf("write demo: %w", err)
	}
	return t, nil
}
