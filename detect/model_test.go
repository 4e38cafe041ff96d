package detect

import (
	"context"
	"fmt"
	"net/netip"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"flowsift/datasets"
	"flowsift/detect/alert"
	"flowsift/extract"
	"flowsift/extract/table"
	"flowsift/train/model/builtin"
)

// scored builds a Scores value by hand: rows of (orig, resp, class, p).
func scored(rows ...[4]string) *Scores {
	s := &Scores{}
	for i, r := range rows {
		cls := r[2]
		var p float64
		fmt.Sscan(r[3], &p)
		mal := p
		if cls == "benign" {
			mal = 1 - p
		}
		s.Rows = append(s.Rows, Score{UID: fmt.Sprintf("C%03d", i), CaptureID: "cap", TS: int64(i) * 1e9, OrigH: r[0], RespH: r[1], Class: &cls, Probability: &p, Malicious: &mal})
	}
	return s
}

// TestModelAlertsGrouping checks how flagged flows become alerts: many
// sources toward one destination make one alert for it; a source's
// flows toward few destinations make one alert for the source; benign
// and excluded sources make none.
func TestModelAlertsGrouping(t *testing.T) {
	var rows [][4]string
	for i := range 25 {
		rows = append(rows, [4]string{fmt.Sprintf("198.51.100.%d", i), "10.0.0.1", "syn_flood", "0.9"})
	}
	for i := range 5 {
		rows = append(rows, [4]string{"203.0.113.7", fmt.Sprintf("10.0.0.%d", 10+i), "port_scan_vertical", "0.8"})
	}
	rows = append(rows, [4]string{"10.0.0.5", "10.0.0.6", "benign", "0.99"})
	rows = append(rows, [4]string{"192.0.2.9", "10.0.0.1", "malicious", "0.7"})
	s := scored(rows...)

	o := DefaultModelOptions()
	o.ID = "m:1"
	o.Exclude = []netip.Prefix{netip.MustParsePrefix("192.0.2.0/24")}
	got := s.ModelAlerts(o)
	type view struct {
		Name, Severity string
		Src, Dst       []string
		Count          int64
		Evidence       int
		Confidence     float64
	}
	var views []view
	for _, a := range got {
		if a.Detector != alert.DetectorModel || a.RuleID != "m:1" || a.CountUnit != "flows" {
			t.Errorf("alert %q: detector %q, rule %q, unit %q", a.Name, a.Detector, a.RuleID, a.CountUnit)
		}
		views = append(views, view{a.Name, a.Severity, a.Src, a.Dst, a.Count, len(a.Evidence), a.Confidence})
	}
	var top10 []string
	for _, i := range []int{0, 1, 10, 11, 12, 13, 14, 15, 16, 17} { // address order among equal counts
		top10 = append(top10, fmt.Sprintf("198.51.100.%d", i))
	}
	want := []view{
		{"Model: port_scan_vertical from 203.0.113.7", alert.SeverityMedium, []string{"203.0.113.7"},
			[]string{"10.0.0.10", "10.0.0.11", "10.0.0.12", "10.0.0.13", "10.0.0.14"}, 5, 5, 0.8},
		{"Model: syn_flood toward 10.0.0.1 from 25 sources", alert.SeverityHigh, top10, []string{"10.0.0.1"}, 25, 25, 0.9},
	}
	if diff := cmp.Diff(want, views, cmp.Comparer(func(a, b float64) bool { return a-b < 1e-9 && b-a < 1e-9 })); diff != "" {
		t.Errorf("alerts (-want, +got):\n%s", diff)
	}

	o.FanIn = 30 // the 25 flood sources are now reported one by one
	if n := len(s.ModelAlerts(o)); n != 26 {
		t.Errorf("with fan-in 30: %d alerts, want 25 sources + 1 scanner", n)
	}
}

// TestScoreFlowsBuiltin scores a generated spoofed SYN flood with the
// shipped model: every flow gets a class and an anomaly score, and the
// flood becomes one model alert for its victim.
func TestScoreFlowsBuiltin(t *testing.T) {
	m, err := builtin.Model()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	pcap := filepath.Join(dir, "in.pcap")
	cfg := datasets.Config{Scenarios: []string{datasets.AttackSYNFloodSpoofed}, Seed: 77, Benign: true, Hosts: 4, Scale: 0.2, Duration: 4 * time.Minute}
	truth, err := datasets.WriteCapture(context.Background(), pcap, "", cfg)
	if err != nil {
		t.Fatal(err)
	}
	out := extractCapture(t, pcap)
	s, err := ScoreFlows(context.Background(), out, m)
	if err != nil {
		t.Fatal(err)
	}
	f, err := table.Open(filepath.Join(out, extract.FlowsFile))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if len(s.Rows) != int(f.Rows()) {
		t.Fatalf("%d scores for %d flows", len(s.Rows), f.Rows())
	}
	for _, r := range s.Rows {
		if r.Class == nil || r.Probability == nil || r.AnomalyScore == nil || r.Anomalous == nil {
			t.Fatalf("flow %s: incomplete score %+v", r.UID, r)
		}
	}
	if err := s.Write(out, nil); err != nil {
		t.Fatal(err)
	}
	victim := truth.Events[len(truth.Events)-1].Victims[0]
	var found bool
	for _, a := range s.ModelAlerts(DefaultModelOptions()) {
		if len(a.Dst) == 1 && a.Dst[0] == victim && a.Count >= 20 {
			found = true
		}
	}
	if !found {
		t.Errorf("no model alert for the flood victim %s", victim)
	}
}
