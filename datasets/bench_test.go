package datasets

import (
	"context"
	"testing"
	"time"
)

// countingWriter discards what it is given and counts it.
type countingWriter struct{ n int64 }

func (w *countingWriter) Write(p []byte) (int, error) {
	w.n += int64(len(p))
	return len(p), nil
}

func benchGenerate(b *testing.B, cfg Config) {
	b.ReportAllocs()
	var pkts, bytes int64
	for b.Loop() {
		var w countingWriter
		tr, err := Generate(context.Background(), &w, cfg)
		if err != nil {
			b.Fatal(err)
		}
		pkts += tr.Packets
		bytes += w.n
	}
	sec := b.Elapsed().Seconds()
	b.ReportMetric(float64(pkts)/sec, "pkts/s")
	b.ReportMetric(float64(bytes)/sec/1e6, "MB/s")
	b.ReportMetric(float64(pkts)/float64(b.N), "pkts/op")
}

// BenchmarkGenerateMixed writes a one-million-packet capture: 50 busy
// workstations and every attack.
func BenchmarkGenerateMixed(b *testing.B) {
	benchGenerate(b, Config{Scenarios: ScenarioNames(), Seed: 1, Hosts: 50, Duration: 30 * time.Minute,
		MaxPackets: 1_000_000, OmitFlows: true, Scale: 1})
}

// BenchmarkGenerateSpoofedFlood writes five million packets of a
// random-source SYN flood at 100,000 SYN/s.
func BenchmarkGenerateSpoofedFlood(b *testing.B) {
	benchGenerate(b, Config{Scenarios: []string{AttackSYNFloodSpoofed}, Seed: 1, Scale: 50, AttackSpan: 50 * time.Second,
		Duration: 60 * time.Second, MaxPackets: 5_000_000, OmitFlows: true})
}

// BenchmarkGenerateBenign writes the default ten-minute office capture with
// its flow truth.
func BenchmarkGenerateBenign(b *testing.B) {
	benchGenerate(b, DefaultConfig())
}
