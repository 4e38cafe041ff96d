package datasets

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/klauspost/compress/gzip"
)

// smallConfig shrinks a scenario so a unit test can decode every packet.
func smallConfig(name string, seed uint64) Config {
	c := Config{Scenarios: []string{name}, Seed: seed, Hosts: 4, Scale: 0.05, AttackSpan: 4 * time.Second}
	switch name {
	case Benign:
		c.Duration = 3 * time.Minute
	case AttackBeaconing:
		c.Duration = 5 * time.Minute
	case AttackUDPScan:
		c.Scale, c.AttackSpan = 0.3, 40*time.Second
	case AttackUnusualPorts:
		c.AttackSpan = 3 * time.Minute
	case AttackDNSTunnel, AttackICMPTunnel:
		c.Scale, c.AttackSpan = 1, 15*time.Second
	case AttackAsymmetricDDoS:
		c.AttackSpan = 10 * time.Second
	}
	return c
}

func TestScenarios(t *testing.T) {
	var got []string
	for _, s := range Scenarios() {
		if s.Description == "" {
			t.Errorf("scenario %q has no description", s.Name)
		}
		if s.Name != s.Type {
			t.Errorf("scenario %q has type %q", s.Name, s.Type)
		}
		got = append(got, s.Name)
	}
	want := []string{Benign, AttackSYNFlood, AttackSYNFloodSpoofed, AttackICMPFlood, AttackHTTPFlood, AttackUDPFlood,
		AttackPortScanVertical, AttackPortScanHorizontal, AttackConnectScan, AttackUDPScan, AttackDNSTunnel,
		AttackExfiltration, AttackAsymmetricDDoS, AttackUnusualPorts, AttackDNSAmplification,
		AttackSYNACKReflection, AttackBeaconing, AttackICMPTunnel}
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("Scenarios() (-got, +want):\n%s", diff)
	}
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name string
		edit func(*Config)
		want error
	}{
		{"default", func(*Config) {}, nil},
		{"no scenario", func(c *Config) { c.Scenarios = nil }, ErrInvalidConfig},
		{"unknown scenario", func(c *Config) { c.Scenarios = []string{"teardrop"} }, ErrUnknownScenario},
		{"duplicate", func(c *Config) { c.Scenarios = []string{Benign, Benign} }, ErrInvalidConfig},
		{"negative duration", func(c *Config) { c.Duration = -time.Second }, ErrInvalidConfig},
		{"too long", func(c *Config) { c.Duration = MaxDuration + 1 }, ErrInvalidConfig},
		{"no hosts", func(c *Config) { c.Hosts = 0 }, ErrInvalidConfig},
		{"zero scale", func(c *Config) { c.Scale = 0 }, ErrInvalidConfig},
		{"negative packets", func(c *Config) { c.MaxPackets = -1 }, ErrInvalidConfig},
		{"start after 2105", func(c *Config) { c.Start = time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC) }, ErrInvalidConfig},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := DefaultConfig()
			tt.edit(&c)
			err := c.Validate()
			if tt.want == nil && err != nil || tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("Validate() error = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestGenerateRejectsBadConfig(t *testing.T) {
	_, err := Generate(context.Background(), io.Discard, Config{Scenarios: []string{"nope"}})
	if !errors.Is(err, ErrUnknownScenario) {
		t.Errorf("Generate() error = %v, want ErrUnknownScenario", err)
	}
}

// TestCaptureMatchesTruth decodes every packet of every scenario with
// gopacket (valid checksums, no fragments, ordered timestamps) and checks
// each truth record against the packets that carry its flow key.
func TestCaptureMatchesTruth(t *testing.T) {
	configs := map[string]Config{}
	for _, s := range Scenarios() {
		configs[s.Name] = smallConfig(s.Name, 11)
	}
	mixed := smallConfig(Benign, 12)
	mixed.Scenarios = []string{Benign, AttackPortScanVertical, AttackDNSTunnel, AttackBeaconing}
	mixed.Scale = 0.2
	configs["mixed"] = mixed
	for _, name := range append(ScenarioNames(), "mixed") {
		t.Run(name, func(t *testing.T) {
			capture, tr := generate(t, configs[name])
			ps := readCapture(t, capture)
			if int64(len(ps)) != tr.Packets {
				t.Fatalf("capture has %d packets, truth says %d", len(ps), tr.Packets)
			}
			if tr.Packets == 0 {
				t.Fatal("no packets")
			}
			checkFlows(t, ps, tr)
			checkEvents(t, ps, tr)
		})
	}
}

func checkFlows(t *testing.T, ps []pkt, tr *Truth) {
	t.Helper()
	agg := aggregate(ps)
	if len(agg) != len(tr.Flows) || int64(len(tr.Flows)) != tr.FlowCount {
		t.Errorf("capture has %d flow keys, truth lists %d flows and counts %d (keys must not repeat)",
			len(agg), len(tr.Flows), tr.FlowCount)
	}
	var total int64
	for i := range tr.Flows {
		f := &tr.Flows[i]
		k, origA := truthKey(f)
		s := agg[k]
		if s == nil {
			t.Errorf("flow %d %+v: no packets with key %v", i, f, k)
			continue
		}
		o, r := 0, 1
		if !origA {
			o, r = 1, 0
		}
		got := [8]int64{f.OrigPkts, f.RespPkts, f.OrigIPBytes, f.RespIPBytes, f.OrigBytes, f.RespBytes, f.OrigL2Bytes, f.RespL2Bytes}
		want := [8]int64{s.pkts[o], s.pkts[r], s.ipb[o], s.ipb[r], s.pay[o], s.pay[r], s.l2[o], s.l2[r]}
		if got != want {
			t.Errorf("flow %d %s %s:%d > %s:%d: truth counts %v, capture %v", i, f.Proto, f.OrigH, f.OrigP, f.RespH, f.RespP, got, want)
		}
		if !f.TS.Equal(s.first) || !f.TSEnd.Equal(s.last) {
			t.Errorf("flow %d: truth spans %v..%v, capture %v..%v", i, f.TS, f.TSEnd, s.first, s.last)
		}
		if f.DurationNS < 0 || f.DurationNS > f.TSEnd.Sub(f.TS).Nanoseconds() {
			t.Errorf("flow %d: duration %d outside its span", i, f.DurationNS)
		}
		if i > 0 && f.TS.Before(tr.Flows[i-1].TS) {
			t.Errorf("flow %d starts before flow %d", i, i-1)
		}
		total += f.OrigPkts + f.RespPkts
	}
	if total != tr.Packets {
		t.Errorf("flows hold %d packets, capture %d", total, tr.Packets)
	}
}

func checkEvents(t *testing.T, ps []pkt, tr *Truth) {
	t.Helper()
	evOf := map[flowKey]int{}
	var pk, fl int64
	perEvent := make([]int64, len(tr.Events))
	for i := range tr.Flows {
		k, _ := truthKey(&tr.Flows[i])
		evOf[k] = tr.Flows[i].Event
		perEvent[tr.Flows[i].Event] += tr.Flows[i].OrigPkts + tr.Flows[i].RespPkts
		if tr.Flows[i].Label != tr.Events[tr.Flows[i].Event].Type {
			t.Errorf("flow %d labelled %q, its event is %q", i, tr.Flows[i].Label, tr.Events[tr.Flows[i].Event].Type)
		}
	}
	senders := make([]map[netip.Addr]bool, len(tr.Events))
	first := make([]time.Time, len(tr.Events))
	last := make([]time.Time, len(tr.Events))
	for i := range senders {
		senders[i] = map[netip.Addr]bool{}
	}
	for i := range ps {
		k, _ := keyOf(&ps[i])
		e := evOf[k]
		senders[e][ps[i].src] = true
		if first[e].IsZero() {
			first[e] = ps[i].ts
		}
		last[e] = ps[i].ts
	}
	for i, ev := range tr.Events {
		pk += ev.Packets
		fl += ev.Flows
		if ev.Packets != perEvent[i] {
			t.Errorf("event %d (%s): %d packets, its flows hold %d", i, ev.Type, ev.Packets, perEvent[i])
		}
		if ev.Packets > 0 && (!ev.Start.Equal(first[i]) || !ev.End.Equal(last[i])) {
			t.Errorf("event %d (%s): window %v..%v, packets %v..%v", i, ev.Type, ev.Start, ev.End, first[i], last[i])
		}
		for _, a := range ev.Attackers {
			if !senders[i][netip.MustParseAddr(a)] {
				t.Errorf("event %d (%s): attacker %s sent no packet", i, ev.Type, a)
			}
		}
		if ev.Type != Benign && ev.Packets == 0 {
			t.Errorf("event %d (%s): no packets", i, ev.Type)
		}
		if ev.Spoofed {
			n := int64(0)
			for a := range senders[i] {
				if !slices.Contains(ev.Victims, a.String()) {
					n++
				}
			}
			if n != ev.SpoofedSources || n == 0 {
				t.Errorf("event %d (%s): %d forged senders, truth says %d", i, ev.Type, n, ev.SpoofedSources)
			}
		}
	}
	if pk != tr.Packets || fl != tr.FlowCount {
		t.Errorf("events hold %d packets and %d flows, truth totals %d and %d", pk, fl, tr.Packets, tr.FlowCount)
	}
}

func TestGenerateDeterministic(t *testing.T) {
	cfg := smallConfig(Benign, 3)
	cfg.Scenarios = []string{Benign, AttackSYNFloodSpoofed, AttackExfiltration, AttackUDPScan}
	cfg.Duration = 2 * time.Minute
	a, ta := generate(t, cfg)
	b, tb := generate(t, cfg)
	if !bytes.Equal(a, b) {
		t.Errorf("two runs differ: sha256 %x and %x", sha256.Sum256(a), sha256.Sum256(b))
	}
	if diff := cmp.Diff(ta, tb); diff != "" {
		t.Errorf("Generate() truth (-first, +second):\n%s", diff)
	}
	cfg.Seed++
	c, _ := generate(t, cfg)
	if bytes.Equal(a, c) {
		t.Error("seeds 3 and 4 gave the same capture")
	}
}

func TestMaxPacketsAndCancel(t *testing.T) {
	cfg := smallConfig(Benign, 5)
	cfg.MaxPackets = 1234
	capture, tr := generate(t, cfg)
	ps := readCapture(t, capture)
	if len(ps) != 1234 || tr.Packets != 1234 {
		t.Errorf("MaxPackets 1234: capture has %d packets, truth %d", len(ps), tr.Packets)
	}
	checkFlows(t, ps, tr)

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Generate(ctx, io.Discard, smallConfig(Benign, 5)); !errors.Is(err, context.Canceled) {
		t.Errorf("Generate(cancelled) error = %v, want context.Canceled", err)
	}
}

func TestWriteCapture(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "scan.pcap.gz")
	cfg := smallConfig(AttackPortScanVertical, 9)
	tr, err := WriteCapture(context.Background(), path, "", cfg)
	if err != nil {
		t.Fatalf("WriteCapture() error = %v", err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatalf("gzip.NewReader() error = %v", err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("read gzip: %v", err)
	}
	plain, _ := generate(t, cfg)
	if !bytes.Equal(raw, plain) {
		t.Error("the gzip capture does not decompress to Generate's bytes")
	}
	back, err := ReadTruth(TruthPath(path))
	if err != nil {
		t.Fatalf("ReadTruth() error = %v", err)
	}
	if diff := cmp.Diff(back, tr); diff != "" {
		t.Errorf("ReadTruth() (-got, +want):\n%s", diff)
	}
	ents, _ := os.ReadDir(dir)
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	if diff := cmp.Diff(names, []string{"scan.pcap.gz", "scan.truth.json"}); diff != "" {
		t.Errorf("files (-got, +want):\n%s", diff)
	}
}

func TestTruthPath(t *testing.T) {
	for in, want := range map[string]string{
		"a/b.pcap":    "a/b.truth.json",
		"a/b.pcap.gz": "a/b.truth.json",
		"b.cap":       "b.cap.truth.json",
	} {
		if got := TruthPath(in); got != want {
			t.Errorf("TruthPath(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSpoofedSourcesCountWrittenPackets(t *testing.T) {
	cfg := smallConfig(AttackSYNFloodSpoofed, 4)
	cfg.MaxPackets = 101
	capture, tr := generate(t, cfg)
	ps := readCapture(t, capture)
	src := map[netip.Addr]bool{}
	for _, p := range ps {
		if p.flags == flagSYN {
			src[p.src] = true
		}
	}
	if int64(len(src)) != tr.Events[0].SpoofedSources {
		t.Errorf("%d forged sources written, truth says %d", len(src), tr.Events[0].SpoofedSources)
	}
}
