package sigma

import (
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"flowsift/detect/alert"
)

const corrBase = `title: base
id: 00000000-0000-4000-8000-00000000c001
name: base
status: test
level: low
tags: [attack.discovery, attack.t1046]
logsource: {category: firewall}
detection:
  sel:
    dst_port: [53, 80, 443, 8080]
  condition: sel
`

const corrOther = `---
title: other
id: 00000000-0000-4000-8000-00000000c002
name: other
logsource: {category: firewall}
detection:
  sel:
    dst_port: 22
  condition: sel
`

// flow is a test flow at second s from src to dst:port.
func flow(s int, src, dst string, port int, bytes int) map[string]any {
	return map[string]any{
		"uid": fmt.Sprintf("F%d%s%d", s, src, port), "ts": time.Unix(1700000000+int64(s), 0).UTC().Format(time.RFC3339),
		"orig_h": src, "resp_h": dst, "resp_p": int64(port), "orig_bytes": int64(bytes), "capture_id": "cap",
	}
}

// summary is what the correlation tests compare: rule, sources, count and
// the time span.
type summary struct {
	Rule  string
	Src   string
	Count int64
	First int
	Last  int
	Refs  int64
}

func summarize(as []alert.Alert) []summary {
	var out []summary
	for _, a := range as {
		out = append(out, summary{
			Rule: a.RuleID[len(a.RuleID)-4:], Src: strings.Join(a.Src, ","), Count: a.Count,
			First: int(a.TsFirst/1e9 - 1700000000), Last: int(a.TsLast/1e9 - 1700000000), Refs: a.EvidenceTotal,
		})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Rule != out[j].Rule {
			return out[i].Rule < out[j].Rule
		}
		if out[i].Src != out[j].Src {
			return out[i].Src < out[j].Src
		}
		return out[i].First < out[j].First
	})
	return out
}

func runFlows(t *testing.T, rules string, flows []map[string]any) []alert.Alert {
	t.Helper()
	rs, rep := Compile(DefaultConfig(), Parse("corr.yml", []byte(rules)))
	for _, r := range rep.Rules {
		if r.Status != Supported {
			t.Fatalf("%s %q: %s: %s", r.Kind, r.Title, r.Status, r.Reason)
		}
	}
	ev := rs.NewEvaluator()
	// Two batches, to check that windows span batch boundaries.
	half := len(flows) / 2
	for _, part := range [][]map[string]any{flows[:half], flows[half:]} {
		if len(part) == 0 {
			continue
		}
		if err := ev.Add(Flows, buildTable(t, Flows, part)); err != nil {
			t.Fatal(err)
		}
	}
	as, err := ev.Alerts()
	if err != nil {
		t.Fatal(err)
	}
	return as
}

func TestCorrelations(t *testing.T) {
	tests := []struct {
		name  string
		rules string
		flows []map[string]any
		want  []summary
	}{
		{
			name: "event_count sliding window per group",
			rules: corrBase + `---
title: many
id: 00000000-0000-4000-8000-00000000c101
correlation:
  type: event_count
  rules: base
  group-by: [src_ip]
  timespan: 1m
  condition: {gte: 3}
`,
			flows: []map[string]any{
				flow(0, "10.0.0.1", "1.1.1.1", 53, 1), flow(50, "10.0.0.1", "1.1.1.1", 53, 1),
				flow(100, "10.0.0.1", "1.1.1.1", 53, 1), flow(130, "10.0.0.1", "1.1.1.1", 53, 1),
				flow(0, "10.0.0.2", "1.1.1.1", 53, 1), flow(10, "10.0.0.2", "1.1.1.1", 53, 1),
			},
			// 0, 50 and 100 never share a minute; 50, 100, 130 do not
			// either (80 s); only a sliding window over 100 and 130 plus
			// 50... none reach 3, so add the 3-event burst below.
			want: nil,
		},
		{
			name: "event_count fires on a burst and merges overlapping windows",
			rules: corrBase + `---
title: many
id: 00000000-0000-4000-8000-00000000c102
correlation:
  type: event_count
  rules: [base]
  group-by: [src_ip]
  timespan: 1m
  condition: {gte: 3}
`,
			flows: []map[string]any{
				flow(0, "10.0.0.1", "1.1.1.1", 53, 1), flow(20, "10.0.0.1", "1.1.1.1", 53, 1),
				flow(40, "10.0.0.1", "1.1.1.1", 53, 1), flow(70, "10.0.0.1", "1.1.1.1", 53, 1),
				flow(500, "10.0.0.1", "1.1.1.1", 53, 1),
				flow(0, "10.0.0.2", "1.1.1.1", 53, 1), flow(10, "10.0.0.2", "1.1.1.1", 22, 1),
			},
			want: []summary{{Rule: "c102", Src: "10.0.0.1", Count: 3, First: 0, Last: 70, Refs: 4}},
		},
		{
			name: "value_count of distinct ports",
			rules: corrBase + `---
title: scan
id: 00000000-0000-4000-8000-00000000c103
correlation:
  type: value_count
  rules: [base]
  group-by: [src_ip]
  timespan: 5m
  condition: {gt: 2, field: dst_port}
`,
			flows: []map[string]any{
				flow(0, "10.0.0.1", "1.1.1.1", 53, 1), flow(1, "10.0.0.1", "1.1.1.1", 80, 1),
				flow(2, "10.0.0.1", "1.1.1.1", 443, 1), flow(3, "10.0.0.2", "1.1.1.1", 53, 1),
				flow(4, "10.0.0.2", "1.1.1.1", 53, 1), flow(5, "10.0.0.2", "1.1.1.1", 53, 1),
			},
			want: []summary{{Rule: "c103", Src: "10.0.0.1", Count: 3, First: 0, Last: 2, Refs: 3}},
		},
		{
			name: "temporal needs every rule in the window",
			rules: corrBase + corrOther + `---
title: both
id: 00000000-0000-4000-8000-00000000c104
correlation:
  type: temporal
  rules: [base, other]
  group-by: [src_ip]
  timespan: 1m
`,
			flows: []map[string]any{
				flow(0, "10.0.0.1", "1.1.1.1", 22, 1), flow(30, "10.0.0.1", "1.1.1.1", 80, 1),
				flow(0, "10.0.0.2", "1.1.1.1", 22, 1), flow(300, "10.0.0.2", "1.1.1.1", 80, 1),
			},
			want: []summary{{Rule: "c104", Src: "10.0.0.1", Count: 2, First: 0, Last: 30, Refs: 2}},
		},
		{
			name: "temporal_ordered needs the order of rules",
			rules: corrBase + corrOther + `---
title: ssh then web
id: 00000000-0000-4000-8000-00000000c105
correlation:
  type: temporal_ordered
  rules: [other, base]
  group-by: [src_ip]
  timespan: 1m
`,
			flows: []map[string]any{
				flow(0, "10.0.0.1", "1.1.1.1", 22, 1), flow(30, "10.0.0.1", "1.1.1.1", 80, 1),
				flow(0, "10.0.0.2", "1.1.1.1", 80, 1), flow(30, "10.0.0.2", "1.1.1.1", 22, 1),
			},
			want: []summary{{Rule: "c105", Src: "10.0.0.1", Count: 2, First: 0, Last: 30, Refs: 2}},
		},
		{
			name: "value_sum and value_avg",
			rules: corrBase + `---
title: volume
id: 00000000-0000-4000-8000-00000000c106
correlation:
  type: value_sum
  rules: [base]
  group-by: [src_ip]
  timespan: 10m
  condition: {gte: 1000, field: orig_bytes}
---
title: average
id: 00000000-0000-4000-8000-00000000c107
correlation:
  type: value_avg
  rules: [base]
  group-by: [src_ip]
  timespan: 10m
  condition: {gt: 400, field: orig_bytes}
`,
			flows: []map[string]any{
				flow(0, "10.0.0.1", "1.1.1.1", 443, 600), flow(60, "10.0.0.1", "1.1.1.1", 443, 500),
				flow(0, "10.0.0.2", "1.1.1.1", 443, 100), flow(60, "10.0.0.2", "1.1.1.1", 443, 100),
			},
			want: []summary{
				{Rule: "c106", Src: "10.0.0.1", Count: 1100, First: 0, Last: 60, Refs: 2},
				{Rule: "c107", Src: "10.0.0.1", Count: 550, First: 0, Last: 60, Refs: 2},
			},
		},
		{
			name: "value_percentile",
			rules: corrBase + `---
title: p90
id: 00000000-0000-4000-8000-00000000c108
correlation:
  type: value_percentile
  rules: [base]
  group-by: [src_ip]
  timespan: 10m
  condition: {gte: 900, field: orig_bytes, percentile: 90}
`,
			flows: []map[string]any{
				flow(0, "10.0.0.1", "1.1.1.1", 443, 10), flow(1, "10.0.0.1", "1.1.1.1", 443, 20),
				flow(2, "10.0.0.1", "1.1.1.1", 443, 1000), flow(3, "10.0.0.1", "1.1.1.1", 443, 1000),
				flow(0, "10.0.0.2", "1.1.1.1", 443, 10), flow(1, "10.0.0.2", "1.1.1.1", 443, 10),
			},
			want: []summary{{Rule: "c108", Src: "10.0.0.1", Count: 1000, First: 0, Last: 3, Refs: 4}},
		},
		{
			name: "aliases let rules group on different fields",
			rules: corrBase + corrOther + `---
title: host seen as client and server
id: 00000000-0000-4000-8000-00000000c109
correlation:
  type: temporal
  rules: [base, other]
  group-by: [host]
  aliases:
    host:
      base: src_ip
      other: dst_ip
  timespan: 1m
`,
			flows: []map[string]any{
				flow(0, "10.0.0.1", "8.8.8.8", 53, 1), flow(10, "10.0.0.9", "10.0.0.1", 22, 1),
				flow(0, "10.0.0.2", "8.8.8.8", 53, 1),
			},
			want: []summary{{Rule: "c109", Src: "10.0.0.1,10.0.0.9", Count: 2, First: 0, Last: 10, Refs: 2}},
		},
		{
			name: "generate true keeps the base rule's own alerts",
			rules: corrOther + `---
title: sshes
id: 00000000-0000-4000-8000-00000000c110
generate: true
correlation:
  type: event_count
  rules: [other]
  group-by: [src_ip]
  timespan: 1m
  condition: {gte: 2}
`,
			flows: []map[string]any{flow(0, "10.0.0.1", "1.1.1.1", 22, 1), flow(5, "10.0.0.1", "1.1.1.1", 22, 1)},
			want: []summary{
				{Rule: "c002", Src: "10.0.0.1", Count: 2, First: 0, Last: 5, Refs: 2},
				{Rule: "c110", Src: "10.0.0.1", Count: 2, First: 0, Last: 5, Refs: 2},
			},
		},
		{
			name: "legacy count() by with timeframe",
			rules: `title: legacy
id: 00000000-0000-4000-8000-00000000c111
logsource: {category: firewall}
detection:
  selection:
    dst_port: 53
  timeframe: 1m
  condition: selection | count() by src_ip > 2
`,
			flows: []map[string]any{
				flow(0, "10.0.0.1", "1.1.1.1", 53, 1), flow(1, "10.0.0.1", "1.1.1.1", 53, 1),
				flow(2, "10.0.0.1", "1.1.1.1", 53, 1), flow(0, "10.0.0.2", "1.1.1.1", 53, 1),
				flow(1, "10.0.0.2", "1.1.1.1", 53, 1), flow(200, "10.0.0.2", "1.1.1.1", 53, 1),
			},
			want: []summary{{Rule: "c111", Src: "10.0.0.1", Count: 3, First: 0, Last: 2, Refs: 3}},
		},
		{
			name: "legacy count(field) without timeframe counts over the capture",
			rules: `title: legacy
id: 00000000-0000-4000-8000-00000000c112
logsource: {category: firewall}
detection:
  selection:
    dst_port|gt: 0
  condition: selection | count(dst_port) by src_ip > 2
`,
			flows: []map[string]any{
				flow(0, "10.0.0.1", "1.1.1.1", 53, 1), flow(1000, "10.0.0.1", "1.1.1.1", 80, 1),
				flow(90000, "10.0.0.1", "1.1.1.1", 443, 1), flow(0, "10.0.0.2", "1.1.1.1", 53, 1),
			},
			want: []summary{{Rule: "c112", Src: "10.0.0.1", Count: 3, First: 0, Last: 90000, Refs: 3}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := summarize(runFlows(t, tc.rules, tc.flows))
			if diff := cmp.Diff(got, tc.want); diff != "" {
				t.Errorf("Alerts() (-got, +want):\n%s", diff)
			}
		})
	}
}

func TestCorrelationAlertFields(t *testing.T) {
	as := runFlows(t, corrBase+`---
title: many
id: 00000000-0000-4000-8000-00000000c201
level: high
tags: [attack.t1071.004]
correlation:
  type: event_count
  rules: [base]
  group-by: [src_ip]
  timespan: 1m
  condition: {gte: 2}
`, []map[string]any{flow(0, "10.0.0.1", "1.1.1.1", 53, 1), flow(1, "10.0.0.1", "2.2.2.2", 53, 1)})
	if len(as) != 1 {
		t.Fatalf("got %d alerts, want 1", len(as))
	}
	a := as[0]
	thr := 2.0
	want := alert.Alert{
		TsFirst: 1700000000e9, TsLast: 1700000001e9, Detector: "sigma", RuleID: "00000000-0000-4000-8000-00000000c201",
		Name: "many", Severity: "high", Confidence: 0.5, Mitre: []string{"T1071.004", "T1046"}, Tags: []string{"attack.t1071.004"},
		Src: []string{"10.0.0.1"}, Dst: []string{"1.1.1.1", "2.2.2.2"}, Count: 2, CountUnit: "events", Threshold: &thr,
		Evidence: []string{"flow:F010.0.0.153", "flow:F110.0.0.153"}, EvidenceTotal: 2, CaptureID: "cap",
	}
	if diff := cmp.Diff(a, want, ignoreText()); diff != "" {
		t.Errorf("correlation alert (-got, +want):\n%s", diff)
	}
	if !strings.Contains(a.Details, `"group_by":{"src_ip":"10.0.0.1"}`) {
		t.Errorf("Details = %s, want the group-by values", a.Details)
	}
}

func TestCorrelationVerdicts(t *testing.T) {
	tests := []struct{ name, rules, reason string }{
		{"unknown rule", `title: c
id: 00000000-0000-4000-8000-00000000c301
correlation: {type: event_count, rules: [nope], group-by: [src_ip], timespan: 1m, condition: {gte: 2}}
`, `refers to "nope", which is not a loaded detection rule`},
		{"skipped base rule", `title: b
id: 00000000-0000-4000-8000-00000000c302
name: smb
logsource: {product: zeek, service: smb_files}
detection: {sel: {path: x}, condition: sel}
---
title: c
id: 00000000-0000-4000-8000-00000000c303
correlation: {type: event_count, rules: [smb], group-by: [src_ip], timespan: 1m, condition: {gte: 2}}
`, `referenced rule "smb" is not evaluated`},
		{"chained correlation", corrBase + `---
title: inner
id: 00000000-0000-4000-8000-00000000c304
name: inner
correlation: {type: event_count, rules: [base], group-by: [src_ip], timespan: 1m, condition: {gte: 2}}
---
title: outer
id: 00000000-0000-4000-8000-00000000c305
correlation: {type: event_count, rules: [inner], group-by: [src_ip], timespan: 1h, condition: {gte: 2}}
`, "correlations of correlations are not supported"},
		{"unknown group field", corrBase + `---
title: c
id: 00000000-0000-4000-8000-00000000c306
correlation: {type: event_count, rules: [base], group-by: [Image], timespan: 1m, condition: {gte: 2}}
`, "field Image requires host telemetry"},
		{"value_count without field", corrBase + `---
title: c
id: 00000000-0000-4000-8000-00000000c307
correlation: {type: value_count, rules: [base], group-by: [src_ip], timespan: 1m, condition: {gte: 2}}
`, "needs condition.field"},
		{"bad timespan", corrBase + `---
title: c
id: 00000000-0000-4000-8000-00000000c308
correlation: {type: event_count, rules: [base], group-by: [src_ip], timespan: 1 minute, condition: {gte: 2}}
`, `timespan "1 minute"`},
		{"percentile missing", corrBase + `---
title: c
id: 00000000-0000-4000-8000-00000000c309
correlation: {type: value_percentile, rules: [base], group-by: [src_ip], timespan: 1m, condition: {gte: 2, field: orig_bytes}}
`, "needs condition.percentile"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, rep := Compile(DefaultConfig(), Parse("c.yml", []byte(tc.rules)))
			last := rep.Rules[len(rep.Rules)-1]
			if last.Status == Supported || !strings.Contains(last.Reason, tc.reason) {
				t.Errorf("verdict = %s %q, want a reason containing %q", last.Status, last.Reason, tc.reason)
			}
		})
	}
}

// TestCorrelationAcrossTables correlates a DNS rule with an HTTP rule on
// the client address: the two tables feed one correlation.
func TestCorrelationAcrossTables(t *testing.T) {
	rules := `title: dyn dns
id: 00000000-0000-4000-8000-00000000c401
name: dyn
logsource: {category: dns}
detection: {sel: {query|endswith: '.duckdns.org'}, condition: sel}
---
title: exe download
id: 00000000-0000-4000-8000-00000000c402
name: exe
logsource: {category: proxy}
detection: {sel: {c-uri-extension: exe}, condition: sel}
---
title: dyn dns then exe
id: 00000000-0000-4000-8000-00000000c403
correlation:
  type: temporal_ordered
  rules: [dyn, exe]
  group-by: [src_ip]
  timespan: 10m
`
	rs, rep := Compile(DefaultConfig(), Parse("x.yml", []byte(rules)))
	for _, r := range rep.Rules {
		if r.Status != Supported {
			t.Fatalf("%s: %s", r.Title, r.Reason)
		}
	}
	if got := rep.Rules[2].RecordType; got != "dns,http" {
		t.Errorf("correlation record types = %q, want dns,http", got)
	}
	ev := rs.NewEvaluator()
	dns := []map[string]any{
		{"uid": "D1", "trans_depth": int64(1), "ts": "2026-11-20T10:00:00Z", "orig_h": "10.0.0.1", "query": "x.duckdns.org"},
		{"uid": "D2", "trans_depth": int64(1), "ts": "2026-11-20T10:05:00Z", "orig_h": "10.0.0.2", "query": "y.duckdns.org"},
	}
	http := []map[string]any{
		{"uid": "H1", "trans_depth": int64(1), "ts": "2026-11-20T10:01:00Z", "orig_h": "10.0.0.1", "uri": "/a.exe"},
		{"uid": "H2", "trans_depth": int64(1), "ts": "2026-11-20T10:01:00Z", "orig_h": "10.0.0.2", "uri": "/b.exe"},
	}
	for rt, rows := range map[RecordType][]map[string]any{DNS: dns, HTTP: http} {
		if err := ev.Add(rt, buildTable(t, rt, rows)); err != nil {
			t.Fatal(err)
		}
	}
	as, err := ev.Alerts()
	if err != nil {
		t.Fatal(err)
	}
	if len(as) != 1 || as[0].RuleID != "00000000-0000-4000-8000-00000000c403" || strings.Join(as[0].Src, ",") != "10.0.0.1" {
		t.Fatalf("Alerts() = %+v, want one correlation alert for 10.0.0.1 (10.0.0.2 downloaded before its look-up)", as)
	}
	if diff := cmp.Diff(as[0].Evidence, []string{"dns:D1:1", "http:H1:1"}); diff != "" {
		t.Errorf("evidence (-got, +want):\n%s", diff)
	}
}
