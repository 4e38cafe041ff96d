package detect

import (
	"context"
	"net/netip"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"flowsift/detect/alert"
	"flowsift/extract"
)

// TestRunPerspective: --perspective auto finds the host in the most
// packets and records it; --exclude-perspective and --exclude-ip keep
// hosts from being reported as actors, and the summary records both.
func TestRunPerspective(t *testing.T) {
	const (
		own     = "10.0.0.1" // the capture's host: most packets, and it scans
		other   = "10.0.0.2"
		target  = "10.0.0.50"
		server  = "198.51.100.9"
		packets = 1000 + 2000 + 15 + 2*50
	)
	ts := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).UnixMicro()
	rows := []extract.FlowRow{
		{UID: "Cdownload", OrigH: own, OrigP: 50000, RespH: server, RespP: 443, IPProto: 6, ConnState: "SF", History: valPtr("ShADadFf"),
			OrigPkts: 1000, RespPkts: 2000, OrigPayloadBytes: 1000, RespPayloadBytes: 2_000_000, OrigSynPkts: 1, RespSynPkts: 1},
		{UID: "Clan", OrigH: other, OrigP: 50001, RespH: "10.0.0.3", RespP: 445, IPProto: 6, ConnState: "SF", History: valPtr("ShADadFf"),
			OrigPkts: 50, RespPkts: 50, OrigPayloadBytes: 5000, RespPayloadBytes: 5000, OrigSynPkts: 1, RespSynPkts: 1},
	}
	for p := range 15 { // a vertical scan by the capture's own host
		rows = append(rows, extract.FlowRow{UID: "Cscan" + string(rune('a'+p)), TS: int64(p) * 1e6, OrigH: own, OrigP: 40000, RespH: target, RespP: int32(1 + p),
			IPProto: 6, ConnState: "S0", History: valPtr("S"), OrigPkts: 1, OrigSynPkts: 1})
	}
	for i := range rows {
		rows[i].CaptureID = "cap1"
		rows[i].TS += ts
		rows[i].TSEnd = rows[i].TS
	}
	dir := t.TempDir()
	writeTestParquet(t, filepath.Join(dir, extract.FlowsFile), func(emit func(*extract.FlowRow)) {
		for i := range rows {
			emit(&rows[i])
		}
	})
	scan := []string{"port-scan " + own + " -> " + target}

	tests := []struct {
		name        string
		perspective string
		exclPersp   bool
		exclude     []netip.Prefix
		wantPersp   *Perspective
		wantExcl    []string
		wantAlerts  []string
	}{
		{name: "no perspective", wantAlerts: scan},
		{name: "auto finds the busiest host", perspective: "auto",
			wantPersp:  &Perspective{Address: own, Packets: packets - 2*50, Share: float64(packets-2*50) / packets, Auto: true},
			wantAlerts: scan},
		{name: "auto, excluded", perspective: "auto", exclPersp: true,
			wantPersp: &Perspective{Address: own, Packets: packets - 2*50, Share: float64(packets-2*50) / packets, Auto: true},
			wantExcl:  []string{own + "/32"}},
		{name: "given address, excluded", perspective: other, exclPersp: true,
			wantPersp:  &Perspective{Address: other, Packets: 100, Share: 100.0 / packets},
			wantExcl:   []string{other + "/32"},
			wantAlerts: scan},
		{name: "exclude-ip network", exclude: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/24")},
			wantExcl: []string{"10.0.0.0/24"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := DefaultConfig()
			cfg.Dir, cfg.OutDir, cfg.NoSigma = dir, t.TempDir(), true
			cfg.Perspective, cfg.ExcludePerspective, cfg.Exclude = tt.perspective, tt.exclPersp, tt.exclude
			sum, alerts, err := Run(context.Background(), cfg)
			if err != nil {
				t.Fatalf("Run() error = %v", err)
			}
			if diff := cmp.Diff(sum.Perspective, tt.wantPersp, cmpopts.EquateApprox(0, 1e-9)); diff != "" {
				t.Errorf("Run() perspective (-got, +want):\n%s", diff)
			}
			if diff := cmp.Diff(sum.Excluded, tt.wantExcl); diff != "" {
				t.Errorf("Run() excluded (-got, +want):\n%s", diff)
			}
			var got []string
			for _, a := range alerts {
				got = append(got, a.RuleID+" "+a.Src[0]+" -> "+a.Dst[0])
			}
			if diff := cmp.Diff(got, tt.wantAlerts); diff != "" {
				t.Errorf("Run() alerts (-got, +want):\n%s", diff)
			}
			if sum.CaptureID != "cap1" || sum.Alerts != len(alerts) {
				t.Errorf("summary capture %q, %d alerts; want cap1, %d", sum.CaptureID, sum.Alerts, len(alerts))
			}
			for _, f := range []string{alert.ParquetFile, alert.JSONLFile, SummaryFile} {
				if _, err := os.Stat(filepath.Join(cfg.OutDir, f)); err != nil {
					t.Errorf("output %s: %v", f, err)
				}
			}
		})
	}
}
