package rules

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"flowsift/detect/alert"
)

// detCase runs one detection (at the shipped defaults unless cfg changes
// them) over in-memory tables and lists the alerts it must raise.
type detCase struct {
	name    string
	rule    string
	data    tables
	cfg     func(*Config)
	exclude []netip.Prefix
	want    []got
	// actors holds every actor when the alerts list only the top 20
	// sources (TestExcludedActorsRaiseNothing excludes it too).
	actors []netip.Prefix
}

// Hosts used across the cases (documentation and benchmark ranges).
const (
	victim   = "192.0.2.10"
	attacker = "203.0.113.5"
	scanner  = "203.0.113.20"
	target   = "192.0.2.50"
	client   = "10.0.0.5"
	resolver = "10.0.0.53"
	remote   = "198.51.100.60"
)

func detectionCases() []detCase {
	var cs []detCase
	for _, f := range []func() []detCase{
		synFloodCases, icmpFloodCases, udpFloodCases, httpFloodCases, portScanCases,
		dnsHeavyCases, dnsTunnelCases, nxdomainCases, asymmetricCases, amplificationCases,
		icmpTunnelCases, exfiltrationCases, unusualPortsCases, beaconingCases,
	} {
		cs = append(cs, f()...)
	}
	return cs
}

// TestDetections runs every case and compares the alerts' rule, actors,
// victims, severity, time span, count, threshold and evidence total.
func TestDetections(t *testing.T) {
	for _, tc := range detectionCases() {
		t.Run(tc.rule+"/"+tc.name, func(t *testing.T) {
			c := DefaultConfig()
			if tc.cfg != nil {
				tc.cfg(&c)
			}
			as, skipped, err := Run(buildData(t, tc.data), &c, Options{Only: []string{tc.rule}, Exclude: tc.exclude})
			if err != nil {
				t.Fatalf("Run() error = %v", err)
			}
			if len(skipped) > 0 {
				t.Fatalf("Run() skipped %v", skipped)
			}
			if diff := cmp.Diff(project(as), tc.want); diff != "" {
				t.Errorf("Run(%s) alerts (-got, +want):\n%s", tc.rule, diff)
			}
			checkAlerts(t, as)
		})
	}
}

// checkAlerts checks what every threshold alert promises: the count that
// triggered it reaches the threshold it reports, the evidence list is
// capped by the total, and the time span is ordered.
func checkAlerts(t *testing.T, as []alert.Alert) {
	t.Helper()
	for _, a := range as {
		if a.Detector != alert.DetectorRules || len(a.Mitre) == 0 || a.CaptureID != "test" {
			t.Errorf("%s: detector %q, mitre %v, capture %q; want rules, some technique, test", a.RuleID, a.Detector, a.Mitre, a.CaptureID)
		}
		if a.Threshold != nil && float64(a.Count) < *a.Threshold {
			t.Errorf("%s %q: count %d is below the threshold %v it reports", a.RuleID, a.Name, a.Count, *a.Threshold)
		}
		if int64(len(a.Evidence)) > a.EvidenceTotal || len(a.Evidence) == 0 {
			t.Errorf("%s: %d evidence references for a total of %d", a.RuleID, len(a.Evidence), a.EvidenceTotal)
		}
		if a.TsLast < a.TsFirst {
			t.Errorf("%s: ts_last %d before ts_first %d", a.RuleID, a.TsLast, a.TsFirst)
		}
		if a.Confidence <= 0 || a.Confidence >= 1 {
			t.Errorf("%s: confidence %v outside (0, 1)", a.RuleID, a.Confidence)
		}
	}
}

// TestDetectionCasesCoverRegistry: every detection has a case that fires
// and one that must not.
func TestDetectionCasesCoverRegistry(t *testing.T) {
	fires, silent := map[string]bool{}, map[string]bool{}
	for _, tc := range detectionCases() {
		if len(tc.want) > 0 {
			fires[tc.rule] = true
		} else {
			silent[tc.rule] = true
		}
	}
	for _, d := range Detections() {
		if !fires[d.ID] || !silent[d.ID] {
			t.Errorf("detection %s: firing case %v, silent case %v; want both", d.ID, fires[d.ID], silent[d.ID])
		}
	}
}

// TestExcludedActorsRaiseNothing: --exclude-ip removes hosts from being
// reported as actors; excluding every actor of a firing case silences it.
func TestExcludedActorsRaiseNothing(t *testing.T) {
	for _, tc := range detectionCases() {
		if len(tc.want) == 0 {
			continue
		}
		t.Run(tc.rule+"/"+tc.name, func(t *testing.T) {
			excl := append(slices.Clone(tc.exclude), tc.actors...)
			for _, w := range tc.want {
				for _, s := range w.Src {
					a := netip.MustParseAddr(s)
					excl = append(excl, netip.PrefixFrom(a, a.BitLen()))
				}
			}
			c := DefaultConfig()
			if tc.cfg != nil {
				tc.cfg(&c)
			}
			as, _, err := Run(buildData(t, tc.data), &c, Options{Only: []string{tc.rule}, Exclude: excl})
			if err != nil {
				t.Fatal(err)
			}
			if got := project(as); len(got) != 0 {
				t.Errorf("with the actors excluded, Run(%s) = %+v, want no alerts", tc.rule, got)
			}
		})
	}
}

func TestRunSkipsMissingTables(t *testing.T) {
	d := buildData(t, tables{Flows: []flowRow{synProbe(0, attacker, 1, victim, 80)}})
	c := DefaultConfig()
	_, skipped, err := Run(d, &c, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := []Skipped{
		{"http-flood", "no http.parquet in the input directory"},
		{"dns-heavy", "no dns.parquet in the input directory"},
		{"dns-tunnel", "no dns.parquet in the input directory"},
		{"nxdomain-storm", "no dns.parquet in the input directory"},
	}
	if diff := cmp.Diff(skipped, want); diff != "" {
		t.Errorf("Run() skipped (-got, +want):\n%s", diff)
	}
}

func TestSelect(t *testing.T) {
	tests := []struct {
		only    []string
		want    []string
		wantErr error
	}{
		{only: nil, want: registryIDs()},
		{only: []string{"syn-flood", "port-scan"}, want: []string{"syn-flood", "port-scan"}},
		// The original tool's switches, with or without dashes.
		{only: []string{"--ping-flood", "ports-scanner", "large-flow", "http-get", "dns-users", "asymmetrical-flows"},
			want: []string{"icmp-flood", "port-scan", "exfiltration", "http-flood", "dns-heavy", "asymmetric"}},
		{only: []string{"syn-flood", "syn-flood"}, want: []string{"syn-flood"}},
		{only: []string{"syn-flod"}, wantErr: ErrUnknownDetection},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.only), func(t *testing.T) {
			dets, err := Select(tt.only)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Select(%q) error = %v, want %v", tt.only, err, tt.wantErr)
			}
			var ids []string
			for _, d := range dets {
				ids = append(ids, d.ID)
			}
			if diff := cmp.Diff(ids, tt.want); diff != "" {
				t.Errorf("Select(%q) (-got, +want):\n%s", tt.only, diff)
			}
		})
	}
}

func registryIDs() []string {
	var ids []string
	for _, d := range Detections() {
		ids = append(ids, d.ID)
	}
	return ids
}

// ---- SYN flood: window 10 s (hop 5 s), >= 1000 incomplete SYNs toward a
// victim or >= 500 from one source, port spread <= 0.5.

// spoofedSYNs returns n incomplete SYNs toward victim:80 from n distinct
// sources (198.18.0.0/15), one per millisecond from start.
func spoofedSYNs(start time.Duration, n int, srcs []string) []flowRow {
	out := make([]flowRow, n)
	for i := range out {
		out[i] = synProbe(start+ms(i), srcs[i], int32(1024+i%60000), victim, 80)
	}
	return out
}

func synFloodCases() []detCase {
	srcs := addrs("198.18", 4000)
	spoofed := func(first, last time.Duration, n int, ev int64) got {
		return got{RuleID: "syn-flood", Severity: "high", Src: firstSorted(srcs[:ev], 20), Dst: []string{victim}, DstPort: 80,
			First: first, Last: last, Count: int64(n), Threshold: 1000, EvidenceTotal: ev}
	}
	withHistory := func(rows []flowRow, state, history string) []flowRow {
		for i := range rows {
			rows[i].State, rows[i].History = state, history
		}
		return rows
	}
	oneSource := func(n int) []flowRow {
		out := make([]flowRow, n)
		for i := range out {
			out[i] = synProbe(sec(20)+ms(i), attacker, int32(30000+i), victim, 80)
		}
		return out
	}
	var sustained []flowRow
	for k := range 6 {
		sustained = append(sustained, spoofedSYNs(time.Duration(k)*5*time.Second, 600, srcs[k*600:])...)
	}
	var slow []flowRow
	for i := range 1000 {
		slow = append(slow, synProbe(ms(600*i), attacker, int32(20000+i), victim, 80))
	}
	completed := spoofedSYNs(sec(20), 999, srcs)
	for i := range 500 {
		completed = append(completed, tcpSession(sec(21)+ms(i), srcs[i], int32(40000+i), victim, 80, 8, 400, 4000))
	}
	spread := spoofedSYNs(sec(20), 1000, srcs)
	for i := 500; i < 1000; i++ {
		spread[i].RespP = int32(1000 + i)
	}
	allPorts := oneSource(1000)
	for i := range allPorts {
		allPorts[i].RespP = int32(1 + i)
	}
	spoofedNet := []netip.Prefix{netip.MustParsePrefix("198.18.0.0/16")}
	cs := []detCase{
		{name: "spoofed flood at the victim threshold is one alert", rule: "syn-flood",
			data: tables{Flows: spoofedSYNs(sec(20), 1000, srcs)},
			want: []got{spoofed(sec(20), sec(20.999), 1000, 1000)}},
		{name: "one SYN below the victim threshold", rule: "syn-flood",
			data: tables{Flows: spoofedSYNs(sec(20), 999, srcs)}},
		{name: "SYN cookies: answered but never completed (S1, Sh) still count", rule: "syn-flood",
			data: tables{Flows: withHistory(spoofedSYNs(sec(20), 1000, srcs), "S1", "Sh")},
			want: []got{spoofed(sec(20), sec(20.999), 1000, 1000)}},
		{name: "scanner resets after SYN-ACK (ShR) count as incomplete", rule: "syn-flood",
			data: tables{Flows: withHistory(spoofedSYNs(sec(20), 1000, srcs), "RSTOS0", "ShR")},
			want: []got{spoofed(sec(20), sec(20.999), 1000, 1000)}},
		{name: "completed handshakes do not count", rule: "syn-flood",
			data: tables{Flows: completed}},
		{name: "one source at the per-source threshold", rule: "syn-flood",
			data: tables{Flows: oneSource(500)},
			want: []got{{RuleID: "syn-flood", Severity: "high", Src: []string{attacker}, Dst: []string{victim}, DstPort: 80,
				First: sec(20), Last: sec(20.499), Count: 500, Threshold: 500, EvidenceTotal: 500}}},
		{name: "one source one SYN below the per-source threshold", rule: "syn-flood",
			data: tables{Flows: oneSource(499)}},
		{name: "SYNs over a thousand ports are a scan, not a flood", rule: "syn-flood",
			data: tables{Flows: allPorts}},
		{name: "port spread at the limit (half on one port) is a flood", rule: "syn-flood",
			data: tables{Flows: spread},
			want: []got{{RuleID: "syn-flood", Severity: "high", Src: firstSorted(srcs[:1000], 20), Dst: []string{victim}, DstPort: -1,
				First: sec(20), Last: sec(20.999), Count: 1000, Threshold: 1000, EvidenceTotal: 1000}}},
		{name: "burst straddling two tumbling windows is found once", rule: "syn-flood",
			// 600 SYNs in [9 s, 9.6 s) and 600 in [10 s, 10.6 s): each
			// 10 s tumbling window holds 600, the sliding window [5 s,
			// 15 s) holds 1200; the window [10 s, 20 s) holds 600.
			data: tables{Flows: append(spoofedSYNs(sec(9), 600, srcs), spoofedSYNs(sec(10), 600, srcs[600:])...)},
			want: []got{spoofed(sec(9), sec(10.599), 1200, 1200)}},
		{name: "flood sustained over six windows is one alert", rule: "syn-flood",
			data: tables{Flows: sustained},
			want: []got{spoofed(0, sec(25.599), 1200, 3600)}},
		{name: "two bursts a minute apart are two alerts", rule: "syn-flood",
			data: tables{Flows: append(spoofedSYNs(sec(20), 1000, srcs), spoofedSYNs(sec(100), 1000, srcs[1000:])...)},
			want: []got{
				spoofed(sec(20), sec(20.999), 1000, 1000),
				{RuleID: "syn-flood", Severity: "high", Src: firstSorted(srcs[1000:2000], 20), Dst: []string{victim}, DstPort: 80,
					First: sec(100), Last: sec(100.999), Count: 1000, Threshold: 1000, EvidenceTotal: 1000},
			}},
		{name: "1000 SYNs from one source over ten minutes is no flood", rule: "syn-flood",
			data: tables{Flows: slow}},
		{name: "excluded network (CIDR) is never the actor", rule: "syn-flood",
			data:    tables{Flows: spoofedSYNs(sec(20), 1000, srcs)},
			exclude: spoofedNet},
	}
	for i := range cs {
		cs[i].actors = spoofedNet
	}
	return cs
}

// ---- ICMP flood: window 10 s, >= 1000 echo requests toward a victim or
// from one source.

func icmpFloodCases() []detCase {
	v6 := echo(sec(40), sec(44), "2001:db8::7", "2001:db8::20", 1000)
	v6.Proto, v6.ICMPType, v6.OrigP = 58, ptr[int32](128), 128
	replies := echo(sec(40), sec(44), attacker, victim, 1000)
	replies.ICMPType, replies.OrigP = ptr[int32](0), 0
	var many []flowRow
	for _, s := range addrs("100.64", 100) {
		many = append(many, echo(sec(40), sec(41), s, victim, 10))
	}
	one := func(first, last time.Duration, n, ev int64) got {
		return got{RuleID: "icmp-flood", Severity: "high", Src: []string{attacker}, Dst: []string{victim}, DstPort: -1,
			First: first, Last: last, Count: n, Threshold: 1000, EvidenceTotal: ev}
	}
	return []detCase{
		{name: "one source at the threshold", rule: "icmp-flood",
			data: tables{Flows: []flowRow{echo(sec(40), sec(44), attacker, victim, 1000)}},
			want: []got{one(sec(40), sec(44), 1000, 1)}},
		{name: "one packet below", rule: "icmp-flood",
			data: tables{Flows: []flowRow{echo(sec(40), sec(44), attacker, victim, 999)}}},
		{name: "a hundred sources add up toward the victim", rule: "icmp-flood",
			data: tables{Flows: many},
			want: []got{{RuleID: "icmp-flood", Severity: "high", Src: firstSorted(addrs("100.64", 100), 20), Dst: []string{victim}, DstPort: -1,
				First: sec(40), Last: sec(41), Count: 1000, Threshold: 1000, EvidenceTotal: 100}}},
		{name: "ICMPv6 echo requests count", rule: "icmp-flood",
			data: tables{Flows: []flowRow{v6}},
			want: []got{{RuleID: "icmp-flood", Severity: "high", Src: []string{"2001:db8::7"}, Dst: []string{"2001:db8::20"}, DstPort: -1,
				First: sec(40), Last: sec(44), Count: 1000, Threshold: 1000, EvidenceTotal: 1}}},
		{name: "echo replies are not requests", rule: "icmp-flood",
			data: tables{Flows: []flowRow{replies}}},
		{name: "a 100 s ping of 1000 packets does not add up", rule: "icmp-flood",
			data: tables{Flows: []flowRow{echo(0, sec(100), attacker, victim, 1000)}}},
		{name: "two flows straddling a window boundary are found once", rule: "icmp-flood",
			data: tables{Flows: []flowRow{echo(sec(8), sec(9.9), attacker, victim, 500), echo(sec(10), sec(11.9), attacker, victim, 500)}},
			want: []got{one(sec(8), sec(11.9), 1000, 2)}},
	}
}

// ---- UDP flood: window 10 s, >= 20000 packets toward a victim or 10000
// from one source, replies / packets <= 0.1.

func udpFloodCases() []detCase {
	srcs := addrs("100.64", 20)
	flows := func(replies ...int64) []flowRow {
		out := make([]flowRow, 20)
		for i := range out {
			out[i] = udpFlow(sec(60)+ms(i), srcs[i], 40000, victim, 9999, 1000, replies[min(i, len(replies)-1)])
		}
		return out
	}
	short := flows(0)
	short[0].OrigPkts = 999
	return []detCase{
		{name: "twenty sources at the victim threshold", rule: "udp-flood",
			data: tables{Flows: flows(0)},
			want: []got{{RuleID: "udp-flood", Severity: "high", Src: firstSorted(srcs, 20), Dst: []string{victim}, DstPort: 9999,
				First: sec(60), Last: sec(60.019), Count: 20000, Threshold: 20000, EvidenceTotal: 20}}},
		{name: "one packet below", rule: "udp-flood",
			data: tables{Flows: short}},
		{name: "one source at the per-source threshold", rule: "udp-flood",
			data: tables{Flows: []flowRow{udpFlow(sec(60), attacker, 40000, victim, 9999, 10000, 0)}},
			want: []got{{RuleID: "udp-flood", Severity: "high", Src: []string{attacker}, Dst: []string{victim}, DstPort: 9999,
				First: sec(60), Last: sec(60), Count: 10000, Threshold: 10000, EvidenceTotal: 1}}},
		{name: "reply ratio at the limit (0.1)", rule: "udp-flood",
			data: tables{Flows: flows(100)},
			want: []got{{RuleID: "udp-flood", Severity: "high", Src: firstSorted(srcs, 20), Dst: []string{victim}, DstPort: 9999,
				First: sec(60), Last: sec(60.019), Count: 20000, Threshold: 20000, EvidenceTotal: 20}}},
		{name: "answered traffic (ratio just above 0.1) is no flood", rule: "udp-flood",
			data: tables{Flows: flows(101, 100)}},
	}
}

// ---- HTTP flood: window 10 s, >= 500 requests toward a server or 200
// from one client.

func httpFloodCases() []detCase {
	const server = "192.0.2.40"
	reqs := func(n int, clients []string) []httpRow {
		out := make([]httpRow, n)
		for i := range out {
			out[i] = httpRow{UID: fmt.Sprintf("H%d", i/10), Depth: int64(i%10 + 1), TS: sec(30) + ms(10*i), Orig: clients[i%len(clients)], Resp: server, RespP: 80, Method: "GET"}
		}
		return out
	}
	clients := addrs("100.64", 50)
	return []detCase{
		{name: "one client at the per-source threshold", rule: "http-flood",
			data: tables{HTTP: reqs(200, []string{attacker})},
			want: []got{{RuleID: "http-flood", Severity: "high", Src: []string{attacker}, Dst: []string{server}, DstPort: 80,
				First: sec(30), Last: sec(31.99), Count: 200, Threshold: 200, EvidenceTotal: 200}}},
		{name: "one request below", rule: "http-flood",
			data: tables{HTTP: reqs(199, []string{attacker})}},
		{name: "fifty clients at the server threshold", rule: "http-flood",
			data: tables{HTTP: reqs(500, clients)},
			want: []got{{RuleID: "http-flood", Severity: "high", Src: firstSorted(clients, 20), Dst: []string{server}, DstPort: 80,
				First: sec(30), Last: sec(34.99), Count: 500, Threshold: 500, EvidenceTotal: 500}}},
		{name: "fifty clients one request below", rule: "http-flood",
			data: tables{HTTP: reqs(499, clients)}},
	}
}

// ---- Port scan: window 5 m (hop 150 s); >= 15 ports of one host, >= 25
// hosts on one port, >= 15 unanswered UDP ports, >= 3 stealth ports.

func portScanCases() []detCase {
	probes := func(start, step time.Duration, firstPort, n int) []flowRow {
		out := make([]flowRow, n)
		for i := range out {
			out[i] = synProbe(start+time.Duration(i)*step, scanner, 40000, target, int32(firstPort+i))
		}
		return out
	}
	connect := probes(sec(10), time.Second, 1, 15)
	for i := range connect {
		connect[i].State, connect[i].History, connect[i].OrigACK, connect[i].OrigRST, connect[i].RespSYN = "RSTO", "ShAR", 1, 1, 1
	}
	var data []flowRow
	for i := range 15 {
		data = append(data, tcpSession(sec(10)+time.Duration(i)*time.Second, scanner, int32(40000+i), target, int32(1+i), 6, 300, 900))
	}
	var slow []flowRow
	for k := range 6 {
		slow = append(slow, probes(time.Duration(k)*150*time.Second, time.Second, 1+10*k, 10)...)
	}
	hosts := addrs("10.1", 25)
	sweep := func(n int) []flowRow {
		out := make([]flowRow, n)
		for i := range out {
			out[i] = synProbe(sec(10)+time.Duration(i)*time.Second, scanner, 40000, hosts[i], 445)
		}
		return out
	}
	// nmap -p 22,445,3389 over a range: each host gets the three ports
	// within a second.
	multiSweep := func(ports ...int32) []flowRow {
		var out []flowRow
		for i, h := range hosts {
			for k, p := range ports {
				out = append(out, synProbe(sec(10)+time.Duration(i)*time.Second+time.Duration(k)*time.Millisecond, scanner, 40000, h, p))
			}
		}
		return out
	}
	// nmap -sn: one echo request per address, the live ones answer.
	pingSweep := func(n int) []flowRow {
		out := make([]flowRow, n)
		for i := range out {
			out[i] = flowRow{TS: sec(10) + time.Duration(i)*100*time.Millisecond, Orig: scanner, OrigP: 8, Resp: hosts[i], RespP: 0,
				Proto: 1, State: "OTH", OrigPkts: 1, OrigIPBytes: 28, ICMPType: ptr(int32(8))}
			if i%5 == 0 {
				out[i].RespPkts, out[i].RespIPBytes = 1, 28
			}
		}
		return out
	}
	udp := func(n, answered int) []flowRow {
		out := make([]flowRow, n)
		for i := range out {
			out[i] = udpFlow(sec(10)+time.Duration(i)*time.Second, scanner, 50000, target, int32(1+i), 1, 0)
			if i < answered {
				out[i].RespPkts = 1
			}
		}
		return out
	}
	fin := func(n int) []flowRow {
		out := make([]flowRow, n)
		for i := range out {
			out[i] = flowRow{TS: sec(10) + time.Duration(i)*time.Second, Orig: scanner, OrigP: 40000, Resp: target, RespP: int32(21 + i),
				Proto: 6, State: "OTH", History: "F", OrigPkts: 1, OrigFIN: 1, OrigIPBytes: 40}
		}
		return out
	}
	vertical := func(first, last time.Duration, n int64) got {
		return got{RuleID: "port-scan", Severity: "medium", Src: []string{scanner}, Dst: []string{target}, DstPort: -1,
			First: first, Last: last, Count: n, Threshold: 15, EvidenceTotal: n}
	}
	return []detCase{
		{name: "vertical at the threshold", rule: "port-scan",
			data: tables{Flows: probes(sec(10), time.Second, 1, 15)},
			want: []got{vertical(sec(10), sec(24), 15)}},
		{name: "vertical one port below", rule: "port-scan",
			data: tables{Flows: probes(sec(10), time.Second, 1, 14)}},
		{name: "connect scan (handshake, no data) counts", rule: "port-scan",
			data: tables{Flows: connect},
			want: []got{vertical(sec(10), sec(24), 15)}},
		{name: "connections that carried data are not probes", rule: "port-scan",
			data: tables{Flows: data}},
		{name: "scan straddling two windows is found once", rule: "port-scan",
			// 8 ports in [140 s, 148 s) and 8 in [150 s, 158 s): the window
			// [0, 300 s) holds 16, the window [150 s, 450 s) holds 8.
			data: tables{Flows: append(probes(sec(140), time.Second, 1, 8), probes(sec(150), time.Second, 101, 8)...)},
			want: []got{vertical(sec(140), sec(157), 16)}},
		{name: "a later probe outside the window is not evidence", rule: "port-scan",
			// The scan fills [0, 300 s); a probe at 320 s lies in no
			// window that reached the threshold.
			data: tables{Flows: append(probes(sec(10), time.Second, 1, 15), synProbe(sec(320), scanner, 40000, target, 9999))},
			want: []got{vertical(sec(10), sec(24), 15)}},
		{name: "slow scan over fifteen minutes is one alert", rule: "port-scan",
			data: tables{Flows: slow},
			want: []got{vertical(0, sec(759), 60)}},
		{name: "horizontal at the threshold", rule: "port-scan",
			data: tables{Flows: sweep(25)},
			want: []got{{RuleID: "port-scan", Severity: "medium", Src: []string{scanner}, Dst: firstSorted(hosts, 20), DstPort: 445,
				First: sec(10), Last: sec(34), Count: 25, Threshold: 25, EvidenceTotal: 25}}},
		{name: "horizontal one host below", rule: "port-scan",
			data: tables{Flows: sweep(24)}},
		{name: "ICMP echo sweep at the threshold", rule: "port-scan",
			data: tables{Flows: pingSweep(25)},
			want: []got{{RuleID: "port-scan", Severity: "medium", Src: []string{scanner}, Dst: firstSorted(hosts, 20), DstPort: -1,
				First: sec(10), Last: sec(10) + 2400*time.Millisecond, Count: 25, Threshold: 25, EvidenceTotal: 25}}},
		{name: "ICMP echo to one host below the sweep threshold", rule: "port-scan",
			data: tables{Flows: pingSweep(24)}},
		{name: "a sweep of three ports at once is one alert", rule: "port-scan",
			data: tables{Flows: multiSweep(22, 445, 3389)},
			want: []got{{RuleID: "port-scan", Severity: "medium", Src: []string{scanner}, Dst: firstSorted(hosts, 20), DstPort: -1,
				First: sec(10), Last: sec(34) + 2*time.Millisecond, Count: 25, Threshold: 25, EvidenceTotal: 75}}},
		{name: "UDP at the threshold", rule: "port-scan",
			data: tables{Flows: udp(15, 0)},
			want: []got{vertical(sec(10), sec(24), 15)}},
		{name: "answered UDP ports do not count", rule: "port-scan",
			data: tables{Flows: udp(15, 1)}},
		{name: "three stealth (FIN) probes", rule: "port-scan",
			data: tables{Flows: fin(3)},
			want: []got{{RuleID: "port-scan", Severity: "medium", Src: []string{scanner}, Dst: []string{target}, DstPort: -1,
				First: sec(10), Last: sec(12), Count: 3, Threshold: 3, EvidenceTotal: 3}}},
		{name: "SYN and stealth findings on one target are one alert", rule: "port-scan",
			data: tables{Flows: append(probes(sec(10), time.Second, 1, 15), fin(3)...)},
			want: []got{vertical(sec(10), sec(24), 18)}},
		{name: "two stealth probes", rule: "port-scan",
			data: tables{Flows: fin(2)}},
	}
}

// ---- DNS: heavy users (1 m window, >= 600 queries), tunnelling (10 m
// window), NXDOMAIN storms (5 m window, >= 100 answers for >= 50 names).

func queries(n int, start, step time.Duration, f func(i int) dnsRow) []dnsRow {
	out := make([]dnsRow, n)
	for i := range out {
		r := dnsRow{TS: start + time.Duration(i)*step, Orig: client, Resp: resolver, Query: fmt.Sprintf("q%d.example.com", i),
			QType: "A", RCode: "NOERROR", Domain: "example.com", LongLabel: int64(len(fmt.Sprint(i)) + 1), Entropy: 2.5, Depth: 1}
		if f != nil {
			f2 := f(i)
			r.Query, r.QType, r.RCode, r.Domain, r.LongLabel, r.Entropy = cmpOr(f2.Query, r.Query), cmpOr(f2.QType, r.QType), f2.RCode, f2.Domain, f2.LongLabel, f2.Entropy
		}
		out[i] = r
	}
	return out
}

func dnsHeavyCases() []detCase {
	heavy := func(first, last time.Duration) got {
		return got{RuleID: "dns-heavy", Severity: "low", Src: []string{client}, Dst: []string{resolver}, DstPort: -1,
			First: first, Last: last, Count: 600, Threshold: 600, EvidenceTotal: 600}
	}
	return []detCase{
		{name: "at the threshold", rule: "dns-heavy",
			data: tables{DNS: queries(600, sec(30), ms(40), nil)},
			want: []got{heavy(sec(30), sec(53.96))}},
		{name: "one query below", rule: "dns-heavy",
			data: tables{DNS: queries(599, sec(30), ms(40), nil)}},
		{name: "burst straddling two windows is found once", rule: "dns-heavy",
			data: tables{DNS: queries(600, sec(51), ms(30), nil)},
			want: []got{heavy(sec(51), sec(68.97))}},
		{name: "3000 queries over an hour", rule: "dns-heavy",
			data: tables{DNS: queries(3000, 0, ms(1200), nil)}},
	}
}

func dnsTunnelCases() []detCase {
	const dom = "tunnel.example"
	long := func(i int) dnsRow {
		return dnsRow{Query: fmt.Sprintf("%045x.%s", i*7919, dom), RCode: "NOERROR", Domain: dom, LongLabel: 45, Entropy: 4.0}
	}
	names := func(longish int) func(i int) dnsRow {
		return func(i int) dnsRow {
			r := dnsRow{Query: fmt.Sprintf("n%d.%s", i, dom), RCode: "NOERROR", Domain: dom, LongLabel: 8, Entropy: 2.5}
			if i < longish {
				r.LongLabel, r.Entropy = 20, 3.0
			}
			return r
		}
	}
	txt := func(qtype string) func(i int) dnsRow {
		return func(i int) dnsRow {
			return dnsRow{Query: "cmd." + dom, QType: qtype, RCode: "NOERROR", Domain: dom, LongLabel: 3, Entropy: 2.5}
		}
	}
	noDomain := func(i int) dnsRow { r := long(i); r.Domain = ""; return r }
	tunnel := func(last time.Duration, n int64, threshold float64) got {
		return got{RuleID: "dns-tunnel", Severity: "high", Src: []string{client}, Dst: []string{resolver}, DstPort: -1,
			First: sec(10), Last: last, Count: n, Threshold: threshold, EvidenceTotal: n}
	}
	return []detCase{
		{name: "long high-entropy queries at the threshold", rule: "dns-tunnel",
			data: tables{DNS: queries(20, sec(10), time.Second, long)},
			want: []got{tunnel(sec(29), 20, 20)}},
		{name: "one long query below", rule: "dns-tunnel",
			data: tables{DNS: queries(19, sec(10), time.Second, long)}},
		{name: "100 names with five signs of encoding", rule: "dns-tunnel",
			data: tables{DNS: queries(100, sec(10), time.Second, names(5))},
			want: []got{tunnel(sec(109), 100, 100)}},
		{name: "99 names with signs of encoding", rule: "dns-tunnel",
			data: tables{DNS: queries(99, sec(10), time.Second, names(5))}},
		{name: "100 names without enough signs of encoding (a CDN)", rule: "dns-tunnel",
			data: tables{DNS: queries(100, sec(10), time.Second, names(4))}},
		{name: "TXT queries at the threshold", rule: "dns-tunnel",
			data: tables{DNS: queries(50, sec(10), time.Second, txt("TXT"))},
			want: []got{tunnel(sec(59), 50, 50)}},
		{name: "NULL queries count as TXT", rule: "dns-tunnel",
			data: tables{DNS: queries(50, sec(10), time.Second, txt("NULL"))},
			want: []got{tunnel(sec(59), 50, 50)}},
		{name: "one TXT query below", rule: "dns-tunnel",
			data: tables{DNS: queries(49, sec(10), time.Second, txt("TXT"))}},
		{name: "long and TXT findings in one window are one alert", rule: "dns-tunnel",
			data: tables{DNS: append(queries(20, sec(10), time.Second, long), queries(50, sec(40), time.Second, txt("TXT"))...)},
			want: []got{{RuleID: "dns-tunnel", Severity: "high", Src: []string{client}, Dst: []string{resolver}, DstPort: -1,
				First: sec(10), Last: sec(89), Count: 20, Threshold: 20, EvidenceTotal: 70}}},
		{name: "names without a registered domain are skipped", rule: "dns-tunnel",
			data: tables{DNS: queries(20, sec(10), time.Second, noDomain)}},
	}
}

func nxdomainCases() []detCase {
	nx := func(distinct int) func(i int) dnsRow {
		return func(i int) dnsRow {
			return dnsRow{Query: fmt.Sprintf("x%dq.example", i%distinct), RCode: "NXDOMAIN", Domain: fmt.Sprintf("x%dq.example", i%distinct), LongLabel: 4, Entropy: 2.5}
		}
	}
	answered := queries(99, sec(10), ms(500), nx(50))
	answered = append(answered, queries(50, sec(10), ms(500), nil)...)
	return []detCase{
		{name: "at the threshold", rule: "nxdomain-storm",
			data: tables{DNS: queries(100, sec(10), ms(500), nx(50))},
			want: []got{{RuleID: "nxdomain-storm", Severity: "medium", Src: []string{client}, DstPort: -1,
				First: sec(10), Last: sec(59.5), Count: 100, Threshold: 100, EvidenceTotal: 100}}},
		{name: "one answer below", rule: "nxdomain-storm",
			data: tables{DNS: queries(99, sec(10), ms(500), nx(50))}},
		{name: "one name failing over and over is no storm", rule: "nxdomain-storm",
			data: tables{DNS: queries(100, sec(10), ms(500), nx(49))}},
		{name: "answered queries do not count", rule: "nxdomain-storm",
			data: tables{DNS: answered}},
	}
}

// ---- Asymmetric flows: >= 1000 packets one way, <= 10 back, in a flow.

func asymmetricCases() []detCase {
	oneWay := func(src string, pkts, replies int64) flowRow {
		r := udpFlow(sec(5), src, 40000, victim, 80, pkts, replies)
		r.End = sec(65)
		return r
	}
	return []detCase{
		{name: "at both thresholds", rule: "asymmetric",
			data: tables{Flows: []flowRow{oneWay(attacker, 1000, 10)}},
			want: []got{{RuleID: "asymmetric", Severity: "medium", Src: []string{attacker}, Dst: []string{victim}, DstPort: -1,
				First: sec(5), Last: sec(65), Count: 1000, Threshold: 1000, EvidenceTotal: 1}}},
		{name: "one packet below", rule: "asymmetric",
			data: tables{Flows: []flowRow{oneWay(attacker, 999, 10)}}},
		{name: "one reply too many", rule: "asymmetric",
			data: tables{Flows: []flowRow{oneWay(attacker, 1000, 11)}}},
		{name: "two sources are one alert for the victim", rule: "asymmetric",
			data: tables{Flows: []flowRow{oneWay("100.64.0.2", 1200, 0), oneWay(attacker, 1500, 3)}},
			want: []got{{RuleID: "asymmetric", Severity: "medium", Src: []string{attacker, "100.64.0.2"}, Dst: []string{victim}, DstPort: -1,
				First: sec(5), Last: sec(65), Count: 1500, Threshold: 1000, EvidenceTotal: 2}}},
	}
}

// ---- Amplification: window 10 s, >= 20 reflectors sending >= 100000
// bytes from one service port to a victim that sent each <= 1 packet;
// SYN-ACKs from >= 20 hosts to one that sent no SYN.

func amplificationCases() []detCase {
	const v = "192.0.2.60"
	refl := addrs("198.51", 21)
	answers := func(n int, bytes int64, victimPkts int64) []flowRow {
		out := make([]flowRow, n)
		for i := range out {
			out[i] = flowRow{TS: sec(20) + ms(10*i), Orig: refl[i], OrigP: 53, Resp: v, RespP: int32(40000 + i), Proto: 17, State: "S0",
				OrigPkts: 4, OrigPayload: bytes - 4*28, OrigIPBytes: bytes, RespPkts: victimPkts, RespIPBytes: 60 * victimPkts}
		}
		return out
	}
	short := answers(20, 5000, 0)
	short[0].OrigIPBytes = 4999
	synacks := func(n int, history string) []flowRow {
		out := make([]flowRow, n)
		for i := range out {
			out[i] = flowRow{TS: sec(20) + ms(10*i), Orig: v, OrigP: int32(40000 + i), Resp: refl[i], RespP: 80, Proto: 6, State: "OTH", History: history,
				RespPkts: 1, RespSYN: 1, RespIPBytes: 44}
		}
		return out
	}
	late := append(synacks(20, "h"), flowRow{TS: sec(33), Orig: v, OrigP: 41000, Resp: refl[20], RespP: 80, Proto: 6, State: "OTH", History: "h", RespPkts: 1, RespSYN: 1})
	amp := func(count, threshold float64) got {
		return got{RuleID: "amplification", Severity: "high", Src: firstSorted(refl[:20], 20), Dst: []string{v}, DstPort: -1,
			First: sec(20), Last: sec(20.19), Count: int64(count), Threshold: threshold, EvidenceTotal: 20}
	}
	return []detCase{
		{name: "twenty DNS reflectors at the byte threshold", rule: "amplification",
			data: tables{Flows: answers(20, 5000, 0)},
			want: []got{amp(100000, 100000)}},
		{name: "one byte below", rule: "amplification",
			data: tables{Flows: short}},
		{name: "nineteen reflectors", rule: "amplification",
			data: tables{Flows: answers(19, 5264, 0)}},
		{name: "the victim asked (two packets to each)", rule: "amplification",
			data: tables{Flows: answers(20, 5000, 2)}},
		{name: "SYN-ACKs from twenty hosts", rule: "amplification",
			data: tables{Flows: synacks(20, "h")},
			want: []got{amp(20, 20)}},
		{name: "SYN-ACKs from nineteen hosts", rule: "amplification",
			data: tables{Flows: synacks(19, "h")}},
		{name: "SYN-ACKs answering the victim's own SYNs", rule: "amplification",
			data: tables{Flows: synacks(20, "Sh")}},
		{name: "a SYN-ACK after the window is not evidence", rule: "amplification",
			// The reflectors fill [20 s, 30 s); one more at 33 s lies in
			// no window that reached the threshold.
			data: tables{Flows: late},
			want: []got{amp(20, 20)}},
	}
}

// ---- ICMP tunnel: >= 10 echo packets in a flow, >= 10000 payload bytes,
// mean payload >= 128 or std >= 32.

func icmpTunnelCases() []detCase {
	const peer = "198.51.100.50"
	tun := func(pkts, up, down int64, mean, std float64) flowRow {
		r := echo(sec(100), sec(110), client, peer, pkts)
		r.OrigPayload, r.RespPayload, r.PLMean, r.PLStd = up, down, &mean, &std
		return r
	}
	return []detCase{
		{name: "at the thresholds", rule: "icmp-tunnel",
			data: tables{Flows: []flowRow{tun(10, 5000, 5000, 500, 0)}},
			want: []got{{RuleID: "icmp-tunnel", Severity: "high", Src: []string{client}, Dst: []string{peer}, DstPort: -1,
				First: sec(100), Last: sec(110), Count: 10000, Threshold: 10000, EvidenceTotal: 1}}},
		{name: "one packet below", rule: "icmp-tunnel",
			data: tables{Flows: []flowRow{tun(9, 5000, 5000, 500, 0)}}},
		{name: "one byte below", rule: "icmp-tunnel",
			data: tables{Flows: []flowRow{tun(10, 5000, 4999, 500, 0)}}},
		{name: "varied payloads (std at the limit)", rule: "icmp-tunnel",
			data: tables{Flows: []flowRow{tun(100, 10000, 10000, 100, 32)}},
			want: []got{{RuleID: "icmp-tunnel", Severity: "high", Src: []string{client}, Dst: []string{peer}, DstPort: -1,
				First: sec(100), Last: sec(110), Count: 20000, Threshold: 10000, EvidenceTotal: 1}}},
		{name: "an ordinary long ping (56 bytes, no variation)", rule: "icmp-tunnel",
			data: tables{Flows: []flowRow{echo(0, sec(1000), client, peer, 1000)}}},
	}
}

// ---- Exfiltration: >= 1,000,000 bytes uploaded in a flow to 80, 443,
// 8080 or 8443, upload / download >= 4.

func exfiltrationCases() []detCase {
	up := func(port int32, out, in int64) flowRow {
		return tcpSession(sec(100), client, 50000, remote, port, 800, out, in)
	}
	return []detCase{
		{name: "at both thresholds", rule: "exfiltration",
			data: tables{Flows: []flowRow{up(443, 1_000_000, 250_000)}},
			want: []got{{RuleID: "exfiltration", Severity: "medium", Src: []string{client}, Dst: []string{remote}, DstPort: 443,
				First: sec(100), Last: sec(101), Count: 1_000_000, Threshold: 1_000_000, EvidenceTotal: 1}}},
		{name: "one byte below", rule: "exfiltration",
			data: tables{Flows: []flowRow{up(443, 999_999, 100)}}},
		{name: "ratio just below 4", rule: "exfiltration",
			data: tables{Flows: []flowRow{up(443, 1_000_000, 250_001)}}},
		{name: "not a web port", rule: "exfiltration",
			data: tables{Flows: []flowRow{up(22, 5_000_000, 1000)}}},
		{name: "two uploads to one server are one alert", rule: "exfiltration",
			data: tables{Flows: []flowRow{up(443, 1_200_000, 1000), up(8443, 1_500_000, 1000)}},
			// Two ports with one flow each: the lower is reported.
			want: []got{{RuleID: "exfiltration", Severity: "medium", Src: []string{client}, Dst: []string{remote}, DstPort: 443,
				First: sec(100), Last: sec(101), Count: 2_700_000, Threshold: 1_000_000, EvidenceTotal: 2}}},
	}
}

// ---- Unusual ports: >= 6 packets from one source in TCP flows that
// exchanged data with a port outside the service list, below 49152.

func unusualPortsCases() []detCase {
	flow := func(port int32, pkts, down int64) flowRow {
		return tcpSession(sec(100), client, 50000, remote, port, pkts, 100, down)
	}
	unusual := func(port int32, severity string) got {
		return got{RuleID: "unusual-ports", Severity: severity, Src: []string{client}, Dst: []string{remote}, DstPort: port,
			First: sec(100), Last: sec(101), Count: 6, Threshold: 6, EvidenceTotal: 1}
	}
	return []detCase{
		{name: "at the threshold", rule: "unusual-ports",
			data: tables{Flows: []flowRow{flow(7777, 6, 100)}},
			want: []got{unusual(7777, "low")}},
		{name: "one packet below", rule: "unusual-ports",
			data: tables{Flows: []flowRow{flow(7777, 5, 100)}}},
		{name: "a backdoor port raises the severity", rule: "unusual-ports",
			data: tables{Flows: []flowRow{flow(4444, 6, 100)}},
			want: []got{unusual(4444, "medium")}},
		{name: "packets add up over flows and ports", rule: "unusual-ports",
			data: tables{Flows: []flowRow{flow(7777, 2, 100), flow(7778, 2, 100), flow(7777, 2, 100)}},
			want: []got{{RuleID: "unusual-ports", Severity: "low", Src: []string{client}, Dst: []string{remote}, DstPort: -1,
				First: sec(100), Last: sec(101), Count: 6, Threshold: 6, EvidenceTotal: 3}}},
		{name: "a listed service", rule: "unusual-ports",
			data: tables{Flows: []flowRow{flow(8080, 100, 100)}}},
		{name: "an ephemeral port", rule: "unusual-ports",
			data: tables{Flows: []flowRow{flow(49152, 100, 100)}}},
		{name: "no data back", rule: "unusual-ports",
			data: tables{Flows: []flowRow{flow(7777, 100, 0)}}},
	}
}

// ---- Beaconing: >= 20 answered connections between a pair, RITA score
// >= 0.8, median interval >= 1 s, DNS/NTP/... ports excluded.

func beaconingCases() []detCase {
	const c2 = "198.51.100.80"
	beacon := func(n int, port int32, interval func(i int) time.Duration, size func(i int) int64, replies int64) []flowRow {
		out := make([]flowRow, n)
		var ts time.Duration
		for i := range out {
			r := tcpSession(ts, client, int32(50000+i), c2, port, 3, size(i), 200)
			r.RespPkts = replies
			out[i] = r
			ts += interval(i)
		}
		return out
	}
	minute := func(int) time.Duration { return time.Minute }
	fixed := func(int) int64 { return 200 }
	jitter := []time.Duration{1, 300, 5, 2000, 42, 7, 900, 3, 60, 15000, 2, 450, 11, 700, 25, 4, 1200, 90, 30, 6}
	irregular := func(i int) time.Duration { return jitter[i%len(jitter)] * time.Second }
	sizes := func(i int) int64 { return []int64{120, 5000, 300, 80000, 900, 40, 12000}[i%7] }
	dns := beacon(20, 53, minute, fixed, 3)
	for i := range dns {
		dns[i].Proto = 17
	}
	return []detCase{
		{name: "twenty connections a minute apart", rule: "beaconing",
			data: tables{Flows: beacon(20, 443, minute, fixed, 3)},
			want: []got{{RuleID: "beaconing", Severity: "medium", Src: []string{client}, Dst: []string{c2}, DstPort: 443,
				First: 0, Last: 19*time.Minute + time.Second, Count: 20, Threshold: 0.8, EvidenceTotal: 20}}},
		{name: "nineteen connections", rule: "beaconing",
			data: tables{Flows: beacon(19, 443, minute, fixed, 3)}},
		{name: "irregular intervals and sizes", rule: "beaconing",
			data: tables{Flows: beacon(40, 443, irregular, sizes, 3)}},
		{name: "unanswered connections", rule: "beaconing",
			data: tables{Flows: beacon(20, 443, minute, fixed, 0)}},
		{name: "DNS port excluded", rule: "beaconing",
			data: tables{Flows: dns}},
		{name: "sub-second bursts are not beacons", rule: "beaconing",
			data: tables{Flows: beacon(20, 443, func(int) time.Duration { return 100 * time.Millisecond }, fixed, 3)}},
	}
}
