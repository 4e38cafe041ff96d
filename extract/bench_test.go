package extract

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"sync"
	"testing"
	"time"

	"flowsift/datasets"
	"flowsift/extract/capture"
	"flowsift/extract/decode"
)

// benchCapture is a generated mixed capture of about a million packets:
// an office background of 60 hosts with a port scan, an HTTP flood, DNS
// tunnelling, an exfiltration and a spoofed SYN flood.
var benchCapture struct {
	once    sync.Once
	path    string
	packets int64
	bytes   int64
	err     error
}

func mixedCapture(b *testing.B) (string, int64, int64) {
	b.Helper()
	benchCapture.once.Do(func() {
		dir, err := os.MkdirTemp("", "flowsift-bench-")
		if err != nil {
			benchCapture.err = err
			return
		}
		cfg := datasets.DefaultConfig()
		cfg.Scenarios = []string{datasets.Benign, datasets.AttackPortScanVertical, datasets.AttackHTTPFlood,
			datasets.AttackDNSTunnel, datasets.AttackExfiltration, datasets.AttackSYNFloodSpoofed}
		cfg.Benign = true
		cfg.Hosts = 60
		cfg.Duration = 40 * time.Minute
		cfg.MaxPackets = 1_000_000
		cfg.OmitFlows = true
		benchCapture.path = filepath.Join(dir, "mixed.pcap")
		tr, err := datasets.WriteCapture(context.Background(), benchCapture.path, filepath.Join(dir, "mixed.truth.json"), cfg)
		if err != nil {
			benchCapture.err = err
			return
		}
		benchCapture.packets, benchCapture.bytes = tr.Packets, tr.Bytes
	})
	if benchCapture.err != nil {
		b.Fatal(benchCapture.err)
	}
	return benchCapture.path, benchCapture.packets, benchCapture.bytes
}

// BenchmarkReadDecode measures reading and decoding a capture: the
// foundation's packets/s and MB/s.
func BenchmarkReadDecode(b *testing.B) {
	path, pkts, size := mixedCapture(b)
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		src, err := capture.Open([]string{path}, capture.Options{})
		if err != nil {
			b.Fatal(err)
		}
		var d decode.Decoder
		var p decode.Packet
		var n int64
		for pkt, err := range src.Packets(context.Background()) {
			if err != nil {
				b.Fatal(err)
			}
			d.Decode(pkt.LinkType, pkt.Data, &p)
			n++
		}
		if n != pkts {
			b.Fatalf("read %d packets, want %d", n, pkts)
		}
	}
	b.ReportMetric(float64(pkts)*float64(b.N)/b.Elapsed().Seconds(), "pkts/s")
}

// BenchmarkExtract measures the whole extract stage, capture to tables.
// Run with -cpu=1 for the one-core figure.
func BenchmarkExtract(b *testing.B) {
	for _, tc := range []struct {
		name      string
		protocols bool
		noHash    bool
	}{{"flows", false, false}, {"flows-nohash", false, true}, {"all-tables", true, false}} {
		b.Run(tc.name, func(b *testing.B) {
			path, pkts, size := mixedCapture(b)
			b.SetBytes(size)
			b.ReportAllocs()
			for b.Loop() {
				cfg := DefaultConfig()
				cfg.Inputs = []string{path}
				cfg.OutDir = b.TempDir()
				cfg.Protocols, cfg.NoHash = tc.protocols, tc.noHash
				m, err := Run(context.Background(), cfg)
				if err != nil {
					b.Fatal(err)
				}
				if m.Packets != pkts {
					b.Fatalf("read %d packets, want %d", m.Packets, pkts)
				}
			}
			b.ReportMetric(float64(pkts)*float64(b.N)/b.Elapsed().Seconds(), "pkts/s")
		})
	}
}

// BenchmarkExtractHeap extracts captures of the same traffic at the same
// rate, one four times longer than the other: concurrency stays the same,
// and past the first Parquet row group (128k rows buffered per table) the
// peak heap should not follow the length. The office background never
// fills a row group, so its heap still grows with its rows; the SYN flood
// (one flow per SYN) fills several.
func BenchmarkExtractHeap(b *testing.B) {
	for _, c := range []struct {
		scenario string
		minutes  int
		scale    float64
	}{
		{datasets.Benign, 10, 1}, {datasets.Benign, 40, 1},
		{datasets.AttackSYNFloodSpoofed, 3, 0.5}, {datasets.AttackSYNFloodSpoofed, 12, 0.5},
	} {
		b.Run(fmt.Sprintf("%s/minutes=%d", c.scenario, c.minutes), func(b *testing.B) {
			dir := b.TempDir()
			cfg := datasets.DefaultConfig()
			cfg.Scenarios = []string{c.scenario}
			cfg.Hosts = 20
			cfg.Duration = time.Duration(c.minutes) * time.Minute
			cfg.AttackSpan = cfg.Duration
			cfg.Scale = c.scale
			cfg.OmitFlows = true
			path := filepath.Join(dir, "capture.pcap")
			tr, err := datasets.WriteCapture(context.Background(), path, filepath.Join(dir, "capture.truth.json"), cfg)
			if err != nil {
				b.Fatal(err)
			}
			var peak uint64
			var flows int64
			for b.Loop() {
				ecfg := DefaultConfig()
				ecfg.Inputs, ecfg.OutDir = []string{path}, b.TempDir()
				runtime.GC()
				stop := sampleHeap(&peak)
				m, err := Run(context.Background(), ecfg)
				stop()
				if err != nil {
					b.Fatal(err)
				}
				flows = m.Tables["flows"].Rows
			}
			b.ReportMetric(float64(tr.Packets), "packets")
			b.ReportMetric(float64(flows), "flows")
			b.ReportMetric(float64(peak)/(1<<20), "peak_heap_MiB")
		})
	}
}

// sampleHeap records the largest live heap (as the last garbage collection
// measured it, so garbage awaiting collection does not count) seen every
// 5 ms into peak
// until stop is called.
func sampleHeap(peak *uint64) (stop func()) {
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(sample)
			*peak = max(*peak, sample[0].Value.Uint64())
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() { close(done); <-finished }
}
