package extract

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"flowsift/datasets"
	"flowsift/extract/table"
)

// flowFacts are the fields the generator's ground truth fixes for a flow.
type flowFacts struct {
	TS, TSEnd                int64 // microseconds
	State, History           string
	OrigPkts, RespPkts       int64
	OrigIPBytes, RespIPBytes int64
	OrigPayload, RespPayload int64
	OrigL2, RespL2           int64
	DurationNS               int64 // -1: null (zero duration)
}

// TestFlowsMatchGeneratorTruth extracts every generated scenario and
// checks each flow's fields against the truth the generator computed
// independently from the packets it wrote.
func TestFlowsMatchGeneratorTruth(t *testing.T) {
	for _, sc := range datasets.Scenarios() {
		t.Run(sc.Name, func(t *testing.T) {
			t.Parallel()
			cfg := datasets.Config{Scenarios: []string{sc.Name}, Seed: 7, Hosts: 4, Scale: 0.05, AttackSpan: 4 * time.Second}
			switch sc.Name {
			case datasets.Benign:
				cfg.Duration = 3 * time.Minute
			case datasets.AttackBeaconing:
				cfg.Duration = 5 * time.Minute
			case datasets.AttackDNSTunnel, datasets.AttackICMPTunnel:
				cfg.Scale, cfg.AttackSpan = 1, 15*time.Second
			}
			dir := t.TempDir()
			pcap := filepath.Join(dir, "in.pcap")
			truth, err := datasets.WriteCapture(context.Background(), pcap, "", cfg)
			if err != nil {
				t.Fatal(err)
			}
			got := extractFacts(t, pcap, filepath.Join(dir, "out"))
			want := map[string]flowFacts{}
			for _, f := range truth.Flows {
				dur := f.DurationNS
				if f.DurationNS == 0 {
					dur = -1
				}
				want[key(f.OrigH, f.OrigP, f.RespH, f.RespP, f.Proto)] = flowFacts{
					TS: f.TS.UnixMicro(), TSEnd: f.TSEnd.UnixMicro(), State: f.ConnState, History: f.History,
					OrigPkts: f.OrigPkts, RespPkts: f.RespPkts, OrigIPBytes: f.OrigIPBytes, RespIPBytes: f.RespIPBytes,
					OrigPayload: f.OrigBytes, RespPayload: f.RespBytes, OrigL2: f.OrigL2Bytes, RespL2: f.RespL2Bytes,
					DurationNS: dur,
				}
			}
			if len(want) == 0 {
				t.Fatal("generator wrote no flows")
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("flows (-truth, +extracted):\n%s", diff)
			}
		})
	}
}

func key(oh string, op int, rh string, rp int, proto string) string {
	return fmt.Sprintf("%s %s:%d > %s:%d", proto, oh, op, rh, rp)
}

func extractFacts(t *testing.T, pcap, out string) map[string]flowFacts {
	t.Helper()
	cfg := DefaultConfig()
	cfg.Inputs, cfg.OutDir = []string{pcap}, out
	if _, err := Run(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	f, err := table.Open(filepath.Join(out, FlowsFile))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tb, err := f.Read("orig_h", "orig_p", "resp_h", "resp_p", "proto", "ts", "ts_end", "conn_state", "history",
		"orig_pkts", "resp_pkts", "orig_ip_bytes", "resp_ip_bytes", "orig_payload_bytes", "resp_payload_bytes",
		"orig_l2_bytes", "resp_l2_bytes", "duration")
	if err != nil {
		t.Fatal(err)
	}
	c := tb.Column
	got := map[string]flowFacts{}
	for i := range tb.Rows {
		k := key(c("orig_h").Strs[i], int(c("orig_p").Ints[i]), c("resp_h").Strs[i], int(c("resp_p").Ints[i]), c("proto").Strs[i])
		if _, dup := got[k]; dup {
			t.Errorf("flow %s extracted twice", k)
		}
		dur := int64(-1)
		if !c("duration").IsNull(i) {
			dur = int64(math.Round(c("duration").Floats[i] * 1e9))
		}
		hist := ""
		if !c("history").IsNull(i) {
			hist = c("history").Strs[i]
		}
		got[k] = flowFacts{
			TS: c("ts").Ints[i] / 1e3, TSEnd: c("ts_end").Ints[i] / 1e3, State: c("conn_state").Strs[i], History: strings.Clone(hist),
			OrigPkts: c("orig_pkts").Ints[i], RespPkts: c("resp_pkts").Ints[i],
			OrigIPBytes: c("orig_ip_bytes").Ints[i], RespIPBytes: c("resp_ip_bytes").Ints[i],
			OrigPayload: c("orig_payload_bytes").Ints[i], RespPayload: c("resp_payload_bytes").Ints[i],
			OrigL2: c("orig_l2_bytes").Ints[i], RespL2: c("resp_l2_bytes").Ints[i],
			DurationNS: dur,
		}
	}
	return got
}
