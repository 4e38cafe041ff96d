package extract

import (
	"context"
	"os"
	"path/filepath"
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
