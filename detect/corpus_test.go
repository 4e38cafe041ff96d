package detect

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"flowsift/detect/alert"
	"flowsift/extract"
)

// sharedCorpus locates ../shared/corpus beside the module, or skips.
func sharedCorpus(t *testing.T) string {
	t.Helper()
	c := filepath.Join("..", "..", "shared", "corpus")
	if _, err := os.Stat(c); err != nil {
		t.Skipf("real-capture corpus absent (%s): labelled-capture detections not checked", c)
	}
	return c
}

// labelledExpectation is what the detections must report on one capture
// of ../shared/corpus/labels.tsv: a rule id (a threshold detection or a
// Sigma rule's id) with the address it must name, or no alert at all.
type labelledExpectation struct {
	file string
	rule string // "" for benign captures: no alert
	addr string // must appear in the alert's src or dst
	// exactly is the number of alerts the rule must raise (0: at least one).
	exactly int
}

// labelled lists every capture of labels.tsv. The real attack tools and
// networks behind these captures are not the generator's: they are the
// check that the thresholds and the Sigma pack work on traffic we did not
// make.
var labelled = []labelledExpectation{
	// 37,623 spoofed sources, one victim: one alert, not thousands.
	{"stopddos/pkt.TCP.synflood.spoofed.pcap", "syn-flood", "10.10.10.10", 1},
	{"stopddos/amp.dns.RRSIG.fragmented.pcap", "amplification", "10.10.10.10", 1},
	{"stopddos/amp.UDP.isakmp.pcap", "amplification", "10.10.10.10", 1},
	{"stopddos/amp.TCP.reflection.SYNACK.pcap", "amplification", "10.10.10.10", 1},
	{"ndpi/synscan.pcap", "port-scan", "172.16.0.8", 1},
	// A scan of FIN/NULL/Xmas-style probes: the stealth-probe part of the
	// port-scan detection.
	{"ndpi/tcp_scan.pcapng", "port-scan", "192.168.1.178", 1},
	// Too few queries for the volume-based dns-tunnel rule; the Sigma
	// pack's long-label rule names it.
	{"ndpi/dns-exf.pcap", "dcb730a2-dec4-4959-96c4-25734bf62579", "", 0},
	{"ndpi/WebattackSQLinj.pcap", "5c0e7a52-9d3b-4f6e-8a21-3b7d2c9e4f10", "", 0},
	{"ndpi/sql_injection.pcap", "5c0e7a52-9d3b-4f6e-8a21-3b7d2c9e4f10", "", 0},
	{"ndpi/xss.pcap", "7e2b9c41-0a5d-4c3f-9f18-6d4a8b2e1c57", "", 0},
	// A scanner's remote-code-execution probes: its request rate and its
	// web-shell, traversal and user-agent patterns.
	{"ndpi/WebattackRCE.pcap", "http-flood", "127.0.0.1", 1},
	{"ndpi/WebattackRCE.pcap", "94836e06-8a39-43c8-8c55-aa790f9a6d85", "", 0},
	{"ndpi/WebattackRCE.pcap", "c2110b81-8fed-4e09-8049-955bd5b769ba", "", 0},
	{"ndpi/dns.pcap", "", "", 0},
	{"ndpi/http.pcapng", "", "", 0},
}

// TestLabelledCaptures runs extract and the rules and Sigma layers over
// the labelled real captures and checks every label.
func TestLabelledCaptures(t *testing.T) {
	corpus := sharedCorpus(t)
	labels, err := os.ReadFile(filepath.Join(corpus, "labels.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]labelledExpectation{}
	for _, e := range labelled {
		files[e.file] = append(files[e.file], e)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(labels)), "\n")[1:] {
		if f := strings.Split(line, "\t")[0]; files[f] == nil {
			t.Errorf("labels.tsv lists %s, which this test does not check", f)
		}
	}
	for _, file := range slices.Sorted(func(yield func(string) bool) {
		for f := range files {
			if !yield(f) {
				return
			}
		}
	}) {
		t.Run(file, func(t *testing.T) {
			alerts := detectCapture(t, filepath.Join(corpus, file))
			for _, e := range files[file] {
				if e.rule == "" {
					for _, a := range alerts {
						t.Errorf("benign capture: alert %s %q", a.RuleID, a.Name)
					}
					continue
				}
				n := 0
				for _, a := range alerts {
					if a.RuleID == e.rule && (e.addr == "" || slices.Contains(a.Src, e.addr) || slices.Contains(a.Dst, e.addr)) {
						n++
					}
				}
				if n == 0 || e.exactly > 0 && n != e.exactly {
					var got []string
					for _, a := range alerts {
						got = append(got, a.RuleID+" "+a.Name)
					}
					t.Errorf("%d %s alerts naming %q, want %d (0: at least one); alerts: %q", n, e.rule, e.addr, e.exactly, got)
				}
			}
		})
	}
}

// extractCapture runs the extract stage with its defaults on pcap into a
// new directory, which it returns.
func extractCapture(t *testing.T, pcap string) string {
	t.Helper()
	out := t.TempDir()
	ecfg := extract.DefaultConfig()
	ecfg.Inputs, ecfg.OutDir = []string{pcap}, out
	if _, err := extract.Run(context.Background(), ecfg); err != nil {
		t.Fatal(err)
	}
	return out
}

// detectDir runs the default detection layers over an extract output.
func detectDir(t *testing.T, dir string) []alert.Alert {
	t.Helper()
	cfg := DefaultConfig()
	cfg.Dir = dir
	_, alerts, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return alerts
}

func detectCapture(t *testing.T, pcap string) []alert.Alert {
	t.Helper()
	return detectDir(t, extractCapture(t, pcap))
}
