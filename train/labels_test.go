package train

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"flowsift/datasets"
	"flowsift/extract"
	"flowsift/extract/table"
	"flowsift/features"
)

func TestReadLabelRules(t *testing.T) {
	ts := func(s string) int64 {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v.UnixNano()
	}
	tests := []struct {
		name string
		file string
		want []LabelRule
		err  bool
	}{
		{"tsv with header and comment", "label\tattacker\tvictim\tstart\tend\n# a comment\n\nsyn_flood\t*\t10.10.10.10\t2024-01-01T00:00:00Z\t2024-01-01T01:00:00Z\n", []LabelRule{
			{Label: "syn_flood", Victim: netip.MustParsePrefix("10.10.10.10/32"), Start: ts("2024-01-01T00:00:00Z"), End: ts("2024-01-01T01:00:00Z"), Line: 4},
		}, false},
		{"csv with prefix and open window", "port_scan, 203.0.113.0/24, *, *, *, extra\n", []LabelRule{
			{Label: "port_scan", Attacker: netip.MustParsePrefix("203.0.113.0/24"), Line: 1},
		}, false},
		{"ipv6 and mapped", "x\t::ffff:192.0.2.1\t2001:db8::1\t*\t*\n", []LabelRule{
			{Label: "x", Attacker: netip.MustParsePrefix("192.0.2.1/32"), Victim: netip.MustParsePrefix("2001:db8::1/128"), Line: 1},
		}, false},
		{"too few columns", "x\t1.2.3.4\n", nil, true},
		{"bad address", "x\t1.2.3\t*\t*\t*\n", nil, true},
		{"bad time", "x\t1.2.3.4\t*\tyesterday\t*\n", nil, true},
		{"end before start", "x\t1.2.3.4\t*\t2024-01-02T00:00:00Z\t2024-01-01T00:00:00Z\n", nil, true},
		{"matches everything", "x\t*\t*\t*\t*\n", nil, true},
		{"empty label", "\t1.2.3.4\t*\t*\t*\n", nil, true},
		{"no rules", "# nothing\n", nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "labels.tsv")
			if err := os.WriteFile(path, []byte(tt.file), 0o644); err != nil {
				t.Fatal(err)
			}
			got, err := ReadLabelRules(path)
			if tt.err {
				if !errors.Is(err, ErrLabels) {
					t.Fatalf("err = %v, want ErrLabels", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got, cmp.Comparer(func(a, b netip.Prefix) bool { return a == b })); diff != "" {
				t.Errorf("rules (-want, +got):\n%s", diff)
			}
		})
	}
}

// TestLabelsFromTruth labels an extracted generated capture from its
// ground truth: every flow row gets its truth label, and every truth flow
// finds its row.
func TestLabelsFromTruth(t *testing.T) {
	dir := t.TempDir()
	pcap := filepath.Join(dir, "c.pcap")
	cfg := datasets.Config{Scenarios: []string{"port_scan_vertical", "dns_tunnel"}, Seed: 3, Benign: true, Hosts: 3, Scale: 0.2, Duration: 3 * time.Minute}
	truth, err := datasets.WriteCapture(context.Background(), pcap, "", cfg)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "x")
	ecfg := extract.DefaultConfig()
	ecfg.Inputs, ecfg.OutDir = []string{pcap}, out
	if _, err := extract.Run(context.Background(), ecfg); err != nil {
		t.Fatal(err)
	}
	set, err := features.Build(out, features.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	var l Labels
	want := map[string]int{}
	for _, f := range truth.Flows {
		l.Flows = append(l.Flows, FlowLabel{Proto: f.Proto, OrigH: f.OrigH, OrigP: f.OrigP, RespH: f.RespH, RespP: f.RespP,
			Start: f.TS.UnixNano(), End: f.TSEnd.UnixNano(), Label: f.Label})
		want[f.Label]++
	}
	n, err := l.Apply(out, set)
	if err != nil {
		t.Fatal(err)
	}
	if n.Unmatched != 0 || n.Default != 0 || n.Flows != set.Rows() {
		t.Errorf("label counts %+v for %d rows, want every row labelled by a flow", n, set.Rows())
	}
	got := map[string]int{}
	for _, lab := range set.Label {
		got[lab]++
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("rows per label (-truth, +labelled):\n%s", diff)
	}

	// A rule naming the scanner labels its flows, and only those.
	var scanner string
	for _, e := range truth.Events {
		if e.Type == "port_scan_vertical" {
			scanner = e.Attackers[0]
		}
	}
	r := Labels{Rules: []LabelRule{{Label: "scan", Attacker: netip.MustParsePrefix(scanner + "/32"), Line: 1}}}
	n, err = r.Apply(out, set)
	if err != nil {
		t.Fatal(err)
	}
	f, err := table.Open(filepath.Join(out, extract.FlowsFile))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tb, err := f.Read("uid", "orig_h", "resp_h")
	if err != nil {
		t.Fatal(err)
	}
	involved := map[string]bool{}
	for i := range tb.Rows {
		involved[tb.Column("uid").Strs[i]] = tb.Column("orig_h").Strs[i] == scanner || tb.Column("resp_h").Strs[i] == scanner
	}
	for i, uid := range set.UID {
		if got, want := set.Label[i] == "scan", involved[uid]; got != want {
			t.Errorf("flow %s labelled %q, involves the scanner: %v", uid, set.Label[i], want)
		}
	}
	if n.Rules == 0 || n.Rules+n.Default != set.Rows() {
		t.Errorf("rule counts %+v for %d rows", n, set.Rows())
	}
}

func TestClasses(t *testing.T) {
	labels := []string{"benign", "udp_flood", "benign", "port_scan", "udp_flood"}
	for _, tt := range []struct {
		multi   bool
		classes []string
		y       []int
	}{
		{false, []string{"benign", "malicious"}, []int{0, 1, 0, 1, 1}},
		{true, []string{"benign", "port_scan", "udp_flood"}, []int{0, 2, 0, 1, 2}},
	} {
		t.Run(fmt.Sprint("multiclass=", tt.multi), func(t *testing.T) {
			c, y := Classes(labels, tt.multi)
			if diff := cmp.Diff(tt.classes, c); diff != "" {
				t.Errorf("classes (-want, +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.y, y); diff != "" {
				t.Errorf("y (-want, +got):\n%s", diff)
			}
		})
	}
}
