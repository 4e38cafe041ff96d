package rules

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestHostDiscoverySweep: nmap -sn sends an echo request and a SYN to 443
// to every address; that is one sweep, one alert, whose details count
// each host's ICMP unreachable answers once and list TCP ports only.
func TestHostDiscoverySweep(t *testing.T) {
	hosts := addrs("10.2", 30)
	var rows []flowRow
	for i, h := range hosts {
		at := sec(10) + time.Duration(i)*100*time.Millisecond
		rows = append(rows, flowRow{TS: at, Orig: scanner, OrigP: 8, Resp: h, Proto: 1, State: "OTH", OrigPkts: 1, OrigIPBytes: 28, ICMPType: ptr(int32(8))})
		rows = append(rows, synProbe(at+time.Millisecond, scanner, 40000, h, 443))
		// A router reports each address unreachable, three times.
		rows = append(rows, flowRow{TS: at + 2*time.Millisecond, Orig: h, OrigP: 3, Resp: scanner, RespP: 1, Proto: 1, State: "OTH",
			OrigPkts: 3, OrigIPBytes: 3 * 56, ICMPType: ptr(int32(3))})
	}
	c := DefaultConfig()
	as, _, err := Run(buildData(t, tables{Flows: rows}), &c, Options{Only: []string{"port-scan"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(as) != 1 {
		t.Fatalf("%d alerts, want one: %v", len(as), project(as))
	}
	a := as[0]
	var d struct {
		Kind            string  `json:"kind"`
		Ports           []int32 `json:"ports"`
		ICMPUnreachable int64   `json:"icmp_unreachable"`
		Targets         int     `json:"targets"`
	}
	if err := json.Unmarshal([]byte(a.Details), &d); err != nil {
		t.Fatal(err)
	}
	want := struct {
		Name            string
		Kind            string
		Ports           []int32
		ICMPUnreachable int64
		Targets         int
		DstPortSet      bool
		Evidence        int64
	}{"Sweep of ICMP echo and port 443 across 30 hosts by " + scanner, "horizontal", []int32{443}, 90, 30, false, 60}
	gotv := want
	gotv.Name, gotv.Kind, gotv.Ports, gotv.ICMPUnreachable, gotv.Targets, gotv.DstPortSet, gotv.Evidence =
		a.Name, d.Kind, d.Ports, d.ICMPUnreachable, d.Targets, a.DstPort != nil, a.EvidenceTotal
	if diff := cmp.Diff(gotv, want); diff != "" {
		t.Errorf("host discovery sweep (-got, +want):\n%s", diff)
	}
}
