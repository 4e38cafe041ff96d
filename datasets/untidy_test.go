package datasets

import (
	"net/netip"
	"strings"
	"testing"
)

// TestBenignIsUntidy checks that the office background has the flow shapes
// every real capture has (one-sided UDP, failed and refused TCP,
// connections seen mid-stream, ICMP, multicast and broadcast) in
// plausible shares, and that it says which environment it drew.
func TestBenignIsUntidy(t *testing.T) {
	for _, seed := range []uint64{1, 2, 3} {
		_, tr := generate(t, Config{Scenarios: []string{Benign}, Seed: seed})
		n := float64(len(tr.Flows))
		count := map[string]int{}
		for _, f := range tr.Flows {
			r := netip.MustParseAddr(f.RespH)
			switch {
			case f.Proto == "udp" && f.ConnState == "S0":
				count["udp S0"]++
			case f.Proto == "tcp" && f.ConnState == "S0":
				count["tcp S0"]++
			case f.Proto == "tcp" && f.ConnState == "REJ":
				count["tcp REJ"]++
			case f.Proto == "icmp":
				count["icmp"]++
			}
			if f.Proto == "tcp" && !strings.ContainsAny(f.History, "Sh") {
				count["tcp mid-stream"]++
			}
			if r.IsMulticast() || r == bcast4 || strings.HasSuffix(f.RespH, ".255") {
				count["multicast or broadcast"]++
			}
		}
		for _, c := range []struct {
			kind   string
			lo, hi float64 // share of flows
		}{
			{"udp S0", 0.04, 0.35},
			{"tcp S0", 0.005, 0.15},
			{"tcp REJ", 0.001, 0.05},
			{"icmp", 0.001, 0.05},
			{"tcp mid-stream", 0.01, 0.15},
			{"multicast or broadcast", 0.01, 0.2},
		} {
			if s := float64(count[c.kind]) / n; s < c.lo || s > c.hi {
				t.Errorf("seed %d: %s is %.1f%% of %d flows, want %.1f%% to %.0f%%", seed, c.kind, 100*s, len(tr.Flows), 100*c.lo, 100*c.hi)
			}
		}
		d := tr.Events[0].Details
		for _, k := range []string{"quic", "windows_domain", "printer", "log_collector"} {
			if d[k] == "" {
				t.Errorf("seed %d: benign event details lack %q: %v", seed, k, d)
			}
		}
	}
}
