//go:build duckdb

package sigma

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	_ "github.com/duckdb/duckdb-go/v2"
)

// sqlRules exercise every construct with an SQL translation.
const sqlRules = `
title: eq and wildcards
id: 00000000-0000-4000-8000-000000000001
logsource: {category: proxy}
detection:
  a:
    cs-method: post
  b:
    c-uri|contains: '100%_off'
  c:
    c-uri|startswith: '/a?c'
  d:
    c-uri|endswith: '\*star'
  e:
    c-uri|contains: '\dir\'
  condition: a or b or c or d or e
---
title: cased and regex
id: 00000000-0000-4000-8000-000000000002
logsource: {category: proxy}
detection:
  a:
    c-useragent|cased|contains: 'Nikto'
  b:
    c-uri|re: '/id=[0-9]+$'
  c:
    cs-host|re|i: '^EVIL\.'
  condition: 1 of them
---
title: lists, numbers, booleans
id: 00000000-0000-4000-8000-000000000003
logsource: {product: zeek, service: dns}
detection:
  a:
    answers|contains|all: ['10.', 'x']
  b:
    TTLs|lt: 5
  c:
    rejected: 'true'
  d:
    qtype_name: [txt, 'NULL']
    Z: 0
  e:
    query_length|gte: 40
  condition: 1 of them
---
title: null, empty, exists, neq
id: 00000000-0000-4000-8000-000000000004
logsource: {category: webserver}
detection:
  a:
    cs-user-agent: null
    cs-method: GET
  b:
    cs-referer: ''
  c:
    cs-cookie|exists: true
    cs-method|neq: [GET, HEAD]
  condition: a or b or c
---
title: numbers as text, derived uri parts
id: 00000000-0000-4000-8000-000000000005
logsource: {category: proxy}
detection:
  a:
    sc-status|contains: '50'
  b:
    c-uri-extension: ps1
  c:
    c-uri-query|startswith: 'cmd='
  d:
    c-uri|startswith: 'http://dl.'
  e:
    cs-uri-stem|endswith: '/shell.aspx'
  condition: 1 of them
---
title: cidr and comparisons on flows
id: 00000000-0000-4000-8000-000000000006
logsource: {category: firewall}
detection:
  internal:
    src_ip|cidr: ['10.0.0.0/8', '192.168.0.0/16']
  ports:
    dst_port: [22, 3389]
  big:
    source.bytes|gt: 100000
  condition: (not internal and ports) or big
---
title: firewall verdict
id: 00000000-0000-4000-8000-000000000007
logsource: {category: firewall}
detection:
  sel:
    dst_port: 23
  allowed:
    action: accept
  blocked:
    blocked: 'true'
  condition: sel and (allowed or blocked)
---
title: time parts, fieldref, encodings
id: 00000000-0000-4000-8000-000000000008
logsource: {category: proxy}
detection:
  night:
    ts|hour: 3
    ts|month: 6
  ref:
    cs-referer|fieldref: cs-host
  b64:
    c-uri|base64offset|contains: 'whoami'
  dash:
    c-uri|windash|contains: ' -enc '
  wide:
    c-uri|wide|base64offset|contains: 'cmd'
  condition: 1 of them
---
title: keywords
id: 00000000-0000-4000-8000-000000000009
logsource: {category: webserver}
detection:
  kw:
    - '${jndi:'
    - "it's"
  condition: kw
---
title: rdp scope
id: 00000000-0000-4000-8000-000000000010
logsource: {product: zeek, service: rdp}
detection:
  private:
    id.orig_h|cidr: ['10.0.0.0/8', '172.16.0.0/12', '::1/128', 'fc00::/7', '2620:83:8000::/48']
  condition: not private
---
title: tls fingerprints
id: 00000000-0000-4000-8000-000000000011
logsource: {product: zeek, service: ssl}
detection:
  ja3:
    ja3: 72a589da586844d7f0818ce684948eea
  alpn:
    client_alpn: h2
  ext:
    client_extensions: 65281
  condition: 1 of them
`

const sqlRecords = `
{"type":"http","uid":"H1","trans_depth":1,"ts":"2024-06-01T03:10:00Z","method":"POST","uri":"/x","host":"a.example","status_code":200}
{"type":"http","uid":"H2","trans_depth":1,"ts":"2024-06-01T12:00:00Z","method":"GET","uri":"/buy/100%_off","host":"a.example","user_agent":"ua","referrer":"r","status_code":200}
{"type":"http","uid":"H3","trans_depth":1,"ts":"2024-06-01T12:00:00Z","method":"GET","uri":"/buy/100X_off","host":"a.example","user_agent":"ua","referrer":"r","status_code":404}
{"type":"http","uid":"H4","trans_depth":2,"ts":"2024-07-01T03:00:00Z","method":"GET","uri":"/abc","user_agent":"Mozilla (Nikto)","referrer":"x","host":"h","status_code":302}
{"type":"http","uid":"H5","trans_depth":1,"ts":"2024-06-01T12:00:00Z","method":"GET","uri":"/x*star","user_agent":"nikto","referrer":"x","host":"h","status_code":502}
{"type":"http","uid":"H6","trans_depth":1,"ts":"2024-06-01T12:00:00Z","method":"GET","uri":"/xstar","user_agent":"u","referrer":"","host":"h","status_code":201}
{"type":"http","uid":"H7","trans_depth":1,"ts":"2024-06-01T12:00:00Z","method":"PUT","uri":"/c\\dir\\x?id=42","user_agent":"u","referrer":"x","host":"Evil.example","cookie":"s=1","status_code":200}
{"type":"http","uid":"H8","trans_depth":1,"ts":"2024-06-01T12:00:00Z","method":"GET","uri":"/run.ps1?cmd=id","user_agent":"u","referrer":"h.example","host":"H.example","cookie":"","status_code":200}
{"type":"http","uid":"H9","trans_depth":1,"ts":"2024-06-01T12:00:00Z","method":"GET","uri":"http://dl.example/shell.aspx","user_agent":"u","referrer":"x","host":"proxy","status_code":200}
{"type":"http","uid":"H10","trans_depth":3,"ts":"2024-06-01T12:00:00Z","method":"GET","uri":"/?q=d2hvYW1p","user_agent":"u","referrer":"x","host":"h","status_code":200}
{"type":"http","uid":"H11","trans_depth":1,"ts":"2024-06-01T12:00:00Z","method":"GET","uri":"/?c=powershell \u2013enc abc","user_agent":"u","referrer":"x","host":"h","status_code":200}
{"type":"http","uid":"H12","trans_depth":1,"ts":"2024-06-01T12:00:00Z","method":"GET","uri":"/?q=YwBtAGQA","user_agent":"u","referrer":"x","host":"h","status_code":200,"request_head":"GET / HTTP/1.1\r\nX-Api: ${JNDI:ldap://e}\r\n"}
{"type":"http","uid":"H13","trans_depth":1,"ts":"2024-06-01T12:00:00Z","method":"HEAD","uri":"/y","user_agent":"u","referrer":"x","host":"h","cookie":"k","status_code":200,"request_head":"GET / HTTP/1.1\r\nX-Msg: IT'S ok\r\n"}
{"type":"http","uid":"H14","trans_depth":1,"ts":"2024-06-01T12:00:00Z","method":"GET","uri":"/\u00e9t\u00e9","user_agent":"u","referrer":"x","host":"h","status_code":200}
{"type":"dns","uid":"D1","trans_depth":1,"ts":"2024-06-01T12:00:00Z","query":"a.example","qtype_name":"TXT","Z":0,"answers":["10.0.0.1","x.example"],"TTLs":[60,60],"rejected":false,"query_length":9}
{"type":"dns","uid":"D2","trans_depth":1,"ts":"2024-06-01T12:00:00Z","query":"b.example","qtype_name":"A","Z":1,"answers":["10.0.0.1"],"TTLs":[3],"rejected":false,"query_length":9}
{"type":"dns","uid":"D3","trans_depth":2,"ts":"2024-06-01T12:00:00Z","query":"c.example","qtype_name":"NULL","Z":0,"rejected":true,"query_length":9}
{"type":"dns","uid":"D4","trans_depth":1,"ts":"2024-06-01T12:00:00Z","query":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.example","qtype_name":"A","Z":0,"answers":[],"TTLs":[],"rejected":false,"query_length":56}
{"type":"dns","uid":"D5","trans_depth":1,"ts":"2024-06-01T12:00:00Z","query":"d.example","qtype_name":"txt","Z":1,"answers":["1.1.1.1"],"TTLs":[300],"query_length":9}
{"type":"flows","uid":"F1","ts":"2024-06-01T12:00:00Z","orig_h":"203.0.113.5","resp_h":"10.0.0.2","resp_p":22,"proto":"tcp","conn_state":"SF","orig_bytes":10}
{"type":"flows","uid":"F2","ts":"2024-06-01T12:00:00Z","orig_h":"10.0.0.5","resp_h":"10.0.0.2","resp_p":22,"proto":"tcp","conn_state":"SF","orig_bytes":10}
{"type":"flows","uid":"F3","ts":"2024-06-01T12:00:00Z","orig_h":"10.0.0.5","resp_h":"10.0.0.2","resp_p":443,"proto":"tcp","conn_state":"SF","orig_bytes":200000}
{"type":"flows","uid":"F4","ts":"2024-06-01T12:00:00Z","orig_h":"192.168.1.9","resp_h":"198.51.100.1","resp_p":23,"proto":"tcp","conn_state":"SF","orig_bytes":10}
{"type":"flows","uid":"F5","ts":"2024-06-01T12:00:00Z","orig_h":"192.168.1.9","resp_h":"198.51.100.1","resp_p":23,"proto":"tcp","conn_state":"REJ","orig_bytes":0}
{"type":"flows","uid":"F6","ts":"2024-06-01T12:00:00Z","orig_h":"192.168.1.9","resp_h":"198.51.100.1","resp_p":23,"proto":"tcp","conn_state":"OTH"}
{"type":"flows","uid":"F7","ts":"2024-06-01T12:00:00Z","orig_h":"198.51.100.9","resp_h":"10.0.0.3","resp_p":3389,"proto":"tcp","conn_state":"S0"}
{"type":"flows","uid":"F8","ts":"2024-06-01T12:00:00Z","orig_h":"010.1.2.3","resp_h":"10.0.0.3","resp_p":3389,"proto":"tcp","conn_state":"S0"}
{"type":"flows","uid":"F10","ts":"2024-06-01T12:00:00Z","orig_h":"fd00::5","resp_h":"::1","resp_p":3389,"proto":"tcp"}
{"type":"flows","uid":"F11","ts":"2024-06-01T12:00:00Z","orig_h":"fe80::5","resp_h":"::1","resp_p":3389,"proto":"tcp"}
{"type":"flows","uid":"F12","ts":"2024-06-01T12:00:00Z","orig_h":"::1","resp_h":"::1","resp_p":3389,"proto":"tcp"}
{"type":"flows","uid":"F13","ts":"2024-06-01T12:00:00Z","orig_h":"2620:83:8000::9","resp_h":"::1","resp_p":3389,"proto":"tcp"}
{"type":"flows","uid":"F14","ts":"2024-06-01T12:00:00Z","orig_h":"2620:83:8001::9","resp_h":"::1","resp_p":3389,"proto":"tcp"}
{"type":"flows","uid":"F9","ts":"2024-06-01T12:00:00Z","orig_h":"172.16.4.4","resp_h":"10.0.0.3","resp_p":5000,"proto":"tcp","service":"rdp","conn_state":"SF"}
{"type":"tls","uid":"T1","trans_depth":1,"ts":"2024-06-01T12:00:00Z","ja3":"72A589DA586844D7F0818CE684948EEA","client_alpn":["http/1.1"],"client_extensions":[0,10]}
{"type":"tls","uid":"T2","trans_depth":1,"ts":"2024-06-01T12:00:00Z","ja3":"aaaa","client_alpn":["h2","http/1.1"],"client_extensions":[0]}
{"type":"tls","uid":"T3","trans_depth":1,"ts":"2024-06-01T12:00:00Z","ja3":"bbbb","client_alpn":["http/1.1"],"client_extensions":[65281]}
{"type":"tls","uid":"T4","trans_depth":1,"ts":"2024-06-01T12:00:00Z","ja3":"cccc"}
`

// writeRecordDir writes records grouped by type into dir as the extract
// tables.
func writeRecordDir(t testing.TB, dir string, recs []record) {
	t.Helper()
	byType := map[RecordType][]map[string]any{}
	for _, r := range recs {
		if _, ok := r.Cols["capture_id"]; !ok {
			r.Cols["capture_id"] = "cap1"
		}
		byType[r.Type] = append(byType[r.Type], r.Cols)
	}
	for rt, rows := range byType {
		writeParquet(t, filepath.Join(dir, rt.File()), rt, rows)
	}
}

// engineRefs runs Evaluate over dir and returns, per rule id, the row
// references the alerts cite.
func engineRefs(t testing.TB, rs *Ruleset, dir string) map[string][]string {
	t.Helper()
	as, err := rs.Evaluate(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for _, a := range as {
		if int64(len(a.Evidence)) != a.EvidenceTotal {
			t.Fatalf("alert %s lists %d of %d references; raise MaxEvidence", a.RuleID, len(a.Evidence), a.EvidenceTotal)
		}
		out[a.RuleID] = append(out[a.RuleID], a.Evidence...)
	}
	for k := range out {
		sort.Strings(out[k])
	}
	return out
}

func duckRefs(t testing.TB, db *sql.DB, q SQLQuery) []string {
	t.Helper()
	rows, err := db.Query(q.Query)
	if err != nil {
		t.Fatalf("%s: %v\n%s", q.RuleID, err, q.Query)
	}
	defer func() {
		if err := rows.Close(); err != nil {
			t.Error(err)
		}
	}()
	cols, _ := rows.Columns()
	var out []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		ref := q.RecordType.evidencePrefix() + ":" + fmt.Sprint(vals[0])
		if q.RecordType != Flows {
			ref += ":" + fmt.Sprint(vals[1])
		}
		out = append(out, ref)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	sort.Strings(out)
	return out
}

func openDuck(t testing.TB) *sql.DB {
	t.Helper()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Error(err)
		}
	})
	// Flowsift's queries must not depend on the session time zone.
	if _, err := db.Exec("SET TimeZone = 'Pacific/Auckland'"); err != nil {
		t.Logf("set time zone: %v", err)
	}
	return db
}

// TestSQLMatchesEngine runs every translatable construct through DuckDB
// over Parquet files with the documented schema and requires the same rows
// as the Go engine reading the same files.
func TestSQLMatchesEngine(t *testing.T) {
	dir := t.TempDir()
	var recs []record
	for i, line := range strings.Split(strings.TrimSpace(sqlRecords), "\n") {
		r, err := decodeRecord([]byte(line))
		if err != nil {
			t.Fatalf("record %d: %v", i, err)
		}
		recs = append(recs, r)
	}
	writeRecordDir(t, dir, recs)
	cfg := DefaultConfig()
	cfg.MaxEvidence = 1000
	rs, rep := Compile(cfg, Parse("sql.yml", []byte(sqlRules)))
	for _, r := range rep.Rules {
		if r.Status != Supported {
			t.Fatalf("%s: %s: %s", r.Title, r.Status, r.Reason)
		}
	}
	want := engineRefs(t, rs, dir)
	db := openDuck(t)
	for _, q := range rs.SQL(dir) {
		t.Run(q.Title, func(t *testing.T) {
			if q.Err != nil {
				t.Fatalf("SQL(%s): %v", q.RuleID, q.Err)
			}
			got := duckRefs(t, db, q)
			if len(want[q.RuleID]) == 0 {
				t.Fatalf("rule %s matches nothing in the Go engine; the comparison would be empty", q.RuleID)
			}
			if diff := cmp.Diff(got, want[q.RuleID]); diff != "" {
				t.Errorf("DuckDB rows (-got, +want engine):\n%s\n%s", diff, q.Query)
			}
		})
	}
}

// TestSQLYesRules translates every SigmaHQ pcap_evaluable=yes rule and
// compares DuckDB with the engine on the generated matching and
// non-matching records.
func TestSQLYesRules(t *testing.T) {
	shared := sharedDir(t, "sigmahq")
	rows := readIndex(t, shared)
	cfg := DefaultConfig()
	cfg.MaxEvidence = 1000
	rs, _, err := LoadConfig(cfg, shared)
	if err != nil {
		t.Fatal(err)
	}
	byFile := map[string]*compiledRule{}
	for _, cr := range rs.rules {
		rel, _ := filepath.Rel(shared, cr.rule.File)
		byFile[rel] = cr
	}
	// One table per record type holding every rule's two records.
	var recs []record
	for _, row := range rows {
		if row.verdict != "yes" {
			continue
		}
		cr := byFile[row.path]
		if cr == nil {
			t.Fatalf("%s did not compile", row.path)
		}
		pos, neg, err := genPair(rs, cr)
		if err != nil {
			t.Fatalf("%s: %v", row.path, err)
		}
		for i, r := range []map[string]any{pos, neg} {
			r["uid"] = fmt.Sprintf("C%d%s", i, cr.id)
			if cr.route.rt != Flows {
				r["trans_depth"] = int64(1)
			}
			r["ts"] = "2024-06-01T12:00:00Z"
			recs = append(recs, record{Type: cr.route.rt, Cols: r})
		}
	}
	dir := t.TempDir()
	writeRecordDir(t, dir, recs)
	want := engineRefs(t, rs, dir)
	db := openDuck(t)
	translated, refused := 0, map[string]int{}
	for _, q := range rs.SQL(dir) {
		rel, _ := filepath.Rel(shared, q.File)
		if !slices.ContainsFunc(rows, func(r indexRow) bool { return r.path == rel && r.verdict == "yes" }) {
			continue
		}
		if q.Err != nil {
			if !errors.Is(q.Err, ErrNoSQL) {
				t.Errorf("%s: error %v does not wrap ErrNoSQL", rel, q.Err)
			}
			refused[q.Err.Error()]++
			continue
		}
		translated++
		got := duckRefs(t, db, q)
		if diff := cmp.Diff(got, want[q.RuleID]); diff != "" {
			t.Errorf("%s: DuckDB rows (-got, +want engine):\n%s\n%s", rel, diff, q.Query)
		}
	}
	t.Logf("%d yes-rules translated and agree with the engine; refused: %v", translated, refused)
	if translated == 0 {
		t.Fatal("no rule translated")
	}
}

// TestSQLRefusals checks that constructs without a faithful translation
// are refused with ErrNoSQL rather than translated wrongly.
func TestSQLRefusals(t *testing.T) {
	tests := []struct{ name, rule, want string }{
		{"ipv6 cidr with a zero group", "logsource: {category: firewall}\ndetection:\n  s:\n    src_ip|cidr: '2001:db8::/48'\n  condition: s\n", "zero group"},
		{"ipv6 cidr inside a group", "logsource: {category: firewall}\ndetection:\n  s:\n    src_ip|cidr: '2001:db8::/36'\n  condition: s\n", "IPv6 cidr"},
		{"control bytes", "logsource: {category: proxy}\ndetection:\n  s:\n    c-uri|wide|contains: 'cmd'\n  condition: s\n", "control characters"},
		{"float text", "logsource: {product: zeek, service: dns}\ndetection:\n  s:\n    rtt|startswith: '0.1'\n  condition: s\n", "no portable SQL text form"},
		{"legacy aggregation", "logsource: {category: firewall}\ndetection:\n  s:\n    dst_port: 53\n  condition: s | count() by src_ip > 10\n", "legacy aggregation"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rs := mustLoadRule(t, "title: t\nid: 00000000-0000-4000-8000-0000000000aa\n"+tc.rule)
			qs := rs.SQL("/d")
			if len(qs) == 0 {
				t.Fatal("no query")
			}
			if !errors.Is(qs[0].Err, ErrNoSQL) || !strings.Contains(qs[0].Err.Error(), tc.want) {
				t.Errorf("SQL() error = %v, want ErrNoSQL mentioning %q", qs[0].Err, tc.want)
			}
			if qs[0].Query != "" {
				t.Errorf("SQL() returned a query with the error: %s", qs[0].Query)
			}
		})
	}
	// A correlation document is refused too.
	rs, _ := Compile(DefaultConfig(), Parse("c.yml", []byte(corrBase+`---
title: many
id: 00000000-0000-4000-8000-0000000000bb
correlation:
  type: event_count
  rules: [base]
  group-by: [src_ip]
  timespan: 1m
  condition: {gte: 3}
`)))
	var found bool
	for _, q := range rs.SQL("/d") {
		if q.RuleID == "00000000-0000-4000-8000-0000000000bb" {
			found = true
			if !errors.Is(q.Err, ErrNoSQL) {
				t.Errorf("correlation SQL error = %v, want ErrNoSQL", q.Err)
			}
		}
	}
	if !found {
		t.Error("correlation missing from SQL()")
	}
}
