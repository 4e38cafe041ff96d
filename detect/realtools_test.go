package detect

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"testing"

	"flowsift/train/model/builtin"
)

// realTools are the captures of testdata/realtools: real attack tools
// (nmap, ApacheBench, hping3, iodine) and an ordinary client, recorded between two
// network namespaces by testdata/realtools/record.sh. Unlike the
// generator's scenarios, their packets come from the tools themselves:
// nmap's probe timing and retries, hping3's source-port walk, iodine's
// query encoding.
var realTools = []struct {
	file string
	// rule must raise exactly one alert naming src and dst ("" for benign:
	// no alert at all).
	rule, src, dst string
	// modelShare is the least share of the capture's flows the built-in
	// model must call malicious (and benign: the most).
	modelShare float64
}{
	{"benign-web.pcap.gz", "", "", "", 0},
	{"nmap-syn.pcap.gz", "port-scan", atkAddr, vicAddr, 0.99},
	{"nmap-connect.pcap.gz", "port-scan", atkAddr, vicAddr, 0.99},
	{"nmap-xmas.pcap.gz", "port-scan", atkAddr, vicAddr, 0.99},
	{"nmap-udp.pcap.gz", "port-scan", atkAddr, vicAddr, 0.9},
	// Service detection: nmap's HTTP probes carry its user agent, which
	// the Sigma pack's scanner rule names.
	{"nmap-version.pcap.gz", "78299527-3252-44fa-b7f4-f69e738a26e9", atkAddr, vicAddr, 0},
	// Host discovery, nmap -sn: echo requests to 256 addresses.
	{"nmap-pingsweep.pcap.gz", "port-scan", atkAddr, "", 0.99},
	// 256 addresses, three ports each: one alert, not one per port.
	{"nmap-sweep.pcap.gz", "port-scan", atkAddr, "", 0.99},
	// ApacheBench, 1,500 requests from 20 concurrent clients. Each request
	// is a short connection that looks like browsing flow by flow, so
	// the built-in model passes them; the rule counts requests per server.
	{"ab-httpflood.pcap.gz", "http-flood", atkAddr, vicAddr, 0},
	{"hping3-synflood-spoofed.pcap.gz", "syn-flood", "", vicAddr, 0.99},
	{"hping3-udpflood.pcap.gz", "udp-flood", atkAddr, vicAddr, 0.99},
	// One flow each (hping3 keeps the echo identifier; iodine keeps its
	// source port): the model has that single flow to go by.
	{"hping3-icmpflood.pcap.gz", "icmp-flood", atkAddr, vicAddr, 0.99},
	{"iodine-tunnel.pcap.gz", "dns-tunnel", atkAddr, "", 0.99},
}

const atkAddr, vicAddr = "192.168.77.66", "192.168.77.10"

func TestRealToolCaptures(t *testing.T) {
	m, err := builtin.Model()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range realTools {
		t.Run(c.file, func(t *testing.T) {
			out := extractCapture(t, filepath.Join("..", "testdata", "realtools", c.file))
			alerts := detectDir(t, out)
			var all []string
			n := 0
			for _, a := range alerts {
				all = append(all, fmt.Sprintf("%s %q src %v dst %v", a.RuleID, a.Name, a.Src, a.Dst))
				if a.RuleID == c.rule && (c.src == "" || slices.Contains(a.Src, c.src)) && (c.dst == "" || slices.Contains(a.Dst, c.dst)) {
					n++
				}
			}
			switch {
			case c.rule == "" && len(alerts) > 0:
				t.Errorf("benign capture raised %d alerts: %q", len(alerts), all)
			case c.rule != "" && n != 1:
				t.Errorf("%d %s alerts naming src %q dst %q, want 1; alerts: %q", n, c.rule, c.src, c.dst, all)
			}

			s, err := ScoreFlows(context.Background(), out, m)
			if err != nil {
				t.Fatal(err)
			}
			mal := 0
			for _, r := range s.Rows {
				if r.Class != nil && *r.Class != "benign" {
					mal++
				}
			}
			share := float64(mal) / float64(len(s.Rows))
			if c.rule == "" && mal > 0 || c.modelShare > 0 && share < c.modelShare {
				t.Errorf("built-in model: %d of %d flows malicious (%.3f), want %s %.2f", mal, len(s.Rows), share,
					map[bool]string{true: "none", false: "at least"}[c.rule == ""], c.modelShare)
			}
		})
	}
}
